#!/bin/bash
# Two nodes and the commands of a short exchange, every swnode process
# under valgrind --leak-check=full: each document family sent one way, a
# refusal, a duplicate, status and ledger verify.  Fails on any valgrind
# error (invalid access, uninitialised value, bad free...) and on any
# definitely lost block.  Skipped (77) without valgrind, and for a
# sanitizer build (the ASan run of the suite checks that one instead).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
if ldd "$SWNODE" 2>/dev/null | grep -q 'libasan\|libtsan'; then
	echo "SKIP: $SWNODE is built with a sanitizer; valgrind cannot run it"
	exit 77
fi

REAL=$SWNODE
mkdir "$T/vg"
cat >"$T/swnode" <<EOF
#!/bin/sh
exec valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite \\
	--show-leak-kinds=definite --error-exitcode=99 --track-fds=no \\
	--log-file="$T/vg/%p.log" "$REAL" "\$@"
EOF
chmod +x "$T/swnode"
SWNODE=$T/swnode
START_WAIT=${VALGRIND_START_WAIT:-180}   # valgrind is 20-50 times slower

CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
start_node "$CN"
start_node "$SG"

for type in ephyto eco customs-declaration; do
	f=$(ls "$TESTDATA/$type"/*.xml | head -1)
	expect 0 "send $type" "$SWNODE" --home "$CN" send "$f" --to SG-NTP --wait 300
	MSG=$(head -1 "$T/out")
	[ "$(entries "$SG" "msgid='$MSG' and event='RECEIVED'")" = 1 ] && pass || fail "$type received"
done
expect 0 "status" "$SWNODE" --home "$CN" status "$MSG"
has "$T/out" "outbound: DELIVERED" "status says DELIVERED"

eco=$(ls "$TESTDATA"/eco/*.xml | head -1)
# A duplicate: the same bytes twice, the same receipt.
expect 0 "as4 pack" "$SWNODE" --home "$CN" as4 pack --agreement AB --message-id vg-dup@CN-SW "$eco" -o "$T/dup.xml"
post "$CN" "$SG" "$PORT_B" "$T/dup.xml"; cp "$T/reply" "$T/reply1"
post "$CN" "$SG" "$PORT_B" "$T/dup.xml"
has "$T/reply1" "Receipt" "first copy gets a receipt"
same "$T/reply1" "$T/reply" "the duplicate gets the same receipt"
# A refusal: a tampered body.
name=$(grep -o '<Name>[^<]*' "$T/dup.xml" | head -1 | cut -c7-)
expect 0 "as4 pack" "$SWNODE" --home "$CN" as4 pack --agreement AB "$eco" -o "$T/good.xml"
sed "0,/<Name>$name</s//<Name>${name}X</" "$T/good.xml" >"$T/tampered.xml"
post "$CN" "$SG" "$PORT_B" "$T/tampered.xml"
has "$T/reply" 'errorCode="EBMS:0101"' "the tampered message is refused"
expect 1 "as4 verify of the tampered message" "$SWNODE" as4 verify "$T/tampered.xml" --cert "$CN/certs/signing.pem"
# And a refusal by the sender's side: a document that is not valid.
expect 1 "send an invalid document" "$SWNODE" --home "$CN" send "$(ls "$TESTDATA"/bad/*.xml | head -1)" --to SG-NTP
for h in "$CN" "$SG"; do
	expect 0 "ledger verify ($(basename "$h"))" "$SWNODE" --home "$h" ledger verify
done

stop_node "$CN"
[ "$RC" -eq 0 ] && pass || fail "the sending node exited $RC under valgrind"
stop_node "$SG"
[ "$RC" -eq 0 ] && pass || fail "the receiving node exited $RC under valgrind"

# Every log: no errors, nothing definitely lost.
n=0
for log in "$T"/vg/*.log; do
	n=$((n + 1))
	if grep -q 'ERROR SUMMARY: [1-9]\|definitely lost: [1-9]\|Invalid \|uninitialised\|Mismatched free' "$log" ||
	   { [ -s "$log" ] && grep -qv '^==[0-9]*== *$\|Warning: set address range perms\|Warning: noted but unhandled ioctl\|This could cause spurious\|See README_MISSING_SYSCALL\|will be ignored\|ioctl' "$log"; }; then
		fail "valgrind found problems ($(basename "$log"))"
		sed 's/^/  /' "$log" | head -80
	else
		pass
	fi
done
[ "$n" -ge 14 ] && pass || fail "only $n processes ran under valgrind"
echo "$n swnode processes ran under valgrind"
finish
