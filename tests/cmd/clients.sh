#!/bin/bash
# Slow and broken clients: idle and trickling connections are closed, one
# address cannot hold more than its share of connections, half-sent
# requests and dropped TLS sessions leave no descriptor or memory behind,
# a body over the limit never sits in memory whole, and strangers holding
# TLS handshakes cannot keep a pinned peer out (docs/security.md).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null && command -v openssl >/dev/null && command -v node >/dev/null ||
	{ echo "FAIL: curl, openssl and node are needed"; exit 1; }

CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
start_node "$SG" --idle-timeout 2 --request-timeout 4
PID=$(cat "$SG.pid")

fds() { ls /proc/"$PID"/fd | wc -l; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/"$PID"/status; }
hwm_kb() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' /proc/"$PID"/status; }
healthy() {
	curl -sS --max-time 10 --cert "$CN/certs/tls.pem" --key "$CN/keys/tls.key" \
		--cacert "$SG/certs/tls.pem" -o "$T/h" "https://127.0.0.1:$PORT_B/healthz" 2>"$T/curl.err" &&
		grep -q ok "$T/h"
}
# tls_client: openssl s_client as CN, reading its input from stdin
tls_client() {
	openssl s_client -quiet -connect "127.0.0.1:$PORT_B" -cert "$CN/certs/tls.pem" \
		-key "$CN/keys/tls.key" -CAfile "$SG/certs/tls.pem" 2>/dev/null
}
# until_true SECONDS CMD...: poll CMD every 0.1 s until it succeeds
until_true() {
	limit=$(($1 * 10))
	shift
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -gt "$limit" ] && return 1
		sleep 0.1
	done
}
log_has() { grep -q "$1" "$SG.log"; }
fds_back() { [ "$(fds)" -le "$FDS0" ]; }

healthy && pass || fail "the node does not answer"
FDS0=$(fds) RSS0=$(rss_kb)
echo "before: $FDS0 descriptors, $RSS0 KB resident"

# ---- a connection that sends nothing is closed ----
exec 3<>"/dev/tcp/127.0.0.1/$PORT_B"
if read -r -t 30 -u 3 _; [ $? -le 128 ]; then pass; else fail "an idle connection was not closed"; fi
exec 3<&-

# ---- a client trickling its request is closed at the request deadline ----
# (one byte every half second: never idle, never done)
( printf 'POST /as4 HTTP/1.1\r\nHost: x\r\n'
  for _ in $(seq 1 120); do printf 'X'; sleep 0.5; done ) | tls_client >"$T/slow.out" &
slow=$!
until_true 30 log_has "no complete request within 4 s" && pass ||
	fail "a trickling client was not closed at the request deadline"
until_true 10 eval '! kill -0 $slow 2>/dev/null' && pass || fail "the trickling client is still connected"
kill "$slow" 2>/dev/null
wait "$slow" 2>/dev/null

# ---- half-sent requests and dropped TLS sessions ----
clients=""
for _ in $(seq 1 20); do
	printf 'POST /as4 HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n<partial' | tls_client >/dev/null &
	clients="$clients $!"
done
for _ in $(seq 1 20); do
	# a handshake cut off: the first bytes of a ClientHello, then gone
	(exec 4<>"/dev/tcp/127.0.0.1/$PORT_B"; printf '\026\003\001\002\000\001\000\001\374\003\003' >&4) &
	clients="$clients $!"
done
for _ in $(seq 1 20); do
	# a session dropped without a word once established
	sleep 5 | openssl s_client -connect "127.0.0.1:$PORT_B" -cert "$CN/certs/tls.pem" \
		-key "$CN/keys/tls.key" -CAfile "$SG/certs/tls.pem" >"$T/drop.out" 2>&1 &
	dropped=$!
	until_true 10 grep -qs "Verify return code" "$T/drop.out" || fail "no TLS session to drop"
	kill -9 "$dropped" 2>/dev/null
done
# (the half-sent ones end when the node closes them)
for p in $clients; do wait "$p" 2>/dev/null; done
healthy && pass || fail "the node does not answer after the broken clients"
# Every connection ends by its deadline: descriptors come back to where they were.
until_true 30 fds_back && pass || fail "descriptors: $FDS0 before, $(fds) after the broken clients"
echo "after: $(fds) descriptors, $(rss_kb) KB resident"

# ---- a body over the limit is refused while it streams in ----
# 100 MB chunked, ten times the agreement's maxMessageBytes: the node
# refuses it once past the limit and never holds it whole.
HWM0=$(hwm_kb)
head -c 100000000 /dev/zero | curl -sS --max-time 60 --cert "$CN/certs/tls.pem" --key "$CN/keys/tls.key" \
	--cacert "$SG/certs/tls.pem" -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/soap+xml' \
	-X POST -T - -o "$T/big" -w '%{http_code}' "https://127.0.0.1:$PORT_B/as4" >"$T/code" 2>/dev/null
[ "$(entries "$SG" "event='REFUSED' and reason like 'HTTP 413%'")" = 1 ] && pass ||
	fail "the 100 MB body was not refused and recorded"
growth=$(( ($(hwm_kb) - HWM0) / 1024 ))
[ "$growth" -lt 40 ] && pass || fail "peak memory grew by $growth MB for a refused 100 MB body"
echo "100 MB body refused (HTTP $(cat "$T/code")); peak resident memory grew by $growth MB"
healthy && pass || fail "the node does not answer after the big body"

# ---- one address holds at most 8 connections ----
# (the node again with its default timeouts, so that none ends by itself)
stop_node "$SG"
start_node "$SG" --max-connections-per-ip 8
PID=$(cat "$SG.pid")
opened=()
for _ in $(seq 1 20); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT_B" && opened+=("$fd")
done
until_true 10 log_has "it has 8 connections open already" && pass || fail "no connection over the limit was refused"
open=0
for fd in "${opened[@]}"; do
	# refused ones were closed by the node (end of file at once); the
	# others wait for their handshake
	if read -r -t 0.5 -u "$fd" _; [ $? -gt 128 ]; then open=$((open + 1)); fi
done
[ "$open" = 8 ] && pass || fail "$open of 20 connections from one address stayed open, expected 8"
for fd in "${opened[@]}"; do exec {fd}<&-; done
echo "20 connections from one address: $open kept open"

healthy && pass || fail "the node does not answer once the flood has gone"

# ---- strangers in the TLS handshake cannot keep a pinned peer out ----
# At most 8 connections in the handshake (3 from one address), for 10 s.
# CN's address has completed a pinned handshake; strangers from four other
# loopback addresses try to hold 16 handshakes.  CN still gets its
# Receipt, and the deadline ends the strangers' handshakes.
stop_node "$SG"
start_node "$SG" --max-handshakes 8 --max-handshakes-per-ip 3 --handshake-timeout 10
LOCAL_B=$(sed -n 's/^local //p' "$SG.out")
health() { curl -sS --max-time 5 "http://127.0.0.1:$LOCAL_B/healthz" 2>/dev/null; }
partner_are() { health | grep -q "\"partner_handshakes\":$1,\"partner_authenticated\":$2}"; }
count_lines() { grep -c "$1" "$2" || true; }
healthy && pass || fail "the node does not answer before the strangers come"
"$SWNODE" --home "$CN" as4 pack --agreement AB "$(ls "$TESTDATA"/eco/*.xml | head -1)" -o "$T/msg.xml" 2>/dev/null ||
	fail "as4 pack"
node "$TOP_SRCDIR/tests/forge/hold-connections.js" "$PORT_B" \
	127.0.0.2:4 127.0.0.3:4 127.0.0.4:4 127.0.0.5:4 >"$T/hold.out" 2>&1 &
holder=$!
NODE_PIDS="$NODE_PIDS $holder"
until_true 20 grep -qs '^done 16' "$T/hold.out" || fail "the strangers could not open their connections"
until_true 10 partner_are 8 0 && pass || fail "the strangers did not fill the handshake pool: $(health)"
until_true 10 log_has "connections are in the TLS handshake, the limit" && pass ||
	fail "no stranger over the handshake limit was refused"
has "$SG.log" "it has 3 connections in the TLS handshake already" "a fourth handshake from one address is refused"
# 8 of the 16 were closed at once
[ "$(count_lines '^closed' "$T/hold.out")" = 8 ] && pass ||
	fail "$(count_lines '^closed' "$T/hold.out") of 16 strangers were closed at once, expected 8"
post "$CN" "$SG" "$PORT_B" "$T/msg.xml"
[ "$RC" = 0 ] && grep -q "Receipt" "$T/reply" && pass ||
	fail "the pinned peer got no Receipt while strangers held the handshakes (curl $RC: $(cat "$T/curl.err"))"
partner_are 8 0 && pass || fail "the strangers were not held all along: $(health)"
# The deadline ends every held handshake.
until_true 30 partner_are 0 0 && pass || fail "the held handshakes were not closed: $(health)"
until_true 10 eval '[ "$(count_lines "^closed" "$T/hold.out")" = 16 ]' && pass ||
	fail "$(count_lines '^closed' "$T/hold.out") of 16 strangers closed"
has "$SG.log" "no TLS handshake within 10 s" "the deadline is logged"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
echo "16 strangers in the handshake: 8 refused at once, 8 held until the deadline; the pinned peer got its Receipt"
grep -E "TLS handshake|refused a connection" "$SG.log" | sed 's/^/  log: /'

# It stops cleanly (under the sanitizers: with nothing leaked).
stop_node "$SG"
[ "$RC" -eq 0 ] && pass || { fail "the node exited $RC"; tail -30 "$SG.log"; }

# ---- every connection slot taken, the node still records and delivers ----
# CN with 80 event loops under a descriptor limit (soft and hard, so that
# serve cannot raise it).  Too small a limit is refused at start; under a
# larger one the listeners' limits are lowered so that, with every slot of
# both listeners taken, CN still has the descriptors to deliver a message
# and record it.  The clients try more connections than any limit the node
# could have chosen (320 pinned, 600 strangers, 250 local).
command -v prlimit >/dev/null || { fail "prlimit is needed"; finish; exit 1; }
# limited FDS: a wrapper that runs swnode with at most FDS descriptors
limited() {
	printf '#!/bin/sh\nexec prlimit --nofile=%s:%s "%s" "$@"\n' "$1" "$1" "$SWNODE" >"$T/limited-$1"
	chmod +x "$T/limited-$1"
	echo "$T/limited-$1"
}
LOOPS="--workers 40 --local-workers 40 --senders 1"
# shellcheck disable=SC2086
: >"$T/small.out"
"$(limited 600)" --home "$CN" serve $LOOPS --listen 127.0.0.1:0 --local 127.0.0.1:0 >"$T/small.out" 2>"$T/small.err" &
small=$!
until_true 20 eval '! kill -0 $small 2>/dev/null || grep -q "^ready" "$T/small.out"'
if kill -0 "$small" 2>/dev/null; then
	fail "serve started under a descriptor limit of 600 with 80 event loops"
	kill "$small"
fi
rc=0
wait "$small" || rc=$?
[ "$rc" = 1 ] && pass || fail "serve exit $rc under too small a descriptor limit, expected 1"
has "$T/small.err" "the descriptor limit is 600 (ulimit -n" "the refusal names the limit"
has "$T/small.err" "raise the limit to" "the refusal says what to do"

start_node "$SG"
# shellcheck disable=SC2086
SWNODE=$(limited 1000) start_node "$CN" $LOOPS --handshake-timeout 60 --request-timeout 60 --idle-timeout 120 \
	--max-handshakes-per-ip 64
PID_A=$(cat "$CN.pid")
LOCAL_A=$(sed -n 's/^local //p' "$CN.out")
cn_has() { grep -q "$1" "$CN.log"; }
limit_of() { sed -n "s/.*$1.*/\\1/p" "$CN.log" | tail -1; }
KEPT=$(limit_of 'descriptor limit 1000, \([0-9]*\) kept for the node')
PARTNER=$(limit_of 'kept for the node: at most \([0-9]*\) connections at once')
LOCAL=$(limit_of 'at most \([0-9]*\) local API connections at once')
HANDSHAKES=$(limit_of 'at most \([0-9]*\) connections in the TLS handshake')
if [ -n "$KEPT" ] && [ -n "$PARTNER" ] && [ -n "$LOCAL" ] && [ -n "$HANDSHAKES" ]; then
	pass
else
	fail "the limits lowered to fit 1000 descriptors were not logged"; grep 'at most' "$CN.log"
	KEPT=1000 PARTNER=0 LOCAL=0 HANDSHAKES=0
fi
[ $((KEPT + PARTNER + LOCAL)) -le 1000 ] && pass ||
	fail "$KEPT kept for the node, $PARTNER partner and $LOCAL local connections: over 1000"
echo "descriptor limit 1000: $KEPT kept for the node, $PARTNER partner connections ($HANDSHAKES in the handshake), $LOCAL local"
# SG's TLS identity, pinned by CN, from five addresses: the room kept for
# pinned peers; then strangers from ten: the handshake pool; then the
# local API.
node "$TOP_SRCDIR/tests/forge/hold-connections.js" "$PORT_A" --tls "$SG/certs/tls.pem" "$SG/keys/tls.key" \
	127.0.1.1:64 127.0.1.2:64 127.0.1.3:64 127.0.1.4:64 127.0.1.5:64 >"$T/pinned.out" 2>&1 &
NODE_PIDS="$NODE_PIDS $!"
until_true 60 grep -qs '^done 320' "$T/pinned.out" || fail "the pinned connections were not all tried"
node "$TOP_SRCDIR/tests/forge/hold-connections.js" "$PORT_A" 127.0.2.1:60 127.0.2.2:60 127.0.2.3:60 \
	127.0.2.4:60 127.0.2.5:60 127.0.2.6:60 127.0.2.7:60 127.0.2.8:60 127.0.2.9:60 127.0.2.10:60 \
	>"$T/strangers.out" 2>&1 &
NODE_PIDS="$NODE_PIDS $!"
until_true 60 grep -qs '^done 600' "$T/strangers.out" || fail "the strangers' connections were not all tried"
health_a() { curl -sS --max-time 5 "http://127.0.0.1:$LOCAL_A/healthz" 2>/dev/null; }
full="\"partner_handshakes\":$HANDSHAKES,\"partner_authenticated\":$((PARTNER - HANDSHAKES))}"
until_true 10 eval 'health_a | grep -qF "$full"' && pass ||
	fail "the partner listener is not full: $(health_a), expected $full"
locals=()
for _ in $(seq 1 250); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$LOCAL_A" && locals+=("$fd")
done
until_true 10 cn_has "local API: refused a connection: $LOCAL are open" && pass || fail "the local API is not full"
echo "every slot taken: $(ls /proc/"$PID_A"/fd | wc -l) of 1000 descriptors in use"
run "$SWNODE" --home "$CN" send "$(ls "$TESTDATA"/eco/*.xml | head -1)" --to SG-NTP --wait 60
[ "$RC" = 0 ] && pass || fail "CN did not deliver with every connection slot taken: $(cat "$T/err")"
hasnt "$CN.log" "Too many open files" "CN never ran out of descriptors"
for fd in "${locals[@]}"; do exec {fd}<&-; done
stop_node "$CN"
[ "$RC" -eq 0 ] && pass || { fail "the limited node exited $RC"; tail -30 "$CN.log"; }
stop_node "$SG"
finish
