#!/bin/sh
# The quick start's main job runs and reports every exchange and document.
. "$(dirname "$0")/lib.sh"

expect 0 "demo" bash "$TOP_SRCDIR/tests/demo/run.sh" "$SWNODE" "$SWNODE_SCHEMAS" "$TESTDATA" "$T/demo"
n=$(ls "$TESTDATA"/ephyto/*.xml "$TESTDATA"/eco/*.xml "$TESTDATA"/customs-declaration/*.xml | wc -l)
has "$T/out" "7 messages delivered, 0 failed; $n documents mapped to the international form and back unchanged, 0 failed" "demo summary"
[ "$(grep -c ' DELIVERED$' "$T/out")" -eq 6 ] && pass || fail "a row per message"
has "$T/out" '"state":"DELIVERED"' "the local API submission is delivered"
[ "$(grep -c 'outbound: DELIVERED' "$T/out")" -eq 7 ] && pass || fail "sender state of each message"
[ "$(grep -c 'inbound: DELIVERED_LOCAL' "$T/out")" -eq 7 ] && pass || fail "receiver state of each message"
[ "$(grep -c ' identical$' "$T/out")" -eq "$n" ] && pass || fail "a row per document"
[ "$(grep -c '1 agreement checked, 0 with problems' "$T/out")" -eq 2 ] && pass || fail "agreements check clean"
finish
