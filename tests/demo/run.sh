#!/bin/bash
# The quick start's main job: two nodes for two countries on loopback
# exchange certificate bundles, set up an agreement, and exchange documents
# of every family in both directions as signed AS4 messages over mutual TLS;
# then each message's state and ledger entries on both sides are printed.
#
#   run.sh SWNODE SCHEMAS TESTDATA [WORKDIR]
#
# WORKDIR (default ./demo) is emptied first and left behind for inspection.
set -eu
SWNODE=$1
SWNODE_SCHEMAS=$2
DATA=$3
W=${4:-demo}
export SWNODE_SCHEMAS
unset SWNODE_HOME

rm -rf "$W"
mkdir -p "$W/international" "$W/domestic"
CN=$W/cn SG=$W/sg
pids=""
trap 'for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done' EXIT

# A port nothing listens on, below the ephemeral range (see tests/cmd/lib.sh).
free_port() {
	local lo p
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$lo" -gt 11024 ] 2>/dev/null || lo=32768
	p=$(( 10000 + ($$ * 16 + $1 * 997) % (lo - 10000 - 16) ))
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}

start() {
	"$SWNODE" --home "$1" serve --workers 2 >"$1.out" 2>"$1.log" &
	pids="$pids $!"
	echo $! >"$1.pid"
	for _ in $(seq 400); do grep -q '^ready' "$1.out" && return 0; sleep 0.05; done
	echo "node $1 did not start:"; cat "$1.log"; return 1
}

# One document family each: a doctype sharing an earlier one's domestic
# form (a partner's form of the same document) is shown by its own test.
types=$("$SWNODE" doctypes | awk -F'\t' '
	NF == 2 { cur = $1; next }
	/^  domestic/ && !($0 in seen) { seen[$0] = 1; print cur }')
pcn=$(free_port 0) psg=$(free_port 1) lcn=$(free_port 2) lsg=$(free_port 3)

echo "== two nodes: CN-SW (China, ECDSA P-256) and SG-NTP (Singapore, RSA-2048) on 127.0.0.1"
"$SWNODE" init --home "$CN" --party-id CN-SW --org "China International Trade Single Window" \
	--country CN --endpoint "https://127.0.0.1:$pcn/as4" --listen "127.0.0.1:$pcn" --local "127.0.0.1:$lcn" | sed 's/^/  /'
"$SWNODE" init --home "$SG" --party-id SG-NTP --org "Singapore TradeNet" --country SG \
	--key rsa-2048 --endpoint "https://127.0.0.1:$psg/as4" --listen "127.0.0.1:$psg" --local "127.0.0.1:$lsg" | sed 's/^/  /'

echo
echo "== certificate bundles exchanged, agreements written and checked"
"$SWNODE" --home "$CN" cert export -o "$W/CN-SW.bundle.xml"
"$SWNODE" --home "$SG" cert export -o "$W/SG-NTP.bundle.xml"
"$SWNODE" --home "$CN" peer import "$W/SG-NTP.bundle.xml" --agreement-id CN-SG-DEMO | sed 's/^/  /'
"$SWNODE" --home "$SG" peer import "$W/CN-SW.bundle.xml" --agreement-id CN-SG-DEMO | sed 's/^/  /'
echo "  (a real deployment confirms the fingerprints by a second channel first)"
sed -i 's/status="draft"/status="active"/' "$CN/peers/CN-SG-DEMO.xml" "$SG/peers/CN-SG-DEMO.xml"
"$SWNODE" --home "$CN" peer check | sed 's/^/  /'
"$SWNODE" --home "$SG" peer check | sed 's/^/  /'

echo
echo "== both nodes serving"
start "$CN"
start "$SG"
echo "  CN-SW on port $pcn, SG-NTP on port $psg"

echo
echo "== documents of every family, both ways"
printf '  %-20s %-28s %-10s %-46s %s\n' TYPE DOCUMENT DIRECTION MESSAGE STATE
ok=0 bad=0 sent=""
for type in $types; do
	f=$(ls "$DATA/$type"/*.xml | sed -n 2p)
	for dir in CN-SG SG-CN; do
		if [ "$dir" = CN-SG ]; then from=$CN to=SG-NTP; else from=$SG to=CN-SW; fi
		state=FAILED
		msg=$("$SWNODE" --home "$from" send "$f" --to "$to" --wait 60 2>"$W/send.err") && state=DELIVERED
		printf '  %-20s %-28s %-10s %-46s %s\n' "$type" "$(basename "$f" .xml)" "$dir" "$msg" "$state"
		if [ "$state" = DELIVERED ]; then ok=$((ok + 1)); sent="$sent $dir:$msg"; else bad=$((bad + 1)); cat "$W/send.err"; fi
	done
done

echo
echo "== a domestic system submits through CN-SW's local API (POST /submit, then GET /status?wait=60)"
tok=$(cat "$CN/local.token")
reply=$(curl -sS -H "Authorization: Bearer $tok" -H "Content-Type: application/xml" \
	--data-binary @"$f" "http://127.0.0.1:$lcn/submit?to=SG-NTP" 2>&1) || true
echo "  POST /submit?to=SG-NTP  $(basename "$f"): $reply"
msg=$(printf '%s' "$reply" | sed -n 's/.*"msgid":"\([^"]*\)".*/\1/p')
reply=$(curl -sS -H "Authorization: Bearer $tok" "http://127.0.0.1:$lcn/status/$msg?wait=60" 2>&1) || true
echo "  GET /status/$msg?wait=60: $reply"
case $reply in
*'"state":"DELIVERED"'*) ok=$((ok + 1)); sent="$sent CN-SG:$msg" ;;
*) bad=$((bad + 1)) ;;
esac

echo
echo "== each message as both ledgers record it"
for m in $sent; do
	dir=${m%%:*} msg=${m#*:}
	if [ "$dir" = CN-SG ]; then a=$CN b=$SG; else a=$SG b=$CN; fi
	echo "-- sender $(basename "$a"):"
	"$SWNODE" --home "$a" status "$msg" | sed 's/^/  /'
	echo "-- receiver $(basename "$b"):"
	"$SWNODE" --home "$b" status "$msg" | sed 's/^/  /'
done

echo
echo "== the document pipeline on every sample (domestic -> international -> domestic)"
printf '  %-22s %-36s %-16s %s\n' TYPE DOCUMENT INTERNATIONAL ROUNDTRIP
rok=0 rbad=0
for type in $types; do
	for f in "$DATA/$type"/*.xml; do
		b=$(basename "$f" .xml)
		i=$W/international/$type-$b.xml
		d=$W/domestic/$type-$b.xml
		r1=refused r3=-
		if "$SWNODE" map --to international "$f" -o "$i" 2>"$W/err"; then
			r1="valid ($(wc -c <"$i")B)"
			if "$SWNODE" map --to domestic "$i" -o "$d" 2>>"$W/err"; then
				a=$(xmllint --noblanks "$f" | xmllint --exc-c14n - | sha256sum)
				z=$(xmllint --noblanks "$d" | xmllint --exc-c14n - | sha256sum)
				if [ "$a" = "$z" ]; then r3=identical; else r3=DIFFERENT; fi
			fi
		fi
		printf '  %-22s %-36s %-16s %s\n' "$type" "$b" "$r1" "$r3"
		if [ "$r3" = identical ]; then rok=$((rok + 1)); else rbad=$((rbad + 1)); cat "$W/err"; fi
	done
done

for h in "$CN" "$SG"; do kill -TERM "$(cat "$h.pid")"; wait "$(cat "$h.pid")" || true; done
pids=""
echo
echo "$ok messages delivered, $bad failed; $rok documents mapped to the international form and back unchanged, $rbad failed"
echo "the nodes are in $CN and $SG (logs: $CN.log, $SG.log)"
[ "$bad" -eq 0 ] && [ "$rbad" -eq 0 ]
