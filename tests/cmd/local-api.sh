#!/bin/bash
# The local API (docs/local-api.md): a domestic system submits documents
# and follows them to delivery over plain HTTP on loopback with the node's
# token; refusals are clear; a repeated id submits once; held status
# requests are answered when the outcome is recorded, and at stop.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }

CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
start_node "$CN"
start_node "$SG"
LP=$(sed -n 's/^local //p' "$CN.out")
[ -n "$LP" ] && pass || { fail "serve printed no local port"; cat "$CN.out"; exit 1; }
TOKEN=$(cat "$CN/local.token")
[ "$(stat -c %a "$CN/local.token")" = 600 ] && pass || fail "the token file is not mode 600"

# api METHOD PATH [CURL ARGS...]: a request with the token; the body in
# $T/body, the HTTP status in $CODE
api() {
	meth=$1 p=$2
	shift 2
	CODE=$(curl -sS -o "$T/body" -w '%{http_code}' -X "$meth" -H "Authorization: Bearer $TOKEN" "$@" \
		"http://127.0.0.1:$LP$p") || CODE=curl-failed
}
code() { [ "$CODE" = "$1" ] && pass || { fail "$2: HTTP $CODE, expected $1: $(cat "$T/body")"; }; }
msgid() { sed -n 's/.*"msgid":"\([^"]*\)".*/\1/p' "$T/body"; }

eph=$(ls "$TESTDATA"/ephyto/*.xml | sed -n 2p)
decl=$(ls "$TESTDATA"/customs-declaration/*.xml | head -1)

# ---- health and authentication ----
CODE=$(curl -sS -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$LP/healthz")
code 200 "healthz needs no token"
has "$T/body" '"held_requests":0' "healthz counts held requests"
CODE=$(curl -sS -o "$T/body" -w '%{http_code}' --data-binary @"$eph" "http://127.0.0.1:$LP/submit?to=SG-NTP")
code 401 "submit without a token"
has "$T/body" "local.token" "the 401 says where the token is"
CODE=$(curl -sS -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer ${TOKEN}x" \
	--data-binary @"$eph" "http://127.0.0.1:$LP/submit?to=SG-NTP")
code 401 "submit with a wrong token"
CODE=$(curl -sS -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$LP/status/x@y")
code 401 "status without a token"
[ "$(entries "$CN" "event='SUBMITTED'")" = 0 ] && pass || fail "an unauthenticated submission was recorded"

# ---- refusals ----
api POST "/submit" --data-binary @"$eph"
code 400 "submit without a party"
has "$T/body" "to=PARTY" "the 400 says what is missing"
api GET "/submit?to=SG-NTP"
code 405 "GET /submit"
printf 'not xml at all' >"$T/junk"
api POST "/submit?to=SG-NTP" --data-binary @"$T/junk"
code 422 "non-XML body"
has "$T/body" '"error"' "the 422 carries the error"
api POST "/submit?to=XX-NOBODY" --data-binary @"$eph"
code 422 "a party without an agreement"
has "$T/body" "no agreement with party XX-NOBODY" "the 422 names the missing agreement"
sed 's/<[^/!?][^ >]*/&/' "$eph" | head -c 300 >"$T/cut.xml"
api POST "/submit?to=SG-NTP" --data-binary @"$T/cut.xml"
code 422 "a truncated document"
api POST "/submit?to=SG-NTP&id=bad/id" --data-binary @"$eph"
code 400 "an id with a slash"
head -c $((64 * 1024 * 1024 + 1)) /dev/zero >"$T/huge"
api POST "/submit?to=SG-NTP" --data-binary @"$T/huge"
code 413 "a body over 64 MB"
rm -f "$T/huge"
api GET "/status/nosuch@CN-SW"
code 404 "status of an unknown message"
api GET "/status/nosuch@CN-SW?wait=61"
code 400 "wait over 60 s"
for w in 5s %205 +5 ""; do
	api GET "/status/nosuch@CN-SW?wait=$w"
	code 400 "wait='$w' (not a whole number)"
done
has "$T/body" "wait must be a whole number of seconds from 0 to 60" "the 400 says what wait takes"
api GET "/nowhere"
code 404 "an unknown path"
[ "$(entries "$CN" "event='SUBMITTED'")" = 0 ] && pass || fail "a refused submission was recorded"

# ---- submit, then wait for the receipt ----
api POST "/submit?to=SG-NTP" --data-binary @"$eph"
code 202 "submit an ePhyto"
m=$(msgid)
case $m in *@CN-SW) pass ;; *) fail "MessageId '$m' is not ours" ;; esac
api GET "/status/$m?wait=60"
code 200 "status with wait"
has "$T/body" '"state":"DELIVERED"' "the held status answers DELIVERED"
[ "$(entries "$SG" "msgid='$m' and event='RECEIVED'")" = 1 ] && pass || fail "$m received once"
f=$(placed_file "$SG" "$m")
canon "$eph" >"$T/a" && canon "$f" >"$T/b"
same "$T/a" "$T/b" "the submitted document arrived unchanged"
api GET "/status/$m"
has "$T/body" '"attempts":1' "status without wait"

# ---- a caller's id: a repeat submits nothing twice ----
api POST "/submit?to=SG-NTP&id=order-42" --data-binary @"$decl"
code 202 "submit with an id"
[ "$(msgid)" = "order-42@CN-SW" ] && pass || fail "the id makes the MessageId: $(cat "$T/body")"
api POST "/submit?to=SG-NTP&id=order-42" --data-binary @"$decl"
code 202 "the same id again"
api GET "/status/order-42@CN-SW?wait=60"
has "$T/body" '"state":"DELIVERED"' "the id's message delivered"
# the same request once the message is delivered: the state of now
api POST "/submit?to=SG-NTP&id=order-42" --data-binary @"$decl"
code 202 "the same request after delivery"
has "$T/body" '"msgid":"order-42@CN-SW"' "the repeat names the message"
has "$T/body" '"state":"DELIVERED"' "the repeat is answered with the message's state of now"
# the id again with other bytes (one newline more), another document or
# another destination: refused, naming the first message and what differs
{ cat "$decl"; echo; } >"$T/decl-nl.xml"
api POST "/submit?to=SG-NTP&id=order-42" --data-binary @"$T/decl-nl.xml"
code 409 "the id with other bytes of the document"
has "$T/body" '"msgid":"order-42@CN-SW"' "the 409 names the first message"
has "$T/body" '"differs":"document"' "the 409 says the document differs"
api POST "/submit?to=SG-NTP&id=order-42" --data-binary @"$eph"
code 409 "the id with another document"
api POST "/submit?to=XX-ELSEWHERE&id=order-42" --data-binary @"$decl"
code 409 "the id to another destination"
has "$T/body" '"differs":"destination"' "the 409 says the destination differs"
has "$T/body" '"first_to":"SG-NTP"' "the 409 says where the first message went"
[ "$(entries "$CN" "msgid='order-42@CN-SW' and event='SUBMITTED'")" = 1 ] && pass || fail "a repeated id submitted twice"
[ "$(entries "$SG" "msgid='order-42@CN-SW' and event='RECEIVED'")" = 1 ] && pass || fail "a repeated id received twice"
[ "$(sql "$CN" "select reason from entries where msgid='order-42@CN-SW' and event='SUBMITTED'")" = \
  "document sha256:$(sha256sum <"$decl" | cut -c1-64)" ] && pass ||
	fail "SUBMITTED does not record the digest of the document as submitted"

# ---- one id from 16 requests at once: one message ----
# race ID PREFIX: 16 submissions of PREFIX-0..15 (each ending in a newline)
# under id ID, all sent but their last byte, then the last bytes one after
# the other, so that the node's loops take them up together; each reply in
# $T/ID-i, its status in $T/ID-i.code
race() {
	bash -c 'id=$1 prefix=$2 port=$3 token=$4 out=$5
	fds=()
	for i in $(seq 0 15); do
		len=$(stat -c %s "$prefix-$i")
		exec {fd}<>"/dev/tcp/127.0.0.1/$port" || exit 1
		printf "POST /submit?to=SG-NTP&id=%s HTTP/1.1\r\nHost: l\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" \
			"$id" "$token" "$len" >&"$fd"
		head -c $((len - 1)) "$prefix-$i" >&"$fd"
		fds+=("$fd")
	done
	for fd in "${fds[@]}"; do printf "\n" >&"$fd"; done
	for i in $(seq 0 15); do
		cat <&"${fds[$i]}" >"$out-$i"
		sed -n "1s/^HTTP\/1.1 \([0-9]*\).*/\1/p" "$out-$i" >"$out-$i.code"
	done' _ "$1" "$2" "$LP" "$TOKEN" "$T/$1"
}
big=$TESTDATA/customs-declaration/06-hundred-items.xml   # 75 KB: a longer way to the ledger
for i in $(seq 0 15); do cp "$big" "$T/same-$i"; done
race same-1 "$T/same"
n=$(cat "$T"/same-1-*.code | grep -c '^202$')
[ "$n" = 16 ] && pass || fail "$n of 16 identical submissions under one id answered 202: $(cat "$T"/same-1-*.code | tr '\n' ' ')"
[ "$(grep -l '"msgid":"same-1@CN-SW"' "$T"/same-1-? "$T"/same-1-?? | wc -l)" = 16 ] && pass ||
	fail "the identical submissions were not all answered with the one MessageId"
[ "$(entries "$CN" "msgid='same-1@CN-SW' and event='SUBMITTED'")" = 1 ] && pass ||
	fail "16 identical submissions under one id recorded $(entries "$CN" "msgid='same-1@CN-SW' and event='SUBMITTED'") messages"
# 16 different documents (the same with 0 to 15 newlines more) under one id
for i in $(seq 0 15); do { cat "$big"; head -c "$i" /dev/zero | tr '\0' '\n'; } >"$T/other-$i"; done
race other-1 "$T/other"
[ "$(cat "$T"/other-1-*.code | grep -c '^202$')" = 1 ] && pass ||
	fail "not one of 16 different documents under one id was accepted: $(cat "$T"/other-1-*.code | tr '\n' ' ')"
[ "$(cat "$T"/other-1-*.code | grep -c '^409$')" = 15 ] && pass ||
	fail "the other 15 documents under the id were not refused with 409: $(cat "$T"/other-1-*.code | tr '\n' ' ')"
[ "$(entries "$CN" "msgid='other-1@CN-SW' and event='SUBMITTED'")" = 1 ] && pass ||
	fail "16 documents under one id recorded $(entries "$CN" "msgid='other-1@CN-SW' and event='SUBMITTED'") messages"
api GET "/status/same-1@CN-SW?wait=60"
has "$T/body" '"state":"DELIVERED"' "the raced message delivered"
api GET "/status/other-1@CN-SW?wait=60"
has "$T/body" '"state":"DELIVERED"' "the raced message delivered"
[ "$(entries "$SG" "msgid in ('same-1@CN-SW','other-1@CN-SW') and event='RECEIVED'")" = 2 ] && pass ||
	fail "the raced messages were not received once each"

# ---- 30 at once: the delivery threads post concurrently ----
i=0 burst=""
while [ $i -lt 30 ]; do
	( curl -sS -H "Authorization: Bearer $TOKEN" --data-binary @"$eph" \
		"http://127.0.0.1:$LP/submit?to=SG-NTP&id=burst-$i" >/dev/null &&
	  curl -sS -H "Authorization: Bearer $TOKEN" \
		"http://127.0.0.1:$LP/status/burst-$i@CN-SW?wait=60" >"$T/burst-$i" ) &
	burst="$burst $!"
	i=$((i + 1))
done
for p in $burst; do wait "$p"; done
n=$(grep -l '"state":"DELIVERED"' "$T"/burst-* | wc -l)
[ "$n" = 30 ] && pass || fail "$n of 30 concurrent submissions reported DELIVERED"
[ "$(entries "$SG" "msgid like 'burst-%' and event='RECEIVED'")" = 30 ] && pass || fail "30 received once each"
[ "$(entries "$CN" "msgid like 'burst-%' and event='DELIVERED'")" = 30 ] && pass || fail "30 DELIVERED once each"

# ---- a held request is answered when the node stops ----
stop_node "$SG"
api POST "/submit?to=SG-NTP&id=held-1" --data-binary @"$eph"
code 202 "submit while the peer is down"
curl -sS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$LP/status/held-1@CN-SW?wait=60" >"$T/held" &
cpid=$!
# stop once a first attempt has failed and the request is held (/healthz
# counts the held requests)
i=0
until [ "$(entries "$CN" "msgid='held-1@CN-SW' and event='RETRYING'")" -ge 1 ]; do
	i=$((i + 1)); [ $i -gt 400 ] && { fail "held-1 was never tried"; break; }; sleep 0.05
done
i=0
until curl -sS "http://127.0.0.1:$LP/healthz" | grep -q '"held_requests":1'; do
	i=$((i + 1)); [ $i -gt 400 ] && { fail "the status request was never held"; break; }; sleep 0.05
done
# bytes sent on a connection whose reply is held (a pipelined request)
# must not upset the node (libevent 2.1 may treat them as an illegal state)
bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"
printf "GET /status/held-1@CN-SW?wait=60 HTTP/1.1\r\nHost: l\r\nAuthorization: Bearer %s\r\n\r\n" "$2" >&3
i=0
until curl -s "http://127.0.0.1:$1/healthz" | grep -q "\"held_requests\":2"; do
	i=$((i + 1)); [ $i -gt 400 ] && exit 1; sleep 0.05
done
printf "GET /healthz HTTP/1.1\r\nHost: l\r\n\r\n" >&3
: >"$3.sent"
cat <&3 >"$3"' _ "$LP" "$TOKEN" "$T/raw" &
rawpid=$!
i=0
until [ -f "$T/raw.sent" ]; do
	i=$((i + 1)); [ $i -gt 600 ] && { fail "the pipelined request was not sent"; break; }; sleep 0.05
done
CODE=$(curl -sS -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$LP/healthz")
code 200 "the node answers after bytes on a held connection"
has "$T/body" '"held_requests":2' "both requests still held"
# a third held request whose client resets its connection (RST) before the
# stop: the reply to it can never go out, and the stop must not wait for it
python3 - "$LP" "$TOKEN" <<'PY' || fail "the resetting client"
import socket, struct, sys, time, urllib.request
port, token = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
s.sendall(("GET /status/held-1@CN-SW?wait=60 HTTP/1.1\r\nHost: l\r\n"
           "Authorization: Bearer %s\r\n\r\n" % token).encode())
for _ in range(400):
    if b'"held_requests":3' in urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port).read():
        break
    time.sleep(0.05)
else:
    sys.exit(1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PY
stop_node "$CN"
hasnt "$CN.log" "not sent after" "the stop owes no reply to a client that reset its connection"
[ "$RC" = 0 ] && pass || fail "serve exit $RC with a held request"
wait $rawpid
has "$T/raw" '"msgid":"held-1@CN-SW"' "the pipelined connection's held request answered at stop"
wait $cpid && pass || fail "the held request got no reply at stop"
# RETRYING, or SENDING if the stop fell on the next attempt
grep -Eq '"state":"(RETRYING|SENDING)"' "$T/held" && pass ||
	fail "a held request is answered with the state of the stop: $(cat "$T/held")"
has "$T/held" '"last_error"' "with the last error"

# ---- the local listener's connection limit ----
start_node "$SG"
start_node "$CN" --local-workers 2 --local-max-connections 8
LP=$(sed -n 's/^local //p' "$CN.out")
PID=$(cat "$CN.pid")
# 20 connections without a token, each then asking for a status: the 8
# the node takes are answered (401) and stay open, the others are closed
# at once (end of file or a reset instead of an answer)
trap '' PIPE
held=()
for _ in $(seq 1 20); do exec {fd}<>"/dev/tcp/127.0.0.1/$LP" && held+=("$fd"); done
answered=0
for fd in "${held[@]}"; do
	printf 'GET /status/x@y HTTP/1.1\r\nHost: l\r\n\r\n' >&"$fd" 2>/dev/null
	line=
	IFS= read -r line <&"$fd" 2>/dev/null
	case $line in "HTTP/1.1 401 "*) answered=$((answered + 1)) ;; esac
done
[ "$answered" = 8 ] && pass || fail "$answered of 20 connections answered with a limit of 8"
for fd in "${held[@]}"; do exec {fd}<&-; done
# closed now: once the node has seen that, a new connection is answered
i=0
until curl -sS -o "$T/body" "http://127.0.0.1:$LP/healthz" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 200 ] && { fail "the node does not answer after the connections closed"; break; }
	sleep 0.05
done
has "$T/body" '"connections":1' "healthz counts its own connection only"
[ "$(grep -c 'local API: refused a connection' "$CN.log")" = 1 ] && pass ||
	fail "refusals logged $(grep -c 'local API: refused a connection' "$CN.log") times, not once"

# ---- out of descriptors: the listener pauses, the log does not flood,
# ---- and a delivery that cannot open a socket is not an attempt
# With its soft descriptor limit at 3 the node can open nothing new: every
# accept fails (EMFILE), and so does every socket and file a delivery
# needs.  Connection A is open before; B comes while the node is out of
# descriptors and is taken once its limit is back.
# ask FD: the reply to the request just sent on FD, status line and body
ask() {
	status= body=
	IFS= read -r status <&"$1" || return 1
	while IFS= read -r h <&"$1" && [ "$h" != $'\r' ]; do :; done
	IFS= read -r body <&"$1"
	echo "$status $body"
}
until_log() {
	i=0
	until grep -q "$1" "$CN.log"; do i=$((i + 1)); [ $i -gt 200 ] && return 1; sleep 0.05; done
}
soft=$(prlimit --pid "$PID" --nofile --output SOFT --noheadings | tr -d ' ')
exec {a}<>"/dev/tcp/127.0.0.1/$LP"
printf 'GET /healthz HTTP/1.1\r\nHost: l\r\n\r\n' >&"$a"
ask "$a" >"$T/a0"
has "$T/a0" "HTTP/1.1 200" "connection A answers"
prlimit --pid "$PID" --nofile=3: || fail "prlimit"
exec {b}<>"/dev/tcp/127.0.0.1/$LP"
until_log "local API: cannot accept connections" || fail "no accept failure logged in 10 s"
# A still works: a document submitted, and its delivery not attempted
{ printf 'POST /submit?to=SG-NTP&id=emfile-1 HTTP/1.1\r\nHost: l\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n' \
	"$TOKEN" "$(stat -c %s "$eph")"; cat "$eph"; } >&"$a"
ask "$a" >"$T/a1"
has "$T/a1" "HTTP/1.1 202" "connection A submits while the node is out of descriptors"
# (waited for in the outbox, not the log: the log line comes at most once a
# minute, and held-1, still due from before, may be the message that wrote it)
i=0
until sql "$CN" "select last_error from outbox where msgid = 'emfile-1@CN-SW'" | grep -q '^not attempted'; do
	i=$((i + 1)); [ $i -gt 200 ] && { fail "no delivery was tried in 10 s"; break; }; sleep 0.05
done
sql "$CN" "select state, attempts, last_error from outbox where msgid = 'emfile-1@CN-SW'" >"$T/row"
prlimit --pid "$PID" --nofile="$soft": || fail "prlimit back"
printf 'GET /healthz HTTP/1.1\r\nHost: l\r\n\r\n' >&"$b"
ask "$b" >"$T/b"
exec {a}<&- {b}<&-
trap - PIPE
has "$T/b" "HTTP/1.1 200" "the connection that came meanwhile is answered once descriptors are back"
[ "$(grep -c 'local API: cannot accept connections' "$CN.log")" = 1 ] && pass ||
	fail "the accept failure logged $(grep -c 'local API: cannot accept connections' "$CN.log") times, not once"
has "$CN.log" "cannot accept connections: Too many open files" "the log says why"
hasnt "$CN.log" "[warn]" "libevent logged nothing of its own"
has "$T/row" "SUBMITTED|0|not attempted, a problem of this node:" \
	"a delivery without a descriptor is not an attempt, and says why"
[ "$(entries "$CN" "msgid='emfile-1@CN-SW' and event in ('SENT','RETRYING','FAILED')")" = 0 ] && pass ||
	fail "a delivery that could not open a socket was recorded as an attempt"
api GET "/status/emfile-1@CN-SW?wait=60"
has "$T/body" '"state":"DELIVERED"' "delivered once descriptors are back"
has "$T/body" '"attempts":1' "with one attempt, the one that was made"
[ "$(grep -c 'not attempted, a problem of this node' "$CN.log")" = 1 ] && pass ||
	fail "the delivery's local problem logged $(grep -c 'not attempted, a problem of this node' "$CN.log") times, not once"
stop_node "$CN"
[ "$RC" = 0 ] && pass || fail "serve exit $RC after running out of descriptors"
stop_node "$SG"
grep -E "cannot accept|not attempted|refused a connection" "$CN.log" | sed 's/^/  log: /'

# ---- a token others can read is refused ----
chmod 644 "$CN/local.token"
run "$SWNODE" --home "$CN" serve --listen 127.0.0.1:0 --local 127.0.0.1:0
[ "$RC" = 1 ] && pass || fail "serve started with a token file others can read (exit $RC)"
has "$T/err" "chmod 600" "the refusal says what to do"
chmod 600 "$CN/local.token"

# ---- loopback only ----
run "$SWNODE" --home "$CN" serve --listen 127.0.0.1:0 --local 0.0.0.0:0
[ "$RC" = 1 ] && pass || fail "a local API on 0.0.0.0 started (exit $RC)"
has "$T/err" "loopback address only" "the refusal says why"

# ---- a port beyond 65535 in node.xml is refused, not wrapped ----
# (timeout: a node that took the address would serve until stopped)
cp "$CN/node.xml" "$T/node.xml.saved"
sed -i 's/local="[^"]*"/local="127.0.0.1:99999"/' "$CN/node.xml"
run timeout 30 "$SWNODE" --home "$CN" serve --listen 127.0.0.1:0
[ "$RC" = 1 ] && pass || fail "serve started with local port 99999 in node.xml (exit $RC)"
has "$T/err" "the port must be a whole number from 0 to 65535" "the refusal names the port's range"
cp "$T/node.xml.saved" "$CN/node.xml"

finish
