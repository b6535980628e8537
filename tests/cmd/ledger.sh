#!/bin/sh
# The auditable ledger: checkpoints, proofs, verification, and tampering
# done with the sqlite3 command caught and named.
. "$(dirname "$0")/lib.sh"

H=$T/cn
newnode "$H" CN-SW
newnode "$T/sg" SG-NTP --endpoint https://127.0.0.1:9/as4
"$SWNODE" --home "$T/sg" cert export -o "$T/sg.bundle" 2>/dev/null
"$SWNODE" --home "$H" peer import "$T/sg.bundle" --agreement-id AB --profile body >/dev/null
sed -i 's/status="draft"/status="active"/' "$H/peers/AB.xml"
# Five submitted messages (no node serves them: they stay queued), each a
# ledger entry with the signed message as evidence.
for f in $(ls "$TESTDATA"/eco/*.xml | head -5); do
	"$SWNODE" --home "$H" send "$f" --to SG-NTP >/dev/null 2>&1 || fail "send $f"
done

expect 0 "ledger verify" "$SWNODE" --home "$H" ledger verify
has "$T/out" "ledger verified: 5 entries, 5 signed checkpoints" "verify counts"
expect 0 "ledger checkpoint" "$SWNODE" --home "$H" ledger checkpoint
has "$T/out" "CN-SW/swnode-ledger" "checkpoint origin"
[ "$(sed -n 2p "$T/out")" = 5 ] && pass || fail "checkpoint size"
sed -n 4p "$T/out" | grep -q "^time 20" && pass || fail "time extension line"
sed -n 6p "$T/out" | grep -q "^— CN-SW/swnode-ledger " && pass || fail "signature line"
expect 0 "verifier key" "$SWNODE" --home "$H" ledger checkpoint --vkey
VKEY=$(cat "$T/out")
expect 0 "verify with the published verifier key" "$SWNODE" --home "$H" ledger verify --vkey "$VKEY"
newnode "$T/other" OTHER
OTHER=$("$SWNODE" --home "$T/other" ledger checkpoint --vkey)
expect 1 "verify with another node's key" "$SWNODE" --home "$H" ledger verify --vkey "$OTHER"
expect 0 "verify an empty ledger" "$SWNODE" --home "$T/other" ledger verify
has "$T/out" "0 entries, 0 signed checkpoints (latest 0), root $(printf '' | openssl dgst -sha256 -binary | base64)" \
	"an empty ledger's root is SHA-256 of nothing (RFC 9162)"

# Proofs: produced by the node, checked offline.
for s in 1 2 3 4 5; do
	"$SWNODE" --home "$H" ledger prove --seq "$s" >"$T/inc$s.json"
	expect 0 "inclusion proof of entry $s" "$SWNODE" ledger check-proof "$T/inc$s.json"
done
"$SWNODE" --home "$H" ledger prove --seq 2 --size 3 >"$T/inc23.json"
expect 0 "inclusion in an earlier tree" "$SWNODE" ledger check-proof "$T/inc23.json"
for m in 0 1 2 3 4 5; do
	"$SWNODE" --home "$H" ledger prove --from "$m" --to 5 >"$T/con$m.json"
	expect 0 "consistency $m -> 5" "$SWNODE" ledger check-proof "$T/con$m.json"
done
# a flipped character in a proof hash: invalid (exit 1); not JSON: exit 2
c=$(sed -n 's/.*"proof":\["\(.\).*/\1/p' "$T/inc3.json")
r=A; [ "$c" = A ] && r=B
sed "s|\"proof\":\\[\"$c|\"proof\":[\"$r|" "$T/inc3.json" >"$T/bad.json"
cmp -s "$T/inc3.json" "$T/bad.json" && fail "proof not changed"
expect 1 "a changed proof" "$SWNODE" ledger check-proof "$T/bad.json"
has "$T/out" "invalid" "invalid proof said so"
printf 'not json\n' >"$T/junk.json"
expect 2 "a malformed proof" "$SWNODE" ledger check-proof "$T/junk.json"
expect 2 "prove with no arguments" "$SWNODE" --home "$H" ledger prove
expect 2 "prove an entry that does not exist" "$SWNODE" --home "$H" ledger prove --seq 9

# Queries.
expect 0 "query json" "$SWNODE" --home "$H" ledger query --format json --state SUBMITTED
[ "$(grep -c '"event": "SUBMITTED"' "$T/out")" = 5 ] && pass || fail "json query rows"
expect 0 "query csv" "$SWNODE" --home "$H" ledger query --format csv --type eco --limit 2
[ "$(wc -l <"$T/out")" = 3 ] && pass || fail "csv header and two rows"
expect 0 "query with no match" "$SWNODE" --home "$H" ledger query --peer NOBODY
[ ! -s "$T/out" ] && pass || fail "empty query prints nothing"
expect 2 "query with a bad format" "$SWNODE" --home "$H" ledger query --format xml

# Tampering: each on a copy of the database, triggers dropped first (as
# someone with write access to the file could).
DB=$H/ledger.db
cp "$DB" "$T/pristine.db"
tamper() { # DESCRIPTION SQL EXPECTED-TEXT
	cp "$T/pristine.db" "$DB"
	rm -f "$DB-wal" "$DB-shm"
	sqlite3 "$DB" "DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;
		DROP TRIGGER evidence_no_update; DROP TRIGGER evidence_no_delete;
		DROP TRIGGER tree_no_change; DROP TRIGGER tree_no_delete;
		DROP TRIGGER checkpoints_no_change; DROP TRIGGER checkpoints_no_delete; $2" || fail "$1: sqlite3"
	expect 1 "verify catches: $1" "$SWNODE" --home "$H" ledger verify
	has "$T/out" "$3" "$1 named"
}
tamper "a changed row" "UPDATE entries SET peer = 'XX' WHERE seq = 3" "first bad entry 3"
tamper "a deleted row" "DELETE FROM entries WHERE seq = 2" "first bad entry 2: entry 2 is missing"
tamper "an inserted row" "INSERT INTO entries(seq, time, direction, peer, agreement, doctype, msgid, event)
	VALUES (6, '2026-01-01T00:00:00Z', 'out', 'SG-NTP', 'AB', 'eco', 'm', 'DELIVERED')" "first bad entry 6"
tamper "reordered rows" "UPDATE entries SET msgid = (SELECT msgid FROM entries WHERE seq = 4) WHERE seq = 2" "first bad entry 2"
tamper "a truncated table" "DELETE FROM entries WHERE seq >= 4" "entries 4 to 5 are missing (truncated)"
tamper "a changed evidence blob" "UPDATE evidence SET body = CAST('forged' AS BLOB) WHERE digest = (SELECT evidence FROM entries WHERE seq = 4)" "entry 4: its evidence was changed"
tamper "a changed tree node" "UPDATE tree SET hash = zeroblob(32) WHERE level = 1 AND idx = 0" "the stored tree node (level 1, index 0)"
tamper "a field stored as a BLOB" "UPDATE entries SET msgid = CAST(msgid AS BLOB) WHERE seq = 3" "entry 3: a field is not plain text"
tamper "a stray checkpoint row" "INSERT INTO checkpoints(size, time, root, note) SELECT -1, time, root, note FROM checkpoints WHERE size = 2" "checkpoint rows name sizes this ledger does not have"
# An index rebuilt partial, its definition written back: the rows verify,
# but status, query and export no longer see entry 3.
hidden=$(sqlite3 "$T/pristine.db" "select msgid from entries where seq = 3")
tamper "a partial index under the old definition" "DROP INDEX entries_msgid;
	CREATE INDEX entries_msgid ON entries(msgid, direction) WHERE seq <> 3;
	PRAGMA writable_schema = ON;
	UPDATE sqlite_master SET sql = 'CREATE INDEX entries_msgid ON entries(msgid, direction)'
		WHERE name = 'entries_msgid';
	PRAGMA writable_schema = OFF;" "an index disagrees with them (row 3 missing from index entries_msgid)"
"$SWNODE" --home "$H" status "$hidden" >"$T/status.out" 2>&1
grep -q "^ *3 " "$T/status.out" && fail "the tampered index still shows entry 3: the test tampers nothing" || pass
# With its checkpoints deleted, the node refuses to extend (and so sign)
# the tree: it is no longer the one it signed.
tamper "deleted checkpoints" "DELETE FROM checkpoints" "covered by no signed checkpoint"
f=$(ls "$TESTDATA"/eco/*.xml | head -1)
expect 1 "append to a ledger whose checkpoints are gone" "$SWNODE" --home "$H" send "$f" --to SG-NTP
has "$T/err" "are not the tree this node last signed: refusing to extend it" "append refused"
cp "$T/pristine.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
expect 0 "the untouched copy verifies" "$SWNODE" --home "$H" ledger verify
# Without dropping them, the triggers refuse changes.
refused "UPDATE refused by trigger" sqlite3 "$DB" "UPDATE entries SET peer = 'XX' WHERE seq = 1"
refused "tree UPDATE refused by trigger" sqlite3 "$DB" "UPDATE tree SET hash = x'00' WHERE level = 0 AND idx = 0"

# An idle serving node still signs a fresh checkpoint every N seconds.
before=$(sqlite3 "$H/ledger.db" "select count(*) from checkpoints")
start_node "$H" --listen "127.0.0.1:$(free_port 3)" --checkpoint-every 1
i=0
until [ "$(sqlite3 "$H/ledger.db" "select count(*) from checkpoints")" -ge $((before + 2)) ]; do
	i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
done
[ "$(sqlite3 "$H/ledger.db" "select count(*) from checkpoints")" -ge $((before + 2)) ] &&
	pass || fail "no timed checkpoints while idle"
stop_node "$H"
expect 0 "verify with timed checkpoints" "$SWNODE" --home "$H" ledger verify

# The interval is time, not passes of the node's loop: a signal ends a pass
# early, so reloads (SIGHUP) five times a second made passes of 0.2 s, and
# counting passes as seconds the node never reached its checkpoint.  (A
# node with nothing queued: its only checkpoints are the timed ones.)
I=$T/idle
newnode "$I" IDLE
start_node "$I" --listen "127.0.0.1:$(free_port 4)" --checkpoint-every 2
PID=$(cat "$I.pid")
(while kill -HUP "$PID" 2>/dev/null; do sleep 0.2; done) &
hups=$!
checkpoints() { sqlite3 "$I/ledger.db" "select count(*) from checkpoints"; }
i=0
until [ "$(checkpoints)" -ge 2 ]; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
[ "$(checkpoints)" -ge 2 ] && pass ||
	fail "$(checkpoints) timed checkpoints within 30 s while the node reloads five times a second"
kill "$hups"
wait "$hups" 2>/dev/null
[ "$(grep -c 'reloaded:' "$I.log")" -ge 5 ] && pass || fail "the node was not reloading"
stop_node "$I"
[ "$RC" = 0 ] && pass || fail "serve exit $RC after the reloads"
# Its ledger holds no entry, only checkpoints of the empty tree: sound.
expect 0 "verify a ledger of timed checkpoints alone" "$SWNODE" --home "$I" ledger verify

finish
