#!/bin/sh
# A document sent with attachments (send --attach) between two real nodes
# under edelivery-2.0: each attachment a payload part of its own, placed
# beside the document; a message over 1 MiB kept in payloads/ by its
# SHA-256 (the ledger names it, verify hashes it, export copies it), sent
# again from its file after an outage; what cannot be sent is refused
# before anything is recorded (docs/exchange.md, Attachments).
. "$(dirname "$0")/lib.sh"

CN=$T/cn SG=$T/sg
PAIR_PROFILE=edelivery-2.0
pair "$CN" CN-SW "$SG" SG-NTP
start_node "$CN"
start_node "$SG"
eco=$(ls "$TESTDATA/eco"/*.xml | head -1)
head -c 3000000 /dev/urandom >"$T/big.bin"
printf 'inspection notes\r\n' >"$T/notes.txt"

# placed HOME MSGID N FILE: part N of MSGID sits beside its document in
# HOME's spool/in with FILE's bytes
placed() {
	doc=$(placed_file "$1" "$2")
	part=${doc%.xml}.part-$3.bin
	if [ -n "$doc" ] && cmp -s "$part" "$4"; then pass; else fail "part $3 of $2 not placed as sent ($part)"; fi
}

# ---- a document and two attachments ----
expect 0 "send with two attachments" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP \
	--attach application/octet-stream="$T/big.bin" --attach text/plain="$T/notes.txt" --wait 60
MSG=$(head -1 "$T/out")
placed "$SG" "$MSG" 2 "$T/big.bin"
placed "$SG" "$MSG" 3 "$T/notes.txt"
[ "$(entries "$SG" "msgid='$MSG' and event='RECEIVED' and reason like '%; part 1 <%> application/gzip: %; part 2 <%> application/gzip: %; part 3 <%> application/gzip: %'")" = 1 ] &&
	pass || fail "the RECEIVED entry does not name three parts: $(sql "$SG" "select reason from entries where msgid='$MSG' and event='RECEIVED'")"
[ "$(entries "$CN" "msgid='$MSG' and event='SUBMITTED' and reason like 'document sha256:%; part 1 <%; part 2 <%; part 3 <%'")" = 1 ] &&
	pass || fail "the SUBMITTED entry does not name three parts"
[ "$(entries "$CN" "msgid='$MSG' and event='DELIVERED' and reason like '%(proved)%'")" = 1 ] &&
	pass || fail "the receipt's ledger commitment of a message kept in a file not proven: $(sql "$CN" "select reason from entries where msgid='$MSG' and event='DELIVERED'")"

# The message (about 3 MB) is kept in payloads/, named by its SHA-256;
# the database holds its digest and length only.
digest=$(sql "$CN" "select lower(hex(evidence)) from entries where msgid='$MSG' and event='SUBMITTED'")
kept=$CN/payloads/$digest
[ -f "$kept" ] && [ "$(sha256sum <"$kept" | cut -c1-64)" = "$digest" ] && pass ||
	fail "the message is not kept in payloads/ under its digest"
[ "$(sql "$CN" "select length from evidence_files where lower(hex(digest))='$digest'")" = "$(stat -c %s "$kept")" ] &&
	pass || fail "evidence_files does not name the message's length"
[ "$(sql "$CN" "select count(*) from evidence where lower(hex(digest))='$digest'")" = 0 ] &&
	pass || fail "the large message is in the database too"
[ "$(stat -c %a "$kept")" = 600 ] && pass || fail "the kept message is readable by others"
[ -z "$(find "$CN/payloads" -name '.part-*')" ] && pass || fail "temporary files left in payloads/"
for h in "$CN" "$SG"; do
	expect 0 "ledger verify with a message kept in a file ($(basename "$h"))" "$SWNODE" --home "$h" ledger verify
done

# The evidence bundle carries the message and every part's plaintext,
# and checks offline.
key=$("$SWNODE" --home "$CN" ledger checkpoint --vkey)
expect 0 "export a message kept in a file" "$SWNODE" --home "$CN" ledger export --msgid "$MSG" -o "$T/ev"
cmp -s "$T/ev/message.mime" "$kept" && pass || fail "the bundle's message is not the kept file"
expect 0 "check-bundle of a message with attachments" "$SWNODE" ledger check-bundle --vkey "$key" "$T/ev"
has "$T/out" "ok       message.mime is the evidence of entry" "check-bundle: the message kept in a file"
has "$T/out" "ok       part-2.bin is the plaintext of part 2" "check-bundle: the attachment's plaintext"
has "$T/out" "ok       part-3.bin is the plaintext of part 3" "check-bundle: the second attachment's plaintext"
has "$T/out" "ok       message.mime carries a valid signature by signing-" "check-bundle: the signature over every part"

# The receiver keeps the message the same way: its listener wrote the body
# to a file as it arrived, and the RECEIVED entry names that file.
rdigest=$(sql "$SG" "select lower(hex(evidence)) from entries where msgid='$MSG' and event='RECEIVED'")
[ "$rdigest" = "$digest" ] && [ -f "$SG/payloads/$rdigest" ] &&
	[ "$(sql "$SG" "select count(*) from evidence_files where lower(hex(digest))='$rdigest'")" = 1 ] &&
	[ "$(sql "$SG" "select count(*) from evidence where lower(hex(digest))='$rdigest'")" = 0 ] && pass ||
	fail "the receiver does not keep the message in payloads/ under the sender's digest"
[ -z "$(find "$SG/payloads" -name '.part-*')" ] && pass || fail "the receiver left temporary files in payloads/"
rkey=$("$SWNODE" --home "$SG" ledger checkpoint --vkey)
expect 0 "export on the receiving side" "$SWNODE" --home "$SG" ledger export --msgid "$MSG" -o "$T/rev"
expect 0 "check-bundle on the receiving side" "$SWNODE" ledger check-bundle --vkey "$rkey" "$T/rev"
has "$T/out" "ok       part-3.bin is the plaintext of part 3" "the receiver's bundle: the attachment's plaintext"

# Thirty-one attachments, the most a document takes: delivered, each
# placed, the receipt's commitment (naming 32 parts) proven.
set --
for i in $(seq 31); do printf 'attachment %d\r\n' "$i" >"$T/a$i.txt"; set -- "$@" --attach "text/plain=$T/a$i.txt"; done
expect 0 "send with 31 attachments" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP "$@" --wait 60
MANY=$(head -1 "$T/out")
placed "$SG" "$MANY" 2 "$T/a1.txt"
placed "$SG" "$MANY" 32 "$T/a31.txt"
[ "$(entries "$CN" "msgid='$MANY' and event='DELIVERED' and reason like '%(proved)%'")" = 1 ] &&
	pass || fail "31 attachments: the commitment not proven: $(sql "$CN" "select reason from entries where msgid='$MANY' and event='DELIVERED'")"

# A message under 1 MiB stays in the database.
expect 0 "send with a small attachment" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP \
	--attach text/plain="$T/notes.txt" --wait 60
SMALL=$(head -1 "$T/out")
placed "$SG" "$SMALL" 2 "$T/notes.txt"
[ "$(sql "$CN" "select count(*) from evidence v join entries e on e.evidence = v.digest where e.msgid='$SMALL' and e.event='SUBMITTED'")" = 1 ] &&
	pass || fail "a small message is not kept in the database"

# A changed file is found by verify, and not sent.
cp "$kept" "$T/kept.saved"
printf 'X' | dd of="$kept" bs=1 seek=1000 conv=notrunc 2>/dev/null
expect 1 "ledger verify with a changed message file" "$SWNODE" --home "$CN" ledger verify
has "$T/out" "its evidence was changed" "verify names the changed file"
cp "$T/kept.saved" "$kept"
chmod 600 "$kept"
rm "$kept"
expect 1 "ledger verify with the message file gone" "$SWNODE" --home "$CN" ledger verify
has "$T/out" "its evidence file" "verify names the missing file"
expect 1 "export with the message file gone" "$SWNODE" --home "$CN" ledger export --msgid "$MSG" -o "$T/ev-gone"
has "$T/err" "$digest" "export names the missing file"
cp "$T/kept.saved" "$kept"
chmod 600 "$kept"
expect 0 "ledger verify with the file restored" "$SWNODE" --home "$CN" ledger verify

# Placed again from the file after the placement failed: the receiver
# decrypts the kept message again (spool/in broken, then repaired and the
# node restarted).
stop_node "$SG"
mv "$SG/spool/in" "$T/in.saved"
: >"$SG/spool/in"
start_node "$SG"
expect 0 "send while the receiver cannot place" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP \
	--attach application/octet-stream="$T/big.bin" --wait 60
AGAIN=$(head -1 "$T/out")
[ "$(entries "$SG" "msgid='$AGAIN' and event='DELIVERED_LOCAL'")" = 0 ] && pass || fail "placed into a broken spool/in"
stop_node "$SG"
rm "$SG/spool/in"
mv "$T/in.saved" "$SG/spool/in"
start_node "$SG"
i=0
until [ "$(entries "$SG" "msgid='$AGAIN' and event='DELIVERED_LOCAL'")" = 1 ]; do
	i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.05
done
placed "$SG" "$AGAIN" 2 "$T/big.bin"

# ---- an outage: the message is sent again from its file ----
stop_node "$SG"
expect 0 "send while the peer is down" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP \
	--attach application/octet-stream="$T/big.bin"
LATER=$(head -1 "$T/out")
i=0
until [ "$(entries "$CN" "msgid='$LATER' and event='RETRYING'")" -ge 1 ]; do
	i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.05
done
[ "$(entries "$CN" "msgid='$LATER' and event='RETRYING'")" -ge 1 ] && pass || fail "no retry while the peer was down"
# Its file changed while it waited: not sent, the file named; restored,
# it goes.
later=$CN/payloads/$(sql "$CN" "select lower(hex(evidence)) from entries where msgid='$LATER' and event='SUBMITTED'")
cp "$later" "$T/later.saved"
printf 'X' | dd of="$later" bs=1 seek=2000 conv=notrunc 2>/dev/null
start_node "$SG"
i=0
until sql "$CN" "select last_error from outbox where msgid='$LATER'" | grep -q "evidence file was changed"; do
	i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.05
done
sql "$CN" "select last_error from outbox where msgid='$LATER'" | grep -qF "$later: the evidence file was changed" &&
	pass || fail "a changed message file was not named: $(sql "$CN" "select last_error from outbox where msgid='$LATER'")"
[ "$(entries "$SG" "msgid='$LATER'")" = 0 ] && pass || fail "a changed message file reached the peer"
cp "$T/later.saved" "$later"
i=0
until [ "$(entries "$CN" "msgid='$LATER' and event='DELIVERED'")" = 1 ]; do
	i=$((i + 1)); [ $i -gt 1200 ] && break; sleep 0.05
done
[ "$(entries "$CN" "msgid='$LATER' and event='DELIVERED'")" = 1 ] && pass ||
	fail "the message kept in a file was not delivered after the outage: $(sql "$CN" "select last_error from outbox where msgid='$LATER'")"
placed "$SG" "$LATER" 2 "$T/big.bin"

# ---- refused before anything is recorded ----
before=$(entries "$CN" "1")
expect 2 "--attach without a type" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP --attach "$T/big.bin"
has "$T/err" "--attach takes TYPE=FILE" "the usage names the form"
expect 2 "--attach with a type that is not one" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP --attach "pdf=$T/big.bin"
has "$T/err" "'pdf' is not a media type" "the type is named"
expect 2 "--attach with parameters" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP --attach "text/plain;charset=utf-8=$T/notes.txt"
expect 1 "--attach of a missing file" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP --attach "text/plain=$T/none.txt"
has "$T/err" "cannot open the attachment" "the missing file is named"
expect 1 "--attach of a directory" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP --attach "text/plain=$T"
has "$T/err" "not a regular file" "a directory is refused"
set --
for i in $(seq 32); do set -- "$@" --attach "text/plain=$T/notes.txt"; done
expect 2 "32 attachments" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP "$@"
has "$T/err" "at most 31 attachments" "the limit is named"
head -c 3000000 /dev/zero >"$T/zeros.bin"
expect 1 "an attachment that compresses past 200:1" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP \
	--attach application/octet-stream="$T/zeros.bin"
has "$T/err" "receivers refuse that as a decompression bomb" "the ratio is named"
# Over the agreement's size limit: nothing recorded, nothing left behind.
sed -i 's/maxMessageBytes="[0-9]*"/maxMessageBytes="2000000"/' "$CN/peers/AB.xml"
expect 1 "a message over the agreement's size" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP \
	--attach application/octet-stream="$T/big.bin"
has "$T/err" "over the agreement's size limit (2000000 bytes)" "the limit is named"
# Under the body profile, a message carries the document alone.
rm "$CN/peers/AB.xml"
"$SWNODE" --home "$CN" peer import "$SG.bundle" --agreement-id AB --profile body >/dev/null
sed -i 's/status="draft"/status="active"/' "$CN/peers/AB.xml"
expect 1 "attachments under the body profile" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP \
	--attach text/plain="$T/notes.txt"
has "$T/err" "attachments need an eDelivery profile" "the profile is named"
[ "$(entries "$CN" "1")" = "$before" ] && pass || fail "a refused submission was recorded"
[ -z "$(find "$CN/payloads" -name '.part-*')" ] && pass || fail "a refused submission left files in payloads/"

finish
