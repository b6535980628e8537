#!/bin/bash
# Exactly once to the domestic side, with a consumer that takes each file
# out of spool/in as soon as it appears (as a domestic system does):
#  1. the receiver is killed with SIGKILL again and again at the moment it
#     makes a document visible in spool/in, just before and just after
#     (tests/forge/crashpoint.c, loaded with LD_PRELOAD), and restarted;
#  2. its redelivery runs every second (--redeliver-every 1), so that it
#     overlaps the receiving all the time;
# then every document the sender sent was taken exactly once, and the
# receiver's ledger has one DELIVERED_LOCAL per message.  Last, the local
# API's inbox: list, fetch, acknowledge.
. "$(dirname "$0")/lib.sh"
: "${TOP_SRCDIR:?}"
N=${DOMESTIC_DOCS:-120}
ROUNDS=${DOMESTIC_KILLS:-12}

cc -shared -fPIC -o "$T/crashpoint.so" "$TOP_SRCDIR/tests/forge/crashpoint.c" -ldl 2>"$T/cc.err" ||
	{ fail "cannot build the crash point: $(cat "$T/cc.err")"; finish; exit 1; }

CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
# The sender keeps trying while the receiver dies and comes back.
sed -i "s/intervals=\"[^\"]*\"/intervals=\"$(yes 1 | head -50 | paste -sd' ')\"/" "$CN/peers/AB.xml"
start_node "$CN"
IN=$(cd "$SG/spool/in" && pwd)
mkdir -p "$T/taken"

# The consumer: every visible document in spool/in moved out at once,
# under a name of its own (a second copy of a name is not lost).
: >"$T/consumer.run"
(
	while [ -e "$T/consumer.run" ]; do
		for f in "$IN"/*.xml; do
			[ -e "$f" ] && mv "$f" "$T/taken/$(basename "$f").$BASHPID.$RANDOM$RANDOM"
		done
		sleep 0.01
	done
) &
CONSUMER=$!
NODE_PIDS="$NODE_PIDS $CONSUMER"

# N documents submitted through the sender's local API.
token=$(cat "$CN/local.token")
lport=$(sed -n 's/^local //p' "$CN.out")
eco=$(ls "$TESTDATA"/eco/*.xml | head -1)
for i in $(seq "$N"); do
	curl -sS -H "Authorization: Bearer $token" --data-binary "@$eco" \
		"http://127.0.0.1:$lport/submit?to=SG-NTP" >>"$T/submitted.json" || fail "submit $i"
done
[ "$(grep -c '"SUBMITTED"' "$T/submitted.json")" -eq "$N" ] && pass || fail "not every document was submitted"

# The receiver, killed at the K-th visible placement of each round.
kills=0
for k in $(seq "$ROUNDS"); do
	when=before
	[ $((k % 2)) -eq 0 ] && when=after
	CRASH_DIR=$IN CRASH_AT=$(( (k % 3) + 1 )) CRASH_WHEN=$when LD_PRELOAD=$T/crashpoint.so \
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		"$SWNODE" --home "$SG" serve --workers 2 --local 127.0.0.1:0 --redeliver-every 1 \
		>>"$SG.out" 2>>"$SG.log" &
	pid=$!
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"   # nothing left to place in this round
		wait "$pid"
		break
	fi
	wait "$pid" 2>/dev/null   # (bash would report the kill)
	[ $? -eq 137 ] && kills=$((kills + 1))
done
echo "receiver killed $kills times in $k rounds"
[ "$kills" -ge $((ROUNDS / 2)) ] && pass || fail "the receiver was killed only $kills times"

# Now without crashes, redelivery still every second, until every message
# is delivered, placed and taken.
start_node "$SG" --redeliver-every 1
i=0
until [ "$(sql "$CN" "select count(*) from entries where direction='out' and event='DELIVERED'")" -ge "$N" ] &&
      [ "$(sql "$SG" "select count(*) from entries where event='DELIVERED_LOCAL'")" -ge "$N" ] &&
      [ -z "$(ls "$IN"/*.xml 2>/dev/null)" ]; do
	i=$((i + 1))
	[ $i -gt 1200 ] && { fail "not everything arrived in 120 s"; break; }
	sleep 0.1
done
rm "$T/consumer.run"
wait "$CONSUMER"

delivered=$(sql "$CN" "select count(*) from entries where direction='out' and event='DELIVERED'")
[ "$delivered" -eq "$N" ] && pass || fail "$delivered of $N delivered"
[ "$(sql "$SG" "select count(*) from entries where event='RECEIVED'")" -eq "$N" ] && pass ||
	fail "RECEIVED entries: not one per message"
[ "$(sql "$SG" "select count(*) from entries where event='DELIVERED_LOCAL'")" -eq "$N" ] && pass ||
	fail "DELIVERED_LOCAL entries: $(sql "$SG" "select count(*) from entries where event='DELIVERED_LOCAL'"), expected $N"
[ -z "$(sql "$SG" "select msgid from entries where event='DELIVERED_LOCAL' group by peer, msgid having count(*) > 1")" ] &&
	pass || fail "a message has two DELIVERED_LOCAL entries"
# What the consumer took: N files, one per message.
taken=$(ls "$T/taken" | wc -l)
[ "$taken" -eq "$N" ] && pass || fail "the consumer took $taken files for $N documents"
for f in "$T"/taken/*; do
	seq=$(basename "$f" | sed -n 's/^[a-z-]*-0*\([0-9][0-9]*\)\.xml\..*/\1/p')
	sql "$SG" "select msgid from entries where seq = $seq and event = 'RECEIVED'"
done | sort >"$T/taken-msgids"
[ "$(sort -u "$T/taken-msgids" | wc -l)" -eq "$N" ] && [ "$(wc -l <"$T/taken-msgids")" -eq "$N" ] && pass ||
	fail "a message was taken twice or not at all: $(uniq -d "$T/taken-msgids" | head -3)"
sql "$CN" "select msgid from entries where direction='out' and event='SUBMITTED'" | sort >"$T/sent-msgids"
cmp -s "$T/sent-msgids" "$T/taken-msgids" && pass || fail "what was taken is not what was sent"
grep -q "recorded placements in spool/in finished" "$SG.log" && pass ||
	fail "no restart found a recorded placement to finish"
expect 0 "the receiver's ledger verifies" "$SWNODE" --home "$SG" ledger verify

# ---- the inbox: what a consumer that acknowledges sees ----
SGTOKEN=$(cat "$SG/local.token")
SGPORT=$(sed -n 's/^local //p' "$SG.out" | tail -1)
api() { curl -sS -H "Authorization: Bearer $SGTOKEN" "$@"; }
curl -sS -H "Authorization: Bearer $token" --data-binary "@$eco" \
	"http://127.0.0.1:$lport/submit?to=SG-NTP" >"$T/one.json"
MSG=$(sed -n 's/.*"msgid": *"\([^"]*\)".*/\1/p' "$T/one.json")
curl -sS -H "Authorization: Bearer $token" "http://127.0.0.1:$lport/status/$MSG?wait=30" >/dev/null
i=0
until api "http://127.0.0.1:$SGPORT/inbox" | grep -q "$MSG"; do
	i=$((i + 1)); [ $i -gt 200 ] && break; sleep 0.05
done
api "http://127.0.0.1:$SGPORT/inbox" >"$T/inbox.json"
has "$T/inbox.json" "\"msgid\":\"$MSG\"" "the inbox lists the new document"
NAME=$(sed -n "s/.*\"file\":\"\([^\"]*\)\",\"seq\":[0-9]*,\"msgid\":\"$MSG\".*/\1/p" "$T/inbox.json")
[ -n "$NAME" ] && pass || fail "no file name for $MSG in the inbox"
code=$(api -o "$T/fetched.xml" -w '%{http_code}' "http://127.0.0.1:$SGPORT/inbox/$NAME")
[ "$code" = 200 ] && xmllint --noout "$T/fetched.xml" 2>/dev/null && pass || fail "GET /inbox/NAME: HTTP $code"
code=$(api -o "$T/ack.json" -w '%{http_code}' -X DELETE "http://127.0.0.1:$SGPORT/inbox/$NAME")
[ "$code" = 200 ] && pass || fail "DELETE /inbox/NAME: HTTP $code"
has "$T/ack.json" '"repeated":false' "the first acknowledgement is recorded"
[ ! -e "$IN/$NAME" ] && pass || fail "the acknowledged document is still in spool/in"
api -X DELETE "http://127.0.0.1:$SGPORT/inbox/$NAME" >"$T/ack2.json"
has "$T/ack2.json" '"repeated":true' "a second acknowledgement records nothing"
[ "$(sql "$SG" "select count(*) from entries where msgid='$MSG' and event='ACKNOWLEDGED_LOCAL'")" -eq 1 ] &&
	pass || fail "not one ACKNOWLEDGED_LOCAL entry"
api "http://127.0.0.1:$SGPORT/inbox" >"$T/inbox2.json"
hasnt "$T/inbox2.json" "$MSG" "an acknowledged document leaves the inbox"
code=$(api -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SGPORT/inbox/$NAME")
[ "$code" = 404 ] && pass || fail "GET of an acknowledged document: HTTP $code"
code=$(api -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$SGPORT/inbox/eco-99999999.xml")
[ "$code" = 404 ] && pass || fail "DELETE of a document never placed: HTTP $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SGPORT/inbox")
[ "$code" = 401 ] && pass || fail "the inbox without a token: HTTP $code"

# ---- placements that cannot finish at once ----
# submit_one: one document through CN's local API; its MessageId in $MSG
submit_one() {
	curl -sS -H "Authorization: Bearer $token" --data-binary "@$eco" \
		"http://127.0.0.1:$lport/submit?to=SG-NTP" >"$T/one.json"
	MSG=$(sed -n 's/.*"msgid": *"\([^"]*\)".*/\1/p' "$T/one.json")
}
# placed_name MSGID: the name its DELIVERED_LOCAL recorded (empty: none yet)
placed_name() {
	sql "$SG" "select reason from entries where msgid = '$1' and event = 'DELIVERED_LOCAL'" | sed 's|.*/||'
}
# wait_for COND...: a bounded poll for a condition the node brings about
wait_for() {
	i=0
	until "$@"; do
		i=$((i + 1)); [ $i -gt 300 ] && return 1; sleep 0.05
	done
}
present() { [ -f "$IN/$1" ]; }
recorded() { [ -n "$(placed_name "$1")" ]; }

# Something that is not a file where a document is to appear (a domestic
# user may create anything in spool/in): it is moved aside, never deleted,
# and the document appears at once.
stop_node "$SG"
next=$(( $(sql "$SG" "select max(seq) from entries") + 1 ))
for k in 0 1 2 3 4 5; do mkdir "$IN/eco-$(printf %08d $((next + k))).xml"; done
start_node "$SG" --redeliver-every 1
submit_one
wait_for recorded "$MSG" || fail "the document was not placed"
NAME=$(placed_name "$MSG")
wait_for present "$NAME" && pass || fail "a directory in the way kept $NAME hidden"
ls -a "$IN" | grep -q "^\.in-the-way-" && pass || fail "what was in the way was not moved aside"
[ "$(grep -c 'local delivery failed' "$SG.log")" -eq 0 ] && pass || fail "a placement was called failed"
rm -rf "$IN"/eco-*.xml "$IN"/.in-the-way-*

# The rename failing (here: made to fail once): the placement is recorded
# and finished by the next redelivery, without a restart, and is never
# recorded as failed.
stop_node "$SG"
CRASH_DIR=$IN CRASH_AT=1 CRASH_WHEN=fail LD_PRELOAD=$T/crashpoint.so \
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 start_node "$SG" --redeliver-every 1
submit_one
wait_for recorded "$MSG" || fail "the document was not recorded"
NAME=$(placed_name "$MSG")
wait_for present "$NAME" && pass || fail "a recorded placement whose rename failed stayed hidden"
has "$SG.log" "placed, not visible yet (finished at the next redelivery)" "the failed rename is logged"
[ "$(sql "$SG" "select count(*) from entries where msgid = '$MSG' and event = 'LOCAL_DELIVERY_FAILED'")" -eq 0 ] &&
	pass || fail "a recorded placement was recorded as failed"
rm -f "$IN/$NAME"

# Acknowledged before it became visible: it never appears.  (The rename
# fails, redelivery is far off, the domestic side acknowledges the name.)
stop_node "$SG"
CRASH_DIR=$IN CRASH_AT=1 CRASH_WHEN=fail LD_PRELOAD=$T/crashpoint.so \
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 start_node "$SG" --redeliver-every 3600
SGPORT=$(sed -n 's/^local //p' "$SG.out" | tail -1)
submit_one
wait_for recorded "$MSG" || fail "the document was not recorded"
NAME=$(placed_name "$MSG")
seq=$(sql "$SG" "select seq from entries where msgid = '$MSG' and event = 'RECEIVED'")
[ -f "$IN/.placing-$seq" ] && pass || fail "the placement is not waiting hidden"
code=$(api -o "$T/ack3.json" -w '%{http_code}' -X DELETE "http://127.0.0.1:$SGPORT/inbox/$NAME")
[ "$code" = 200 ] && pass || fail "acknowledging a hidden placement: HTTP $code"
[ ! -e "$IN/.placing-$seq" ] && [ ! -e "$IN/$NAME" ] && pass || fail "an acknowledged document can still appear"
stop_node "$SG"
start_node "$SG" --redeliver-every 1
[ ! -e "$IN/$NAME" ] && pass || fail "an acknowledged document appeared after a restart"

# Bytes planted under a placement's hidden name are never revealed, and
# the inbox never serves a file that is not the document placed.
submit_one
wait_for recorded "$MSG" || fail "the document was not placed"
NAME=$(placed_name "$MSG")
wait_for present "$NAME" || fail "$NAME did not appear"
seq=$(sql "$SG" "select seq from entries where msgid = '$MSG' and event = 'RECEIVED'")
cp "$IN/$NAME" "$T/genuine.xml"
rm "$IN/$NAME"
echo '<forged/>' >"$IN/.placing-$seq"
stop_node "$SG"
start_node "$SG" --redeliver-every 1
SGPORT=$(sed -n 's/^local //p' "$SG.out" | tail -1)
[ ! -e "$IN/$NAME" ] && [ ! -e "$IN/.placing-$seq" ] && pass || fail "planted bytes were revealed as $NAME"
has "$SG.log" "files removed (unrecorded, acknowledged, or not the bytes recorded)" "the planted file is removed at start"
echo '<forged/>' >"$IN/$NAME"
code=$(api -o "$T/forged.out" -w '%{http_code}' "http://127.0.0.1:$SGPORT/inbox/$NAME")
[ "$code" = 409 ] && pass || fail "the inbox served a file that is not the document placed: HTTP $code"
cp "$T/genuine.xml" "$IN/$NAME"
code=$(api -o "$T/genuine.out" -w '%{http_code}' "http://127.0.0.1:$SGPORT/inbox/$NAME")
[ "$code" = 200 ] && cmp -s "$T/genuine.out" "$T/genuine.xml" && pass || fail "the genuine document: HTTP $code"

stop_node "$CN"
stop_node "$SG"
[ "$RC" -eq 0 ] && pass || fail "the receiver exited $RC"
finish
