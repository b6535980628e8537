#!/bin/bash
# A peer that is down for minutes (docs/exchange.md): messages submitted
# meanwhile are retried on the agreement's schedule throughout the outage
# and the whole backlog arrives, exactly once, when the peer returns.
. "$(dirname "$0")/lib.sh"

OUTAGE=${OUTAGE_SECONDS:-120}   # how long the receiver stays down
N=6
CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
# A retry every 5 s, 50 times: about four minutes of tries.
fives=$(printf '5 %.0s' $(seq 50))
sed -i "s/intervals=\"[^\"]*\"/intervals=\"${fives% }\"/" "$CN/peers/AB.xml"

mkdir "$T/docs"
eco=$(ls "$TESTDATA"/eco/*.xml | head -1)
for k in $(seq -w 1 "$N"); do
	sed "s|<CertificateNumber>[^<]*<|<CertificateNumber>C2431000OUT$k<|" "$eco" >"$T/docs/$k.xml"
done
expect 0 "the generated documents are valid" "$SWNODE" validate "$T"/docs/*.xml || { finish; exit 1; }

start_node "$CN"
start_node "$SG"
stop_node "$SG"
down=$(date +%s)
: >"$T/ids"
for f in "$T"/docs/*.xml; do
	expect 0 "submit $(basename "$f") while the peer is down" "$SWNODE" --home "$CN" send "$f" --to SG-NTP
	head -1 "$T/out" >>"$T/ids"
done

# The outage itself: the peer stays down this long, whatever happens.
while [ $(( $(date +%s) - down )) -lt "$OUTAGE" ]; do sleep 1; done
while read -r id; do
	n=$(entries "$CN" "msgid='$id' and event='RETRYING'")
	[ "$n" -ge 3 ] && pass || fail "$id: $n tries during a ${OUTAGE}s outage"
	[ "$(sql "$CN" "select state from outbox where msgid='$id'")" = RETRYING ] && pass || fail "$id gave up during the outage"
done <"$T/ids"
[ "$(entries "$SG" "event='RECEIVED'")" = 0 ] && pass || fail "something arrived while the peer was down"

start_node "$SG"
while read -r id; do
	i=0
	until [ "$(sql "$CN" "select state from outbox where msgid='$id'")" = DELIVERED ]; do
		i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1
	done
	[ "$(sql "$CN" "select state from outbox where msgid='$id'")" = DELIVERED ] && pass || fail "$id not delivered after the outage"
	[ "$(entries "$SG" "msgid='$id' and event='RECEIVED'")" = 1 ] && pass || fail "$id not received exactly once"
done <"$T/ids"
[ "$(entries "$SG" "event='RECEIVED'")" = "$N" ] && pass || fail "the receiver recorded $(entries "$SG" "event='RECEIVED'") messages, not $N"
i=0
until [ "$(entries "$SG" "event='DELIVERED_LOCAL'")" -ge "$N" ]; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
for f in "$T"/docs/*.xml; do canon "$f" | sha256sum; done | sort >"$T/want"
for f in "$SG"/spool/in/*.xml; do canon "$f" | sha256sum; done | sort >"$T/got"
same "$T/want" "$T/got" "the documents in spool/in are the backlog, once each"
stop_node "$CN"
stop_node "$SG"
finish
