#!/bin/sh
# Two real nodes on 127.0.0.1 exchange every document family both ways over
# mutual TLS; duplicates, refusals, an outage and a reload behave as
# documented (docs/exchange.md).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }

CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
start_node "$CN"
start_node "$SG"

# send FROM TO-PARTY FILE: send and wait for delivery; the MessageId in $MSG
send() {
	run "$SWNODE" --home "$1" send "$3" --to "$2" --wait 60
	MSG=$(head -1 "$T/out")
	if [ "$RC" -eq 0 ]; then pass; else fail "send $3 to $2: $(cat "$T/err")"; fi
}

# arrived HOME MSGID ORIGINAL: the domestic document in HOME's spool/in is
# the original in every field
arrived() {
	f=$(placed_file "$1" "$2")
	if [ -z "$f" ]; then fail "$2 not in $1/spool/in"; return; fi
	canon "$3" >"$T/a" && canon "$f" >"$T/b"
	same "$T/a" "$T/b" "$2 arrived different from $(basename "$3")"
}

# ---- every family, both ways ----
for type in ephyto eco customs-declaration; do
	for f in $(ls "$TESTDATA/$type"/*.xml | head -2); do
		send "$CN" SG-NTP "$f"
		arrived "$SG" "$MSG" "$f"
		[ "$(entries "$SG" "msgid='$MSG' and event='RECEIVED'")" = 1 ] && pass || fail "$MSG recorded once"
		[ "$(entries "$CN" "msgid='$MSG' and event='DELIVERED'")" = 1 ] && pass || fail "$MSG DELIVERED"
		send "$SG" CN-SW "$f"
		arrived "$CN" "$MSG" "$f"
	done
done
expect 0 "status of a delivered message" "$SWNODE" --home "$SG" status "$MSG"
has "$T/out" "outbound: DELIVERED after 1 attempt" "status says DELIVERED"
for e in SUBMITTED SENT DELIVERED; do has "$T/out" " $e " "status lists $e"; done
expect 0 "status on the receiving side" "$SWNODE" --home "$CN" status "$MSG"
has "$T/out" "inbound: DELIVERED_LOCAL" "receiver status"
for e in RECEIVED RECEIPT_SENT DELIVERED_LOCAL; do has "$T/out" " $e " "receiver lists $e"; done
expect 1 "status of an unknown message" "$SWNODE" --home "$CN" status nosuch@x
expect 0 "healthz" curl -sS --cert "$CN/certs/tls.pem" --key "$CN/keys/tls.key" --cacert "$SG/certs/tls.pem" "https://127.0.0.1:$PORT_B/healthz"
has "$T/out" "ok" "healthz answers"

# ---- duplicates: the same bytes get the same receipt, stored once ----
eco=$(ls "$TESTDATA"/eco/*.xml | head -1)
eco2=$(ls "$TESTDATA"/eco/*.xml | sed -n 2p)
"$SWNODE" --home "$CN" as4 pack --agreement AB --message-id dup-1@CN-SW "$eco" -o "$T/dup.xml" 2>/dev/null
post "$CN" "$SG" "$PORT_B" "$T/dup.xml"; cp "$T/reply" "$T/reply1"
post "$CN" "$SG" "$PORT_B" "$T/dup.xml"; cp "$T/reply" "$T/reply2"
has "$T/reply1" "Receipt" "first post gets a receipt"
same "$T/reply1" "$T/reply2" "a repeated message gets the original receipt"
[ "$(entries "$SG" "msgid='dup-1@CN-SW' and event='RECEIVED'")" = 1 ] && pass || fail "duplicate stored twice"
[ "$(entries "$SG" "msgid='dup-1@CN-SW' and event='DELIVERED_LOCAL'")" = 1 ] && pass || fail "duplicate delivered twice"
"$SWNODE" --home "$CN" as4 pack --agreement AB --message-id dup-1@CN-SW "$eco2" -o "$T/dup2.xml" 2>/dev/null
post "$CN" "$SG" "$PORT_B" "$T/dup2.xml"
has "$T/reply" 'errorCode="EBMS:0003"' "same MessageId, other content: refused"
[ "$(entries "$SG" "msgid='dup-1@CN-SW' and event='REFUSED' and reason like 'EBMS:0003%'")" = 1 ] &&
	pass || fail "reused MessageId recorded"

"$SWNODE" --home "$CN" as4 pack --agreement AB --unsigned "$eco" -o "$T/u.xml" 2>/dev/null

# Copies of one message arriving at once on several workers: stored once.
"$SWNODE" --home "$CN" as4 pack --agreement AB --message-id race-1@CN-SW "$eco" -o "$T/race.xml" 2>/dev/null
cpids=""
for k in 1 2 3 4; do
	curl -sS --max-time 30 --cert "$CN/certs/tls.pem" --key "$CN/keys/tls.key" --cacert "$SG/certs/tls.pem" \
		-H 'Content-Type: application/soap+xml' --data-binary "@$T/race.xml" -o "$T/race$k" \
		"https://127.0.0.1:$PORT_B/as4" &
	cpids="$cpids $!"
done
for p in $cpids; do wait "$p"; done
for k in 1 2 3 4; do has "$T/race$k" "Receipt" "concurrent copy $k gets a receipt"; done
[ "$(entries "$SG" "msgid='race-1@CN-SW' and event='RECEIVED'")" = 1 ] && pass || fail "concurrent copies stored more than once"
[ "$(entries "$SG" "msgid='race-1@CN-SW' and event='DELIVERED_LOCAL'")" = 1 ] && pass || fail "concurrent copies delivered more than once"

# MessageIds that differ only in characters a file name cannot hold land
# in two files, neither replacing the other.
"$SWNODE" --home "$CN" as4 pack --agreement AB --message-id col@CN-SW "$eco" -o "$T/c1.xml" 2>/dev/null
"$SWNODE" --home "$CN" as4 pack --agreement AB --message-id col_CN-SW "$eco2" -o "$T/c2.xml" 2>/dev/null
post "$CN" "$SG" "$PORT_B" "$T/c1.xml"
post "$CN" "$SG" "$PORT_B" "$T/c2.xml"
f1=$(placed_file "$SG" "col@CN-SW")
f2=$(placed_file "$SG" "col_CN-SW")
[ -n "$f1" ] && [ -n "$f2" ] && [ "$f1" != "$f2" ] && pass || fail "two messages share a spool/in file"
arrived "$SG" col@CN-SW "$eco"
arrived "$SG" col_CN-SW "$eco2"

# A MessageId with a newline is a malformed header (refused before the
# signature is looked at: `as4 sign` would not sign it), and it cannot
# forge a log line.
"$SWNODE" --home "$CN" as4 pack --agreement AB --unsigned "$eco" -o "$T/nl0.xml" 2>/dev/null
sed 's|<eb:MessageId>[^<]*</eb:MessageId>|<eb:MessageId>x\&#10;2026-01-01T00:00:00.000Z swnode[1]: forged</eb:MessageId>|' "$T/nl0.xml" >"$T/nl1.xml"
post "$CN" "$SG" "$PORT_B" "$T/nl1.xml"
has "$T/reply" 'errorCode="EBMS:0009"' "a MessageId with a newline is refused"
if grep -q '^2026-01-01T00:00:00.000Z swnode\[1\]: forged' "$SG.log"; then fail "a MessageId forged a log line"; else pass; fi

# A second serve on the same node is refused (it would deliver twice).
run "$SWNODE" --home "$SG" serve --listen 127.0.0.1:0
[ "$RC" = 1 ] && pass || fail "a second serve started"
has "$T/err" "another swnode serve runs on this node" "second serve explained"

# ---- refusals: each a signed eb:Error and a REFUSED entry ----
# refused_with CODE TEXT DESCRIPTION: the last reply is a valid signed
# eb:Error with CODE, and SG's ledger recorded it with TEXT in the reason
# refused_with CODE REASON WHAT [SG'S SIGNING CERT, default the body profile's]
refused_with() {
	if grep -q "errorCode=\"$1\"" "$T/reply"; then pass; else fail "$3: no $1 in reply"; cat "$T/reply"; fi
	"$SWNODE" as4 verify "$T/reply" --cert "${4:-$SG/certs/signing.pem}" >"$T/v" 2>&1 &&
		pass || { fail "$3: the eb:Error is not validly signed"; cat "$T/v"; }
	[ "$(entries "$SG" "event='REFUSED' and reason like '$1%' and reason like '%$2%'")" -ge 1 ] &&
		pass || fail "$3: no REFUSED entry with '$2'"
}

# A client certificate no agreement pins: the handshake fails.
newnode "$T/evil" CN-SW --key ec-p256
"$SWNODE" --home "$T/evil" peer import "$SG.bundle" --agreement-id AB --profile body >/dev/null
sed -i 's/status="draft"/status="active"/' "$T/evil/peers/AB.xml"
"$SWNODE" --home "$T/evil" as4 pack --agreement AB "$eco" -o "$T/evil.xml" 2>/dev/null
before=$(entries "$SG" "1")
post "$T/evil" "$SG" "$PORT_B" "$T/evil.xml"
[ "$RC" -ne 0 ] && pass || fail "TLS with an unpinned client certificate was accepted"
[ "$(entries "$SG" "1")" = "$before" ] && pass || fail "a refused handshake reached the ledger"

# Signed by a key that is not pinned (its own certificate in the token).
post "$CN" "$SG" "$PORT_B" "$T/evil.xml"
refused_with EBMS:0101 "SignatureValue does not verify" "signature by an unpinned key"

# The same, with the attacker's key as a bare KeyValue in KeyInfo.
sed 's|<ds:KeyInfo>.*</ds:KeyInfo>|<ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>|' \
	"$T/evil.xml" >"$T/keyvalue.xml"
has "$T/keyvalue.xml" "KeyValue" "KeyValue message prepared"
post "$CN" "$SG" "$PORT_B" "$T/keyvalue.xml"
refused_with EBMS:0101 "SignatureValue does not verify" "KeyValue in KeyInfo"

# A tampered body.
"$SWNODE" --home "$CN" as4 pack --agreement AB "$eco" -o "$T/good.xml" 2>/dev/null
name=$(grep -o '<Name>[^<]*' "$T/good.xml" | head -1 | cut -c7-)
sed "0,/<Name>$name</s//<Name>${name}X</" "$T/good.xml" >"$T/tampered.xml"
cmp -s "$T/good.xml" "$T/tampered.xml" && fail "tampering changed nothing"
post "$CN" "$SG" "$PORT_B" "$T/tampered.xml"
refused_with EBMS:0101 "digest of soap:Body" "tampered body"

# A wrapped body: the signed Body moved into the header, a forged one in its place.
xsltproc "$(dirname "$0")/wrap.xsl" "$T/good.xml" >"$T/wrapped.xml"
has "$T/wrapped.xml" "Forged" "wrapped message prepared"
post "$CN" "$SG" "$PORT_B" "$T/wrapped.xml"
refused_with EBMS:0101 "not to the eb:Messaging or soap:Body" "wrapped body"

# To that is not us.
sed 's|<eb:To><eb:PartyId\([^>]*\)>SG-NTP<|<eb:To><eb:PartyId\1>SG-OTHER<|' "$T/u.xml" >"$T/u2.xml"
"$SWNODE" --home "$CN" as4 sign "$T/u2.xml" -o "$T/to.xml"
post "$CN" "$SG" "$PORT_B" "$T/to.xml"
refused_with EBMS:0010 "To SG-OTHER is not this node" "To is not us"

# From that is not the authenticated peer (signed with CN's own key).
sed 's|<eb:From><eb:PartyId\([^>]*\)>CN-SW<|<eb:From><eb:PartyId\1>CN-OTHER<|' "$T/u.xml" >"$T/u3.xml"
"$SWNODE" --home "$CN" as4 sign "$T/u3.xml" -o "$T/from.xml"
post "$CN" "$SG" "$PORT_B" "$T/from.xml"
refused_with EBMS:0101 "From CN-OTHER (type" "From is not the peer"

# A schema-invalid payload, correctly signed.
sed 's|<CountryCode>\([A-Z][A-Z]\)</CountryCode>|<CountryCode>\1X</CountryCode>|' "$T/u.xml" >"$T/u4.xml"
if cmp -s "$T/u.xml" "$T/u4.xml"; then
	sed 's|<\(ram:\)\{0,1\}ID>\([^<]*\)</|<\1ID> \2</|' "$T/u.xml" >"$T/u4.xml"
fi
sed -i 's|</CertificateOfOrigin></env:Body>|<Unexpected/></CertificateOfOrigin></env:Body>|' "$T/u4.xml"
"$SWNODE" --home "$CN" as4 sign "$T/u4.xml" -o "$T/invalid.xml"
post "$CN" "$SG" "$PORT_B" "$T/invalid.xml"
refused_with EBMS:0004 "is not valid" "schema-invalid payload"

# A document type the agreement does not allow inbound (SG: eco out only).
cp "$SG/peers/AB.xml" "$T/AB.saved"
sed -i 's|<document type="eco" direction="both"|<document type="eco" direction="out"|' "$SG/peers/AB.xml"
reload_node "$SG"
run "$SWNODE" --home "$CN" send "$eco" --to SG-NTP --wait 30
[ "$RC" -eq 1 ] && pass || fail "eco sent although SG receives no eco"
has "$T/err" "FAILED: EBMS:0010" "sender sees the refusal"
MSG=$(head -1 "$T/out")
[ "$(entries "$SG" "msgid='$MSG' and event='REFUSED' and reason like '%does not allow receiving eco%'")" = 1 ] &&
	pass || fail "direction refusal recorded"
[ "$(entries "$CN" "msgid='$MSG' and event='FAILED' and reason like 'EBMS:0010%'")" = 1 ] &&
	pass || fail "sender recorded FAILED"

# Limits: a message over the agreement's size, a clock far ahead, a burst
# over the rate (HTTP 429: the sender retries later).
sed 's|maxMessageBytes="[0-9]*"|maxMessageBytes="2000"|' "$T/AB.saved" >"$SG/peers/AB.xml"
reload_node "$SG"
post "$CN" "$SG" "$PORT_B" "$T/good.xml"
refused_with EBMS:0010 "bytes; agreement AB allows 2000" "message over the agreement's size"
cp "$T/AB.saved" "$SG/peers/AB.xml"
sed 's|<eb:Timestamp>[^<]*<|<eb:Timestamp>2099-01-01T00:00:00.000Z<|' "$T/u.xml" >"$T/u5.xml"
"$SWNODE" --home "$CN" as4 sign "$T/u5.xml" -o "$T/future.xml"
reload_node "$SG"
post "$CN" "$SG" "$PORT_B" "$T/future.xml"
refused_with EBMS:0009 "ahead of this node" "timestamp from the future"
# The agreement's profile decides the message's form: under edelivery-2.0
# (both nodes have its keys) a body-form message is refused with the
# reason, signed with the profile's key.
rm "$SG/peers/AB.xml"
"$SWNODE" --home "$SG" peer import "$CN.bundle" --agreement-id AB --profile edelivery-2.0 >/dev/null
sed -i -e 's/status="draft"/status="active"/' -e 's/intervals="[^"]*"/intervals="1 1"/' "$SG/peers/AB.xml"
reload_node "$SG"
post "$CN" "$SG" "$PORT_B" "$T/good.xml"
refused_with EBMS:0010 "agreement AB uses AS4 profile edelivery-2.0: each payload travels compressed and encrypted" \
	"a body-form message under an edelivery-2.0 agreement" "$SG/certs/edelivery-2.0-signing.pem"
# Signed with the profile's key (Ed25519), which the peer of that profile checks.
has "$T/v" "(ed25519" "the eb:Error is signed with the profile's Ed25519 key"
# SG sends in the eDelivery form to CN, whose agreement is still body:
# refused, and the eb:Error, signed with CN's body key, is not what SG's
# agreement says CN signs with: no outcome is believed, SG gives up.
run "$SWNODE" --home "$SG" send "$eco" --to CN-SW --wait 30
[ "$RC" -eq 1 ] && pass || fail "an eDelivery message to a body agreement was delivered"
has "$T/err" "FAILED: retries exhausted; last: the reply's signature does not verify: SignatureMethod must be ed25519" \
	"the sender believes no reply signed otherwise than its agreement says"
[ "$(entries "$CN" "event='REFUSED' and reason like '%agreement AB uses AS4 profile body: the payload travels in the signed SOAP Body, not in MIME parts%'")" -ge 1 ] &&
	pass || fail "the receiver recorded no profile refusal"
# Both agreements under edelivery-2.0: documents go both ways, gzip'd,
# signed with Ed25519, encrypted with X25519 + HKDF + AES-128-GCM, the
# receipts signed with Ed25519 and their ledger commitments proven.
cp "$CN/peers/AB.xml" "$T/CN-AB.saved"
rm "$CN/peers/AB.xml"
"$SWNODE" --home "$CN" peer import "$SG.bundle" --agreement-id AB --profile edelivery-2.0 >/dev/null
sed -i -e 's/status="draft"/status="active"/' -e 's/intervals="[^"]*"/intervals="1 1 1 1 2 2 2 2 2 2"/' \
	"$CN/peers/AB.xml"
reload_node "$CN"
for dir in "SG CN CN-SW" "CN SG SG-NTP"; do
	set -- $dir
	from=$(eval echo "\$$1") to=$(eval echo "\$$2")
	run "$SWNODE" --home "$from" send "$eco" --to "$3" --wait 30
	MSG=$(head -1 "$T/out")
	[ "$RC" -eq 0 ] && pass || { fail "edelivery-2.0 $1 -> $2: not delivered"; cat "$T/err"; }
	[ "$(entries "$to" "msgid='$MSG' and event='RECEIVED' and reason like 'Content-Type (base64): %; part 1 <%> application/gzip: received % bytes sha256:%, decrypted % bytes sha256:%'")" = 1 ] &&
		pass || fail "edelivery-2.0 $1 -> $2: RECEIVED without the part's digests"
	[ "$(entries "$to" "msgid='$MSG' and event='DELIVERED_LOCAL'")" = 1 ] && pass || fail "edelivery-2.0 $1 -> $2: not placed"
	[ "$(entries "$from" "msgid='$MSG' and event='DELIVERED' and reason like '%(proved)%'")" = 1 ] &&
		pass || fail "edelivery-2.0 $1 -> $2: the receipt's ledger commitment not proven: $(sql "$from" "select reason from entries where msgid='$MSG' and event='DELIVERED'")"
	# The evidence stays checkable: both sides keep the part's plaintext
	# (as signed) by its digest, and their bundles check offline.
	snd=$1 rcv=$2
	for side in "$1 $from" "$2 $to"; do
		set -- $side
		h=$2 key=$("$SWNODE" --home "$2" ledger checkpoint --vkey)
		expect 0 "edelivery-2.0: export $1's evidence of $MSG" "$SWNODE" --home "$h" ledger export --msgid "$MSG" -o "$T/ev-e2-$1-$MSG"
		expect 0 "edelivery-2.0: check $1's bundle" "$SWNODE" ledger check-bundle --vkey "$key" "$T/ev-e2-$1-$MSG"
		has "$T/out" "ok       part-1.bin is the plaintext of part 1" "edelivery-2.0: $1's bundle carries the plaintext the entry names"
		has "$T/out" "ok       message.mime carries a valid signature by signing-" "edelivery-2.0: $1's bundle: the message's Ed25519 signature over the part"
		has "$T/out" "ok       receipt.xml carries a valid signature by signing-" "edelivery-2.0: $1's bundle: the receipt's signature"
		has "$T/out" "ok       receipt.xml acknowledges the message" "edelivery-2.0: $1's bundle: the receipt repeats the message's references, the part's included"
		[ "$(stat -c %a "$T/ev-e2-$1-$MSG/part-1.bin")" = 600 ] && pass ||
			fail "edelivery-2.0: $1's bundle holds the plaintext readable by others"
		[ -z "$(find "$h/payloads" -type f ! -perm 0600)" ] && [ "$(stat -c %a "$h/payloads")" = 700 ] &&
			pass || fail "edelivery-2.0: $1's payload store is readable by others"
		[ "$(sha256sum <"$T/ev-e2-$1-$MSG/part-1.bin" | cut -c1-64)" = "$(basename "$(ls "$h/payloads/$(sha256sum <"$T/ev-e2-$1-$MSG/part-1.bin" | cut -c1-64)")")" ] &&
			pass || fail "edelivery-2.0: $1's payload file is not named by its digest"
	done
	cmp -s "$T/ev-e2-$snd-$MSG/message.mime" "$T/ev-e2-$rcv-$MSG/message.mime" &&
		cmp -s "$T/ev-e2-$snd-$MSG/part-1.bin" "$T/ev-e2-$rcv-$MSG/part-1.bin" &&
		pass || fail "edelivery-2.0: both sides keep the same message and plaintext"
done
# A changed plaintext, or a part file taken away, fails the bundle by name.
B=$(ls -d "$T"/ev-e2-SG-* | head -1)
# Certificates are named signing-PARTY.pem and signing-PARTY+N.pem ('+' is in
# no party id): CN-SW's pin renamed signing-CN-SW-1.pem is party CN-SW-1's,
# not CN-SW's, and CN-SW's signature (message or receipt) is not found.
cp -r "$B" "$T/ev-e2-names"
mv "$T/ev-e2-names/signing-CN-SW+1.pem" "$T/ev-e2-names/signing-CN-SW-1.pem"
expect 1 "edelivery-2.0: the sender's certificate under another party's name" "$SWNODE" ledger check-bundle "$T/ev-e2-names"
grep -qE "^FAILED   (message.mime|receipt.xml) carries a valid signature" "$T/out" && pass ||
	fail "a file of party CN-SW-1 was taken for CN-SW's"
[ -f "$B/signing-SG-NTP+2.pem" ] && pass || fail "the exporter's profile certificate is not signing-SG-NTP+2.pem"
cp -r "$B" "$T/ev-e2-bad"
printf 'x' >>"$T/ev-e2-bad/part-1.bin"
expect 1 "edelivery-2.0: a bundle with a changed part" "$SWNODE" ledger check-bundle "$T/ev-e2-bad"
has "$T/out" "FAILED   part-1.bin is the plaintext of part 1" "the changed part is named"
has "$T/out" "FAILED   message.mime carries a valid signature: " "the message's signature is not checked over it"
rm "$T/ev-e2-bad/part-1.bin"
expect 1 "edelivery-2.0: a bundle without its part" "$SWNODE" ledger check-bundle "$T/ev-e2-bad"
has "$T/out" "FAILED   message.mime carries a valid signature: " "the missing part fails the signature check"
cp "$B/message.mime" "$T/ev-e2-bad/message.xml"
expect 1 "edelivery-2.0: a bundle with two message files" "$SWNODE" ledger check-bundle "$T/ev-e2-bad"
has "$T/out" "FAILED   the bundle holds one message file, message.xml or message.mime" "two message files are named"
# A caller's id under edelivery-2.0: the SUBMITTED reason names the part
# after the document's digest; the same document again is the same
# message, another document under the id is refused.
token=$(cat "$CN/local.token")
lport=$(sed -n 's/^local //p' "$CN.out")
e2submit() {
	curl -sS -o "$T/e2id.json" -w '%{http_code}' -H "Authorization: Bearer $token" --data-binary "@$1" \
		"http://127.0.0.1:$lport/submit?to=SG-NTP&id=e2-order-1"
}
[ "$(e2submit "$eco")" = 202 ] && pass || fail "edelivery-2.0: submit with an id: $(cat "$T/e2id.json")"
[ "$(e2submit "$eco")" = 202 ] && has "$T/e2id.json" '"repeated":true' "edelivery-2.0: the same document under the id is the same message" ||
	fail "edelivery-2.0: the same document under the id again: $(cat "$T/e2id.json")"
other=$(ls "$TESTDATA"/eco/*.xml | sed -n 2p)
[ "$(e2submit "$other")" = 409 ] && has "$T/e2id.json" '"differs":"document"' "edelivery-2.0: another document under the id is refused" ||
	fail "edelivery-2.0: another document under the id: $(cat "$T/e2id.json")"
[ "$(entries "$CN" "msgid='e2-order-1@CN-SW' and event='SUBMITTED' and reason like 'document sha256:$(sha256sum <"$eco" | cut -c1-64); part 1 <%> application/gzip: plaintext % bytes sha256:%'")" = 1 ] &&
	pass || fail "edelivery-2.0: SUBMITTED does not name the document and the part"
# A message composed under edelivery-2.0 and still queued when its
# agreement moves to edelivery-1.15 is not posted in the old form (SG, still
# under 2.0, would take it): it ends FAILED, "submit the document again".
"$SWNODE" --home "$SG" cert add-profile edelivery-1.15 >/dev/null
"$SWNODE" --home "$SG" cert export -o "$T/sg-115.bundle" 2>/dev/null
"$SWNODE" --home "$CN" cert add-profile edelivery-1.15 >/dev/null
dead=$(free_port 7)
sed -i "s|https://127.0.0.1:$PORT_B/as4|https://127.0.0.1:$dead/as4|" "$CN/peers/AB.xml"
reload_node "$CN"
run "$SWNODE" --home "$CN" send "$eco" --to SG-NTP
MSG=$(head -1 "$T/out")
stop_node "$CN"
[ "$(entries "$CN" "msgid='$MSG' and event in ('DELIVERED','FAILED')")" = 0 ] && pass ||
	fail "the message meant to wait was settled before its agreement changed"
rm "$CN/peers/AB.xml"
"$SWNODE" --home "$CN" peer import "$T/sg-115.bundle" --agreement-id AB --profile edelivery-1.15 >/dev/null
sed -i -e 's/status="draft"/status="active"/' -e 's/intervals="[^"]*"/intervals="1 1"/' "$CN/peers/AB.xml"
start_node "$CN"
i=0
until [ "$(entries "$CN" "msgid='$MSG' and event in ('DELIVERED','FAILED')")" = 1 ]; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
[ "$(entries "$CN" "msgid='$MSG' and event='FAILED' and reason = 'agreement AB now uses profile edelivery-1.15; the message was composed under another eDelivery profile: submit the document again'")" = 1 ] &&
	pass || fail "a message composed under edelivery-2.0 was not failed after the move to 1.15: $(sql "$CN" "select event, reason from entries where msgid='$MSG'")"
[ "$(entries "$SG" "msgid='$MSG'")" = 0 ] && pass || fail "the message composed under 2.0 reached SG"
cp "$T/CN-AB.saved" "$CN/peers/AB.xml"
reload_node "$CN"
cp "$T/AB.saved" "$SG/peers/AB.xml"
sed 's|maxMessagesPerMinute="[0-9]*"|maxMessagesPerMinute="1"|' "$T/AB.saved" >"$SG/peers/AB.xml"
reload_node "$SG"
for k in 1 2; do
	"$SWNODE" --home "$CN" as4 pack --agreement AB "$eco" -o "$T/rate$k.xml" 2>/dev/null
done
# The limit counts per calendar minute: three requests span at most two
# minutes, so two of them share one and the later of those is over it,
# wherever the minute turns (one request, then a check, once flaked on it).
codes=""
for f in rate1 rate2 rate2; do
	codes="$codes $(curl -s -o /dev/null -w '%{http_code}' --cert "$CN/certs/tls.pem" \
		--key "$CN/keys/tls.key" --cacert "$SG/certs/tls.pem" \
		-H 'Content-Type: application/soap+xml; charset=UTF-8' --data-binary "@$T/$f.xml" \
		"https://127.0.0.1:$PORT_B/as4")"
done
case "$codes" in
*429*) pass ;;
*) fail "over the rate: HTTP$codes, expected a 429 among them" ;;
esac

# A suspended copy of the agreement pinning the same certificate does not
# shadow the active one (a message without AgreementRef).
sed -e 's/id="AB"/id="AA-OLD"/' -e 's/status="active"/status="suspended"/' "$T/AB.saved" >"$SG/peers/AA-OLD.xml"
cp "$T/AB.saved" "$SG/peers/AB.xml"
reload_node "$SG"
sed 's|<eb:AgreementRef>AB</eb:AgreementRef>||' "$T/u.xml" >"$T/u6.xml"
"$SWNODE" --home "$CN" as4 sign "$T/u6.xml" -o "$T/noref.xml"
post "$CN" "$SG" "$PORT_B" "$T/noref.xml"
has "$T/reply" "Receipt" "the agreement in force is chosen"
rm "$SG/peers/AA-OLD.xml"

# An agreement that has ended.
sed 's|until="[^"]*"|until="2025-01-01T00:00:00Z"|; s|<validity from="[^"]*"|<validity from="2024-01-01T00:00:00Z"|' \
	"$T/AB.saved" >"$SG/peers/AB.xml"
reload_node "$SG"
# Its peer's TLS certificate is pinned no more: the handshake fails, the
# refusal is logged, and nothing reaches the ledger.
run "$SWNODE" --home "$CN" send "$eco" --to SG-NTP --wait 30
has "$T/err" "FAILED: retries exhausted" "ended agreement refused"
MSG=$(head -1 "$T/out")
[ "$(entries "$SG" "msgid='$MSG'")" = 0 ] && pass || fail "an ended agreement's peer reached the ledger"
has "$SG.log" "refused a TLS client certificate (pinned only by agreement AB, which ended on 2025-01-01T00:00:00Z)" \
	"ended agreement logged"
cp "$T/AB.saved" "$SG/peers/AB.xml"
reload_node "$SG"
# resend after FAILED: delivered now that the agreement is back
expect 0 "resend a FAILED message" "$SWNODE" --home "$CN" resend "$MSG"
i=0
until "$SWNODE" --home "$CN" status "$MSG" | grep -q "outbound: DELIVERED"; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
"$SWNODE" --home "$CN" status "$MSG" >"$T/out"
has "$T/out" "outbound: DELIVERED" "resent message delivered"
has "$T/out" " RESEND " "resend is in the ledger"

# ---- an impostor's agreement for the partner's party id ----
# A bundle claiming SG-NTP, from another node, activated beside the real
# agreement under an id that sorts first: the running node keeps the
# agreement it had, leaves the new one out and says so; documents for
# SG-NTP still go to SG.
EVIL=$T/impostor
newnode "$EVIL" SG-NTP --key rsa-2048 --endpoint "https://127.0.0.1:$(free_port 5)/as4"
"$SWNODE" --home "$EVIL" cert export -o "$T/impostor.bundle" 2>/dev/null
"$SWNODE" --home "$CN" peer import "$T/impostor.bundle" --agreement-id AA-EVIL >/dev/null
sed -i 's/status="draft"/status="active"/' "$CN/peers/AA-EVIL.xml"
reload_node "$CN"
has "$CN.log" "agreement AA-EVIL is not loaded: agreements AA-EVIL and AB share the peer party id (SG-NTP)" \
	"the impostor's agreement is left out"
# still_to_sg DESCRIPTION: a document submitted to the running CN for
# SG-NTP is delivered to SG, and CN never left AB out
still_to_sg() {
	token=$(cat "$CN/local.token")
	lport=$(sed -n 's/^local //p' "$CN.out")
	curl -sS -H "Authorization: Bearer $token" --data-binary "@$eco" \
		"http://127.0.0.1:$lport/submit?to=SG-NTP" >"$T/submit.json"
	MSG=$(sed -n 's/.*"msgid": *"\([^"]*\)".*/\1/p' "$T/submit.json")
	curl -sS -H "Authorization: Bearer $token" "http://127.0.0.1:$lport/status/$MSG?wait=30" >"$T/status.json"
	has "$T/status.json" '"DELIVERED"' "$1: a document for SG-NTP still goes to SG"
	[ "$(entries "$SG" "msgid='$MSG' and event='RECEIVED'")" = 1 ] && pass || fail "$1: SG did not receive it"
	hasnt "$CN.log" "agreement AB is not loaded" "$1: the partner's agreement stays"
}
still_to_sg "impostor activated beside AB"
# A process that starts with both (send) takes neither: it refuses.
expect 1 "send with two agreements claiming SG-NTP" "$SWNODE" --home "$CN" send "$eco" --to SG-NTP
has "$T/err" "agreement AA-EVIL is not loaded" "send names the conflict"
rm "$CN/peers/AA-EVIL.xml"
reload_node "$CN"
# The impostor's bundle imported as a draft, loaded as such (a draft
# carries no traffic), then activated: the draft never carried SG-NTP's
# traffic, so the active version is the new one and is left out.
"$SWNODE" --home "$CN" peer import "$T/impostor.bundle" --agreement-id AA-DRAFT >/dev/null
reload_node "$CN"
sed -i 's/status="draft"/status="active"/' "$CN/peers/AA-DRAFT.xml"
reload_node "$CN"
has "$CN.log" "agreement AA-DRAFT is not loaded: agreements AA-DRAFT and AB share the peer party id (SG-NTP)" \
	"an activated draft claiming SG-NTP is left out"
still_to_sg "impostor loaded as a draft, then activated"
rm "$CN/peers/AA-DRAFT.xml"
reload_node "$CN"
# An agreement the node carries for another peer (P1), edited to claim
# SG-NTP: for SG-NTP it is new, and it is left out.
newnode "$T/p1" P1 --key ec-p256 --endpoint "https://127.0.0.1:$(free_port 6)/as4"
"$SWNODE" --home "$T/p1" cert export -o "$T/p1.bundle" 2>/dev/null
"$SWNODE" --home "$CN" peer import "$T/p1.bundle" --agreement-id AA-P1 >/dev/null
sed -i 's/status="draft"/status="active"/' "$CN/peers/AA-P1.xml"
reload_node "$CN"
hasnt "$CN.log" "agreement AA-P1 is not loaded" "an agreement for P1 is loaded"
sed -i 's/<peer partyId="P1"/<peer partyId="SG-NTP"/' "$CN/peers/AA-P1.xml"
has "$CN/peers/AA-P1.xml" '<peer partyId="SG-NTP"' "AA-P1 edited to claim SG-NTP"
reload_node "$CN"
has "$CN.log" "agreement AA-P1 is not loaded: agreements AA-P1 and AB share the peer party id (SG-NTP)" \
	"an agreement edited to claim SG-NTP is left out"
still_to_sg "an agreement edited to claim SG-NTP"
rm "$CN/peers/AA-P1.xml"
reload_node "$CN"

# ---- a received document that cannot be placed is placed later ----
mv "$SG/spool/in" "$SG/spool/in.away"
: >"$SG/spool/in"
"$SWNODE" --home "$CN" as4 pack --agreement AB --message-id later-1@CN-SW "$eco" -o "$T/later.xml" 2>/dev/null
post "$CN" "$SG" "$PORT_B" "$T/later.xml"
has "$T/reply" "Receipt" "receipt although spool/in is broken"
[ "$(entries "$SG" "msgid='later-1@CN-SW' and event='LOCAL_DELIVERY_FAILED'")" = 1 ] && pass || fail "failed local delivery recorded"
rm "$SG/spool/in"
mv "$SG/spool/in.away" "$SG/spool/in"

# ---- the peer is down: messages queue, retry, and arrive exactly once ----
stop_node "$SG"
[ "$RC" -eq 0 ] && pass || fail "SIGTERM exit code $RC"
has "$SG.log" "stopped" "the node logged its stop"
ids=""
for f in $(ls "$TESTDATA"/customs-declaration/*.xml | head -3); do
	run "$SWNODE" --home "$CN" send "$f" --to SG-NTP
	ids="$ids $(head -1 "$T/out")"
done
for id in $ids; do
	i=0
	until [ "$(entries "$CN" "msgid='$id' and event='RETRYING'")" -ge 1 ]; do
		i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
	done
	[ "$(entries "$CN" "msgid='$id' and event='RETRYING'")" -ge 1 ] && pass || fail "$id not retrying while the peer is down"
done
start_node "$SG"
# at start the node placed the document it could not place before
[ "$(entries "$SG" "msgid='later-1@CN-SW' and event='DELIVERED_LOCAL'")" = 1 ] && pass || fail "document not placed after restart"
arrived "$SG" later-1@CN-SW "$eco"
for id in $ids; do
	i=0
	until [ "$(entries "$CN" "msgid='$id' and event='DELIVERED'")" = 1 ]; do
		i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1
	done
	[ "$(entries "$CN" "msgid='$id' and event='DELIVERED'")" = 1 ] && pass || fail "$id not delivered after the outage"
	[ "$(entries "$SG" "msgid='$id' and event='RECEIVED'")" = 1 ] && pass || fail "$id not received exactly once"
done

# ---- spool/out: a dropped file is sent; a bad one lands in spool/failed ----
mkdir -p "$CN/spool/out/SG-NTP"
cp "$eco" "$CN/spool/out/SG-NTP/.incoming" && mv "$CN/spool/out/SG-NTP/.incoming" "$CN/spool/out/SG-NTP/dropped.xml"
printf 'not xml\n' >"$CN/spool/out/SG-NTP/.bad" && mv "$CN/spool/out/SG-NTP/.bad" "$CN/spool/out/SG-NTP/bad.xml"
i=0
until grep -q "dropped.xml submitted" "$CN.log" && [ -f "$CN/spool/failed/SG-NTP-bad.xml.reason" ]; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
has "$CN.log" "dropped.xml submitted as" "spool file submitted"
[ ! -e "$CN/spool/out/SG-NTP/dropped.xml" ] && pass || fail "spool file left behind"
has "$CN/spool/failed/SG-NTP-bad.xml.reason" "not an XML document" "bad spool file explained"

# ---- evidence for an auditor, from both sides, checked offline ----
id=$(echo $ids | cut -d' ' -f1)
expect 0 "export the sender's evidence" "$SWNODE" --home "$CN" ledger export --msgid "$id" -o "$T/ev-cn"
CNKEY=$("$SWNODE" --home "$CN" ledger checkpoint --vkey)
SGKEY=$("$SWNODE" --home "$SG" ledger checkpoint --vkey)
expect 0 "check the sender's bundle" "$SWNODE" ledger check-bundle --vkey "$CNKEY" "$T/ev-cn"
has "$T/out" "ok       the bundle's ledger key is the published one" "published key compared"
expect 1 "check a bundle against another node's key" "$SWNODE" ledger check-bundle --vkey "$SGKEY" "$T/ev-cn"
has "$T/out" "receipt.xml carries a valid signature by signing-SG-NTP" "the receipt is the peer's"
expect 0 "export the receiver's evidence" "$SWNODE" --home "$SG" ledger export --msgid "$id" -o "$T/ev-sg"
expect 0 "check the receiver's bundle" "$SWNODE" ledger check-bundle "$T/ev-sg"
has "$T/out" "message.xml carries a valid signature by signing-CN-SW" "the message is the sender's"
has "$T/out" "ok       receipt.xml acknowledges the message" "the receipt acknowledges the message"
# Another exchange's receipt in its place: not this message's.
id2=$(echo $ids | cut -d' ' -f2)
"$SWNODE" --home "$SG" ledger export --msgid "$id2" -o "$T/ev-sg2" >/dev/null
cp -r "$T/ev-sg" "$T/ev-swap" && cp "$T/ev-sg2/receipt.xml" "$T/ev-swap/receipt.xml"
expect 1 "a bundle with another message's receipt" "$SWNODE" ledger check-bundle "$T/ev-swap"
has "$T/out" "FAILED   receipt.xml acknowledges the message" "the other message's receipt is named"
# A message file that no entry names was checked by nothing: the bundle
# does not hold (its RECEIVED entry left out of entries.json).
cp -r "$T/ev-sg" "$T/ev-noentry"
python3 -c 'import json, sys; p = sys.argv[1]; e = json.load(open(p)); json.dump([x for x in e if x["event"] != "RECEIVED"], open(p, "w"))' \
	"$T/ev-noentry/entries.json"
expect 1 "a bundle whose message no entry names" "$SWNODE" ledger check-bundle "$T/ev-noentry"
has "$T/out" "FAILED   message.xml is the evidence of an entry in the bundle" "the message no entry names is named"
cmp -s "$T/ev-cn/message.xml" "$T/ev-sg/message.xml" && pass || fail "both sides keep the same signed bytes"
sed -i 's/Timestamp>2/Timestamp>3/' "$T/ev-sg/message.xml"
expect 1 "a changed message in the bundle" "$SWNODE" ledger check-bundle "$T/ev-sg"
has "$T/out" "FAILED   message.xml is the evidence" "the change is named"
# Bundle files are read only when they are regular files: a FIFO in place
# of message.xml is refused at once (it blocked for ever); a link to a
# copy of the real one is followed, as for any file the operator names.
cp -r "$T/ev-cn" "$T/ev-fifo"
rm "$T/ev-fifo/message.xml" && mkfifo "$T/ev-fifo/message.xml"
expect 1 "a bundle whose message.xml is a FIFO" timeout 20 "$SWNODE" ledger check-bundle --vkey "$CNKEY" "$T/ev-fifo"
has "$T/out" "FAILED   message.xml is the evidence of entry" "the FIFO fails the evidence check"
has "$T/out" "ev-fifo/message.xml: is a FIFO (named pipe), not a regular file" "the FIFO is named"
cp -r "$T/ev-cn" "$T/ev-link"
mv "$T/ev-link/message.xml" "$T/message-elsewhere.xml" && ln -s "$T/message-elsewhere.xml" "$T/ev-link/message.xml"
expect 0 "a bundle whose message.xml is a link to the real one" timeout 20 "$SWNODE" ledger check-bundle --vkey "$CNKEY" "$T/ev-link"
# Party ids in a bundle follow the rule (docs/agreements.md): a key name
# that is not PARTY/swnode-ledger with a party id (here with ESC; a valid
# key for that name, made by hand) is refused, and nothing prints it raw.
b64=${SGKEY#*+}
b64=${b64#*+}
kname="SG$(printf '\033')[2J/swnode-ledger"
kid=$( { printf '%s\n' "$kname"; printf '%s' "$b64" | base64 -d; } | sha256sum | cut -c1-8)
cp -r "$T/ev-sg" "$T/ev-esc"
printf '%s+%s+%s\n' "$kname" "$kid" "$b64" >"$T/ev-esc/ledger.vkey"
expect 2 "a bundle whose ledger key is not named after a party id" "$SWNODE" ledger check-bundle "$T/ev-esc"
has "$T/err" "the ledger key's name 'SG\x1b[2J/swnode-ledger' is not PARTY/swnode-ledger with a party id" \
	"the key name is refused, escaped"
if LC_ALL=C grep -q "$(printf '\033')" "$T/out" "$T/err"; then fail "check-bundle printed ESC raw"; else pass; fi
# An entry whose peer is not a party id names no certificate file.
cp -r "$T/ev-sg" "$T/ev-path"
sed -i 's|"peer": "CN-SW"|"peer": "CN-SW/../x"|' "$T/ev-path/entries.json"
expect 1 "a bundle entry whose peer is not a party id" "$SWNODE" ledger check-bundle "$T/ev-path"
has "$T/out" "names the peer 'CN-SW/../x', which is not a party id" "the entry's peer is refused"
for h in "$CN" "$SG"; do
	expect 0 "ledger verify after the exchange ($h)" "$SWNODE" --home "$h" ledger verify
done

# ---- cross-witnessing: receipts carry the receiver's signed checkpoint ----
[ "$(entries "$CN" "event='DELIVERED' and reason like 'peer ledger: this message is leaf % in its signed checkpoint of size % (proved)'")" -ge 10 ] &&
	pass || fail "DELIVERED entries record the peer's commitment"
[ "$(sqlite3 "$CN/ledger.db" "select count(*) from witness where peer='SG-NTP'")" -ge 10 ] &&
	pass || fail "the peer's checkpoints are kept"
expect 0 "audit-peer on an honest peer" "$SWNODE" --home "$CN" ledger audit-peer SG-NTP
has "$T/out" "consistent: every checkpoint SG-NTP signed lies on its current tree" "audit says consistent"
expect 0 "the peer audits us too" "$SWNODE" --home "$SG" ledger audit-peer CN-SW
# the consistency query's numbers: whole decimal numbers, or 400
consistency() {
	curl -s -o "$T/cons" -w '%{http_code}' --cert "$CN/certs/tls.pem" --key "$CN/keys/tls.key" \
		--cacert "$SG/certs/tls.pem" "https://127.0.0.1:$PORT_B/ledger/consistency?$1"
}
[ "$(consistency 'from=1&to=2')" = 200 ] && grep -q '"type": *"consistency"' "$T/cons" &&
	grep -q '"size1": *1,' "$T/cons" && grep -q '"size2": *2,' "$T/cons" && pass ||
	fail "a consistency proof from 1 to 2: $(cat "$T/cons")"
# Escapes are decoded as evhttp decoded them: %31 is 1.
[ "$(consistency 'from=%31&to=2')" = 200 ] && pass || fail "consistency?from=%31&to=2 not read as 1"
for q in 'from=1x&to=2' 'from=%2B1&to=2' 'from=%201&to=2' 'from=-1&to=2' 'from=&to=2' \
	 'from=1&to=99999999999999999999' 'from=1&to=18446744073709551617' 'from=1'; do
	c=$(consistency "$q")
	[ "$c" = 400 ] && pass || fail "consistency?$q: HTTP $c, expected 400"
done
# The peer's operator truncates its ledger and writes another history with
# the same key: audit-peer finds it and shows both signed checkpoints.
stop_node "$SG"
newnode "$T/blank" BLANK
cp "$T/blank/ledger.db" "$SG/ledger.db"
rm -f "$SG/ledger.db-wal" "$SG/ledger.db-shm"
start_node "$SG"
for f in $(ls "$TESTDATA"/eco/*.xml | head -2); do send "$CN" SG-NTP "$f"; done
expect 1 "audit-peer after the peer rewrote its ledger" "$SWNODE" --home "$CN" ledger audit-peer SG-NTP
has "$T/out" "ROLLBACK: SG-NTP signed a checkpoint of size" "rollback reported"
has "$T/out" "FORK: two signed checkpoints of size" "fork reported"
has "$T/out" "-- then:" "evidence shown"

stop_node "$CN"
[ "$RC" -eq 0 ] && pass || fail "SIGTERM exit code $RC"
stop_node "$SG"
finish
