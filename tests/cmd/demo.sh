#!/bin/sh
# The quick start's main job runs and reports every document.
. "$(dirname "$0")/lib.sh"

expect 0 "demo" sh "$TOP_SRCDIR/tests/demo/run.sh" "$SWNODE" "$SWNODE_SCHEMAS" "$TESTDATA" "$T/demo"
n=$(ls "$TESTDATA"/ephyto/*.xml "$TESTDATA"/eco/*.xml "$TESTDATA"/customs-declaration/*.xml | wc -l)
has "$T/out" "$n documents mapped to the international form and back unchanged, 0 failed" "demo summary"
[ "$(grep -c ' identical$' "$T/out")" -eq "$n" ] && pass || fail "a row per document"
[ -f "$T/demo/node/node.xml" ] && [ -f "$T/demo/peer/node.xml" ] && pass || fail "demo made no nodes"
[ -f "$T/demo/node/peers/CN-SG-DEMO.xml" ] && [ -f "$T/demo/peer/peers/CN-SG-DEMO.xml" ] &&
	pass || fail "demo wrote no agreements"
[ "$(grep -c '1 agreement checked, 0 with problems' "$T/out")" -eq 2 ] && pass || fail "demo agreements check clean"
finish
