#!/bin/bash
# A full disk (docs/exchange.md): a submission fails with a clear error,
# the ledger stays sound with every earlier entry intact, and once there is
# space again submissions work and are delivered.  The sending node's home
# is on a small tmpfs; skipped (77) where tmpfs cannot be mounted (not root,
# or a container without the capability).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }

M=$T/small
mkdir "$M"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=6m,mode=0755 swnode-test "$M" 2>"$T/mount.err"; then
	echo "SKIP: cannot mount a tmpfs here: $(cat "$T/mount.err" 2>/dev/null)"
	exit 77
fi
trap 'for p in $NODE_PIDS; do kill -TERM "$p" 2>/dev/null; done; for p in $NODE_PIDS; do wait "$p" 2>/dev/null; done; umount "$M"; rm -rf "$T"' EXIT

CN=$M/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
start_node "$CN"
start_node "$SG"
eco=$(ls "$TESTDATA"/eco/*.xml | head -1)
for f in $(ls "$TESTDATA"/eco/*.xml | head -3); do
	expect 0 "send $(basename "$f") with space" "$SWNODE" --home "$CN" send "$f" --to SG-NTP --wait 60
done
"$SWNODE" --home "$CN" ledger query --format csv >"$T/before"
n_before=$(entries "$CN" 1)

# A spool file, written while there is space, renamed into place when
# there is none.
mkdir -p "$CN/spool/out/SG-NTP"
cp "$(ls "$TESTDATA"/ephyto/*.xml | head -1)" "$CN/spool/out/SG-NTP/.pending.xml"

# Fill the file system.
dd if=/dev/zero of="$M/fill" bs=64k status=none 2>/dev/null
dd if=/dev/zero of="$M/fill2" bs=512 status=none 2>/dev/null
[ "$(df --output=avail -B1 "$M" | tail -1)" -lt 4096 ] && pass || fail "the file system is not full"

for f in $(ls "$TESTDATA"/customs-declaration/*.xml | head -2); do
	run "$SWNODE" --home "$CN" send "$f" --to SG-NTP
	[ "$RC" -eq 1 ] && pass || fail "send on a full disk: exit $RC"
	has "$T/err" "disk full" "the error says the disk is full"
	has "$T/err" "$CN/ledger.db" "the error names the ledger"
	[ ! -s "$T/out" ] && pass || fail "a MessageId was printed for a failed submission"
done
cat "$T/err"
[ "$(entries "$CN" 1)" = "$n_before" ] && pass || fail "entries changed on a full disk"
expect 0 "ledger verify on a full disk" "$SWNODE" --home "$CN" ledger verify
"$SWNODE" --home "$CN" ledger query --format csv >"$T/during"
same "$T/before" "$T/during" "earlier entries intact on a full disk"
kill -0 "$(cat "$CN.pid")" && pass || fail "the node died of the full disk"
mv "$CN/spool/out/SG-NTP/.pending.xml" "$CN/spool/out/SG-NTP/pending.xml"
i=0
until grep -q "pending.xml not submitted yet: .*disk full" "$CN.log"; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
has "$CN.log" "pending.xml not submitted yet: cannot commit to the ledger: disk full" "the spool says why it waits"
[ "$(ls -A "$CN/spool/out/SG-NTP" | grep -c 'pending.xml$')" = 1 ] && pass || fail "the spool file was not kept on a full disk"
[ -z "$(ls -A "$CN/spool/failed")" ] && pass || fail "a full disk moved a spool file to spool/failed"
received=$(entries "$SG" "event='RECEIVED'")

# Space again: submissions work, and the running node delivers them.
rm -f "$M/fill" "$M/fill2"
for f in $(ls "$TESTDATA"/customs-declaration/*.xml | head -2); do
	expect 0 "send $(basename "$f") after space was freed" "$SWNODE" --home "$CN" send "$f" --to SG-NTP --wait 60
	id=$(head -1 "$T/out")
	[ "$(entries "$SG" "msgid='$id' and event='RECEIVED'")" = 1 ] && pass || fail "$id received once"
done
i=0
until [ -z "$(ls -A "$CN/spool/out/SG-NTP")" ] && [ "$(entries "$SG" "event='RECEIVED'")" -ge $((received + 3)) ]; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
[ -z "$(ls -A "$CN/spool/out/SG-NTP")" ] && pass || fail "the spool file was not submitted once there was space"
[ "$(entries "$SG" "event='RECEIVED'")" = $((received + 3)) ] && pass || fail "the spool file was not received once"
expect 0 "ledger verify afterwards" "$SWNODE" --home "$CN" ledger verify
"$SWNODE" --home "$CN" ledger query --format csv | head -n "$(wc -l <"$T/before")" >"$T/after"
same "$T/before" "$T/after" "earlier entries intact afterwards"
stop_node "$CN"
stop_node "$SG"
finish
