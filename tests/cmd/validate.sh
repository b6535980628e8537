#!/bin/sh
# swnode validate: every sample is detected and valid; several files at once.
. "$(dirname "$0")/lib.sh"

# Every type of the registry, so a new type is tested as soon as it exists.
TYPES=$("$SWNODE" doctypes | awk -F'\t' 'NF == 2 { print $1 }')
[ -n "$TYPES" ] || { echo "FAIL: no document types"; exit 1; }

n=0
for type in $TYPES; do
	# A doctype sharing another's domestic form has its samples there.
	[ "$(sample_type "$type")" = "$type" ] || continue
	count=0
	for f in "$TESTDATA/$type"/*.xml; do
		expect 0 "validate $f" "$SWNODE" validate "$f" || continue
		has "$T/out" "valid $type (domestic)" "$f detected as $type"
		count=$((count + 1))
	done
	[ "$count" -ge 5 ] && pass || fail "$type has only $count samples"
	n=$((n + count))
done
expect 0 "validate many files at once" "$SWNODE" validate "$TESTDATA"/eco/*.xml
[ "$(grep -c ': valid eco (domestic)' "$T/out")" -eq "$(ls "$TESTDATA"/eco/*.xml | wc -l)" ] &&
	pass || fail "one line per file"
expect 0 "validate from stdin" sh -c "\"$SWNODE\" validate - < \"$TESTDATA/eco/01-simple.xml\""
has "$T/out" "<stdin>: valid eco (domestic)" "stdin is named <stdin>"
bad=$(ls "$TESTDATA"/bad/*.xml | head -1)
expect 1 "one bad file among good ones" "$SWNODE" validate "$TESTDATA/eco/01-simple.xml" "$bad"
has "$T/out" "01-simple.xml: valid eco" "the good file is still reported valid"
has "$T/out" "$(basename "$bad"): invalid (schema)" "the bad file is reported invalid"
echo "$n samples"
finish
