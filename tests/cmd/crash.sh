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
for S in A B; do
	for k in $(seq -w 1 "$N"); do
		sed "s|<CertificateNumber>[^<]*<|<CertificateNumber>C2431000CR$S$k<|" "$eco" >"$T/docs/$S$k.xml"
	done
done
expect 0 "the generated documents are valid" "$SWNODE" validate "$T"/docs/*.xml || { finish; exit 1; }

# digests FILE...: the SHA-256 of each file's canonical XML, sorted
digests() {
	for f in "$@"; do canon "$f" | sha256sum | cut -c1-64; done | sort
}

# delivered HOME MSGIDS-FILE: how many of the messages are DELIVERED
delivered() {
	n=0
	while read -r id; do
		[ "$(sql "$1" "select state from outbox where msgid='$id'")" = DELIVERED ] && n=$((n + 1))
	done <"$2"
	echo "$n"
}

# killer VICTIM-HOME MSGIDS-FILE: SIGKILL the victim KILLS times, each time
# after a random number of further deliveries and a random extra delay,
# and restart it (started again at once, whatever state it was in)
killer() {
	for r in $(seq "$KILLS"); do
		target=$(( $(delivered "$CN" "$2") + 1 + RANDOM % (N / KILLS) ))
		[ "$target" -gt "$N" ] && target=$N
		i=0
		until [ "$(delivered "$CN" "$2")" -ge "$target" ] || [ "$(wc -l <"$2")" -lt "$target" ] ||
		      [ -s "$T/send-errors" ]; do
			i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1
		done
		sleep "0.$((RANDOM % 4))"   # a random point in what follows
		pid=$(cat "$1.pid")
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		echo "killed $(basename "$1") after $(delivered "$CN" "$2") deliveries" >>"$T/kills"
		start_node "$1"
	done
}

# scenario NAME VICTIM-HOME SET: submit set SET's documents while the
# victim is killed and restarted, then check exactly-once delivery
scenario() {
	name=$1 victim=$2 set=$3
	: >"$T/ids.$set"
	: >"$T/kills"
	before=$(entries "$SG" "event='RECEIVED'")
	# Submissions run in two concurrent streams while the killer works.
	for half in 0 1; do
		(
			for f in "$T"/docs/$set*.xml; do
				k=$(basename "$f" .xml); k=${k#$set}
				[ $(( 10#$k % 2 )) -eq "$half" ] || continue
				"$SWNODE" --home "$CN" send "$f" --to SG-NTP >"$T/send.$set$k" 2>&1 ||
					echo "send $f failed: $(cat "$T/send.$set$k")" >>"$T/send-errors"
				echo "$(head -1 "$T/send.$set$k") $f" >>"$T/sent.$set"
				head -1 "$T/send.$set$k" >>"$T/ids.$set"
			done
		) &
		eval "sub$half=\$!"
	done
	killer "$victim" "$T/ids.$set"
	wait "$sub0" "$sub1"
	if [ -s "$T/send-errors" ]; then fail "$name: submissions failed"; cat "$T/send-errors"; fi
	[ "$(sort -u "$T/ids.$set" | wc -l)" -eq "$N" ] && pass || fail "$name: $N distinct MessageIds"
	sed 's/^/  /' "$T/kills"
	[ "$(wc -l <"$T/kills")" -eq "$KILLS" ] && pass || fail "$name: $KILLS kills"
	i=0
	until [ "$(delivered "$CN" "$T/ids.$set")" -eq "$N" ]; do
		i=$((i + 1)); [ $i -gt 1200 ] && break; sleep 0.1
	done
	[ "$(delivered "$CN" "$T/ids.$set")" -eq "$N" ] && pass ||
		fail "$name: $(delivered "$CN" "$T/ids.$set") of $N delivered"
	while read -r id; do
		[ "$(entries "$SG" "msgid='$id' and event='RECEIVED'")" = 1 ] && pass || fail "$name: $id not received exactly once"
		[ "$(entries "$CN" "msgid='$id' and event='SUBMITTED'")" = 1 ] && pass || fail "$name: $id submitted once"
		[ "$(entries "$CN" "msgid='$id' and event='DELIVERED'")" -ge 1 ] && pass || fail "$name: $id DELIVERED in the sender's ledger"
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
		f=$(sql "$SG" "select reason from entries where msgid='$id' and event='DELIVERED_LOCAL'")
		[ "$(echo "$f" | grep -c .)" = 1 ] && [ -f "$f" ] && pass || { fail "$name: $id placed in spool/in once: '$f'"; continue; }
		files="$files $f"
	done <"$T/ids.$set"
	# shellcheck disable=SC2086
	digests $files >"$T/got.$set"
	digests "$T"/docs/$set*.xml >"$T/want.$set"
	same "$T/want.$set" "$T/got.$set" "$name: the documents in spool/in are the documents submitted"
	# Nothing else either: no copy, and no unfinished file left by a kill.
	n=$(ls -A "$SG/spool/in" | wc -l)
	[ "$n" -eq "$(entries "$SG" "event='RECEIVED'")" ] && pass ||
		{ fail "$name: $n files in spool/in for $(entries "$SG" "event='RECEIVED'") messages"; ls -A "$SG/spool/in"; }
}

start_node "$CN"
start_node "$SG"
scenario "sender killed" "$CN" A
scenario "receiver killed" "$SG" B

grep -h "unfinished files" "$CN.log" "$SG.log" | sed 's/^/  /'
for h in "$CN" "$SG"; do
	expect 0 "ledger verify after the crashes ($(basename "$h"))" "$SWNODE" --home "$h" ledger verify
done
stop_node "$CN"
stop_node "$SG"
finish
