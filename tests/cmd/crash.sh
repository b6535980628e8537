#!/bin/bash
# Crash safety (docs/exchange.md): documents are submitted while the
# sending node delivers them, and the sending node is killed with SIGKILL
# at random moments and restarted; then the same with the receiving node.
# Every submitted document arrives exactly once: one RECEIVED entry per
# MessageId at the receiver, and the documents in its spool/in are exactly
# the documents submitted.
. "$(dirname "$0")/lib.sh"

N=${CRASH_DOCS:-30}      # documents per scenario
KILLS=${CRASH_KILLS:-6}  # SIGKILLs per scenario
CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
# Retry every second, 50 times: restarts never exhaust the schedule.
ones=$(printf '1 %.0s' $(seq 50))
for h in "$CN" "$SG"; do
	sed -i "s/intervals=\"[^\"]*\"/intervals=\"${ones% }\"/" "$h/peers/AB.xml"
done

# N certificates of origin, each with its own number (so its own digest).
mkdir "$T/docs"
eco=$(ls "$TESTDATA"/eco/*.xml | head -1)
for S in A B C D; do
	for k in $(seq -w 1 "$N"); do
		sed "s|<CertificateNumber>[^<]*<|<CertificateNumber>C2431000CR$S$k<|" "$eco" >"$T/docs/$S$k.xml"
	done
done
expect 0 "the generated documents are valid" "$SWNODE" validate "$T"/docs/*.xml || { finish; exit 1; }

# digests FILE...: the SHA-256 of each file's canonical XML, sorted
digests() {
	for f in "$@"; do canon "$f" | sha256sum | cut -c1-64; done | sort
}

# submitted: this scenario's MessageIds (submitted after seq $FROM)
submitted() {
	sql "$CN" "select msgid from entries where direction='out' and event='SUBMITTED' and seq > $FROM"
}

# delivered: how many of this scenario's messages are DELIVERED
delivered() {
	sql "$CN" "select count(*) from outbox where state='DELIVERED' and msgid in
		(select msgid from entries where direction='out' and event='SUBMITTED' and seq > $FROM)"
}

# killer VICTIM-HOME: SIGKILL the victim KILLS times, each time after a
# random number of further deliveries and a random extra delay, and
# restart it (at once, whatever state it was in)
killer() {
	for r in $(seq "$KILLS"); do
		target=$(( $(delivered) + 1 + RANDOM % (N / KILLS) ))
		[ "$target" -gt "$N" ] && target=$N
		i=0
		until [ "$(delivered)" -ge "$target" ] || [ -s "$T/send-errors" ]; do
			i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1
		done
		sleep "0.$((RANDOM % 4))"   # a random point in what follows
		pid=$(cat "$1.pid")
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		echo "killed $(basename "$1") after $(delivered) deliveries" >>"$T/kills"
		start_node "$1"
	done
}

# submit_send SET HALF: send the set's documents of one half (k % 2),
# one swnode send each
submit_send() {
	for f in "$T"/docs/$1*.xml; do
		k=$(basename "$f" .xml); k=${k#$1}
		[ $(( 10#$k % 2 )) -eq "$2" ] || continue
		"$SWNODE" --home "$CN" send "$f" --to SG-NTP >"$T/send.$1$k" 2>&1 ||
			echo "send $f failed: $(cat "$T/send.$1$k")" >>"$T/send-errors"
		head -1 "$T/send.$1$k" >>"$T/ids.$1"
	done
}

# submit_spool SET HALF: drop the documents into spool/out/SG-NTP instead
# (written under a hidden name, then renamed, as documented)
submit_spool() {
	mkdir -p "$CN/spool/out/SG-NTP"
	for f in "$T"/docs/$1*.xml; do
		k=$(basename "$f" .xml); k=${k#$1}
		[ $(( 10#$k % 2 )) -eq "$2" ] || continue
		cp "$f" "$CN/spool/out/SG-NTP/.$1$k.xml" && mv "$CN/spool/out/SG-NTP/.$1$k.xml" "$CN/spool/out/SG-NTP/$1$k.xml"
		sleep 0.0$((RANDOM % 10))   # files arrive spread over the kills
	done
}

# scenario NAME VICTIM-HOME SET HOW: submit set SET's documents (HOW:
# send or spool) while the victim is killed and restarted, then check
# exactly-once delivery
scenario() {
	name=$1 victim=$2 set=$3 how=$4
	: >"$T/ids.$set"
	: >"$T/kills"
	FROM=$(sql "$CN" "select coalesce(max(seq), 0) from entries")
	before=$(entries "$SG" "event='RECEIVED'")
	# Submissions run in two concurrent streams while the killer works.
	submit_$how "$set" 0 &
	sub0=$!
	submit_$how "$set" 1 &
	sub1=$!
	killer "$victim"
	wait "$sub0" "$sub1"
	if [ -s "$T/send-errors" ]; then fail "$name: submissions failed"; cat "$T/send-errors"; fi
	if [ "$how" = spool ]; then
		i=0
		until [ "$(submitted | wc -l)" -ge "$N" ] && [ -z "$(ls -A "$CN/spool/out/SG-NTP")" ]; do
			i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1
		done
		[ -z "$(ls -A "$CN/spool/out/SG-NTP")" ] && pass || { fail "$name: left in spool/out"; ls -A "$CN/spool/out/SG-NTP"; }
		[ -z "$(ls -A "$CN/spool/failed")" ] && pass || { fail "$name: spool/failed"; cat "$CN/spool/failed/"*.reason; }
		submitted >"$T/ids.$set"
	else
		submitted | sort >"$T/ledger-ids"
		sort "$T/ids.$set" | same - "$T/ledger-ids" "$name: the MessageIds send printed are the ones submitted"
	fi
	[ "$(sort -u "$T/ids.$set" | wc -l)" -eq "$N" ] && pass || fail "$name: $(sort -u "$T/ids.$set" | wc -l) MessageIds for $N documents"
	sed 's/^/  /' "$T/kills"
	[ "$(wc -l <"$T/kills")" -eq "$KILLS" ] && pass || fail "$name: $KILLS kills"
	i=0
	until [ "$(delivered)" -eq "$N" ]; do
		i=$((i + 1)); [ $i -gt 1200 ] && break; sleep 0.1
	done
	[ "$(delivered)" -eq "$N" ] && pass || fail "$name: $(delivered) of $N delivered"
	while read -r id; do
		[ "$(entries "$SG" "msgid='$id' and event='RECEIVED'")" = 1 ] && pass || fail "$name: $id not received exactly once"
		[ "$(entries "$CN" "msgid='$id' and event='SUBMITTED'")" = 1 ] && pass || fail "$name: $id submitted once"
		[ "$(entries "$CN" "msgid='$id' and event='DELIVERED'")" = 1 ] && pass || fail "$name: $id DELIVERED once in the sender's ledger"
	done <"$T/ids.$set"
	[ "$(entries "$SG" "event='RECEIVED'")" -eq $((before + N)) ] && pass ||
		fail "$name: the receiver recorded $(( $(entries "$SG" "event='RECEIVED'") - before )) messages, not $N"
	# Every received document is placed in spool/in (after a restart at the
	# latest, by redelivery), once; the set of documents is the set sent.
	i=0
	until [ "$(entries "$SG" "event='DELIVERED_LOCAL'")" -ge $((before + N)) ]; do
		i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1
	done
	files=""
	while read -r id; do
		f=$(placed_file "$SG" "$id")
		[ "$(echo "$f" | grep -c .)" = 1 ] && [ -f "$f" ] && pass || { fail "$name: $id placed in spool/in once: '$f'"; continue; }
		files="$files $f"
	done <"$T/ids.$set"
	# shellcheck disable=SC2086
	digests $files >"$T/got.$set"
	digests "$T"/docs/$set*.xml >"$T/want.$set"
	same "$T/want.$set" "$T/got.$set" "$name: the documents in spool/in are the documents submitted"
	# Nothing else either: no copy, and no unfinished file left by a kill;
	# each document with its international form and loss report beside it.
	n=$(ls -A "$SG/spool/in" | wc -l)
	[ "$n" -eq "$((3 * $(entries "$SG" "event='RECEIVED'")))" ] &&
	[ "$(ls -A "$SG/spool/in" | grep -c '\.international$')" -eq "$(ls -A "$SG/spool/in" | grep -c '\.loss-report$')" ] && pass ||
		{ fail "$name: $n files in spool/in for $(entries "$SG" "event='RECEIVED'") messages"; ls -A "$SG/spool/in"; }
}

start_node "$CN"
start_node "$SG"
scenario "sender killed" "$CN" A send
scenario "receiver killed" "$SG" B send
scenario "sender killed, spool" "$CN" C spool

# A crash between claiming a spool file and submitting it, and one
# between submitting it and removing it: each document is sent once.
stop_node "$CN"
FROM=$(sql "$CN" "select coalesce(max(seq), 0) from entries")
u1=11111111-2222-4333-8444-$(printf '%012d' $$)
u2=11111111-2222-4333-8444-$(printf '%012d' $((RANDOM)))
cp "$T/docs/D01.xml" "$CN/spool/out/SG-NTP/.claim-$u1-D01.xml"
cp "$T/docs/D02.xml" "$CN/spool/out/SG-NTP/.claim-$u2-D02.xml"
start_node "$CN"
i=0
until [ "$(delivered)" -eq 2 ]; do i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1; done
[ "$(delivered)" -eq 2 ] && pass || fail "claimed spool files not delivered"
[ "$(entries "$CN" "msgid='$u1@CN-SW' and event='SUBMITTED'")" = 1 ] && pass || fail "a claim is submitted under its token"
[ -z "$(ls -A "$CN/spool/out/SG-NTP")" ] && pass || fail "claims left in spool/out"
stop_node "$CN"
cp "$T/docs/D01.xml" "$CN/spool/out/SG-NTP/.claim-$u1-D01.xml"
start_node "$CN"
i=0
until [ -z "$(ls -A "$CN/spool/out/SG-NTP")" ]; do i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1; done
[ -z "$(ls -A "$CN/spool/out/SG-NTP")" ] && pass || fail "a claim already submitted is left in spool/out"
[ "$(submitted | wc -l)" = 2 ] && pass || fail "a claim already submitted was submitted again"
[ "$(entries "$SG" "msgid='$u1@CN-SW' and event='RECEIVED'")" = 1 ] && pass || fail "$u1 received once"

grep -h "unfinished files" "$CN.log" "$SG.log" | sed 's/^/  /'
for h in "$CN" "$SG"; do
	expect 0 "ledger verify after the crashes ($(basename "$h"))" "$SWNODE" --home "$h" ledger verify
done
stop_node "$CN"
stop_node "$SG"
finish
