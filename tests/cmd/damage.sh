#!/bin/bash
# A damaged ledger is found when the node starts (docs/ledger.md, Damage):
# a damaged page in the middle of ledger.db (PRAGMA quick_check at serve),
# and a damaged frame of the write-ahead log that SQLite itself would skip
# silently, losing the committed entries after it (checked at every open).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }

CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
start_node "$CN"
start_node "$SG"
for f in "$TESTDATA"/eco/*.xml; do
	expect 0 "send $(basename "$f")" "$SWNODE" --home "$CN" send "$f" --to SG-NTP --wait 60
done

# poke FILE OFFSET: overwrite 64 bytes at OFFSET with a pattern
poke() {
	printf 'DAMAGED%.0s' $(seq 10) | head -c 64 | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# ---- a page in the middle of ledger.db ----
stop_node "$SG"
sql "$SG" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
[ ! -s "$SG/ledger.db-wal" ] && pass || fail "the log was not checkpointed"
cp "$SG/ledger.db" "$T/sg-good.db"
psize=$(sql "$SG" "PRAGMA page_size")
pages=$(sql "$SG" "PRAGMA page_count")
[ "$pages" -ge 20 ] && pass || fail "only $pages pages"
expect 0 "the ledger verifies before the damage" "$SWNODE" --home "$SG" ledger verify
# The page of the evidence table's b-tree in the middle of its pages.
mid=$(sql "$SG" "select pageno from dbstat where name='evidence' and pagetype='leaf' order by pageno" |
	awk '{ p[NR] = $1 } END { print p[int((NR + 1) / 2)] }')
[ -n "$mid" ] && pass || fail "no page of the evidence table"
poke "$SG/ledger.db" $(( (mid - 1) * psize + 8 ))
run "$SWNODE" --home "$SG" serve --listen 127.0.0.1:0
[ "$RC" -eq 1 ] && pass || fail "a node started on a damaged ledger (exit $RC)"
cat "$T/err"
has "$T/err" "$SG/ledger.db: the ledger database is damaged" "the refusal names the file"
has "$T/err" "restore it from a backup" "the refusal says what to do"
hasnt "$T/out" "ready" "nothing served"
cp "$T/sg-good.db" "$SG/ledger.db"
start_node "$SG"
expect 0 "a sound ledger serves again" "$SWNODE" --home "$CN" send "$(ls "$TESTDATA"/eco/*.xml | head -1)" --to SG-NTP --wait 60

# ---- a frame of the write-ahead log ----
# Killed, the node leaves its log behind, with the last entries only there.
for f in $(ls "$TESTDATA"/ephyto/*.xml | head -3); do
	expect 0 "send $(basename "$f")" "$SWNODE" --home "$CN" send "$f" --to SG-NTP --wait 60
done
kill -KILL "$(cat "$SG.pid")"
wait "$(cat "$SG.pid")" 2>/dev/null
frames=$(( ($(stat -c %s "$SG/ledger.db-wal") - 32) / (psize + 24) ))
[ "$frames" -ge 4 ] && pass || fail "only $frames frames in the log"
mkdir "$T/copy"
cp "$SG/ledger.db" "$SG/ledger.db-wal" "$T/copy/"
all=$(sqlite3 "$T/copy/ledger.db" "select count(*) from entries")
# The second frame's page: a frame that committed transactions follow.
poke "$SG/ledger.db-wal" $(( 32 + (psize + 24) + 24 + 100 ))
rm -f "$T/copy/"*
cp "$SG/ledger.db" "$SG/ledger.db-wal" "$T/copy/"
left=$(sqlite3 "$T/copy/ledger.db" "select count(*) from entries")
[ "$left" -lt "$all" ] && pass || fail "SQLite alone would read $left of $all entries"
echo "  SQLite alone, on a copy: $left of $all entries readable, without an error"
run "$SWNODE" --home "$SG" serve --listen 127.0.0.1:0
[ "$RC" -eq 1 ] && pass || fail "a node started on a damaged log (exit $RC)"
cat "$T/err"
has "$T/err" "$SG/ledger.db-wal: the ledger's write-ahead log is damaged (frame 2 of" "the refusal names the log and frame"
has "$T/err" "restore from a backup" "the refusal says what to do"
expect 1 "send refuses the damaged log too" "$SWNODE" --home "$SG" send "$(ls "$TESTDATA"/eco/*.xml | head -1)" --to CN-SW
has "$T/err" "write-ahead log is damaged" "send explains"
# The log was left as it was: the evidence of the damage is kept.
[ "$(stat -c %s "$SG/ledger.db-wal")" -ge $(( 32 + frames * (psize + 24) )) ] && pass || fail "the damaged log was changed"

# ---- a crash in the middle of the last transaction is not damage ----
# (the last frame torn: SQLite rightly drops an unacknowledged transaction)
rm -f "$SG/ledger.db-wal" "$SG/ledger.db-shm"
cp "$T/sg-good.db" "$SG/ledger.db"
start_node "$SG"
expect 0 "send one more" "$SWNODE" --home "$CN" send "$(ls "$TESTDATA"/eco/*.xml | head -1)" --to SG-NTP --wait 60
kill -KILL "$(cat "$SG.pid")"
wait "$(cat "$SG.pid")" 2>/dev/null
size=$(stat -c %s "$SG/ledger.db-wal")
poke "$SG/ledger.db-wal" $(( size - psize / 2 ))
start_node "$SG"
has "$SG.out" "ready" "a torn last transaction does not stop the node"
stop_node "$CN"
stop_node "$SG"
finish
