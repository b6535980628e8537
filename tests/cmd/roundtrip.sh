#!/bin/sh
# The document pipeline: every domestic sample maps to a valid international
# document and back to a document equal to the original in every field
# (canonical XML without ignorable whitespace).
. "$(dirname "$0")/lib.sh"

# Every type of the registry, so a new type is tested as soon as it exists.
TYPES=$("$SWNODE" doctypes | awk -F'\t' 'NF == 2 { print $1 }')
[ -n "$TYPES" ] || { echo "FAIL: no document types"; exit 1; }

for type in $TYPES; do
	# A doctype sharing another's domestic form maps that one's samples
	# to its own international form.
	from=$(sample_type "$type")
	for f in "$TESTDATA/$from"/*.xml; do
		b=$type-$(basename "$f" .xml)
		expect 0 "map $b to international" "$SWNODE" map --to international --as "$type" "$f" -o "$T/$b.intl.xml" || continue
		[ -s "$T/out" ] && fail "map -o also wrote to stdout" || pass
		expect 0 "validate international $b" "$SWNODE" validate "$T/$b.intl.xml"
		has "$T/out" "valid $type (international)" "$b maps to the international form"
		expect 0 "map $b back to domestic" "$SWNODE" map --to domestic "$T/$b.intl.xml" -o "$T/$b.back.xml" || continue
		canon "$f" >"$T/$b.c14n.orig"
		canon "$T/$b.back.xml" >"$T/$b.c14n.back"
		same "$T/$b.c14n.orig" "$T/$b.c14n.back" "$b round trip changes the document"
		# stdout and -o give the same bytes
		expect 0 "map $b to stdout" "$SWNODE" map --to international --as "$type" "$f"
		same "$T/out" "$T/$b.intl.xml" "$b: stdout differs from -o"
	done
done
# Chinese text survives unchanged (UTF-8 end to end).
for type in ephyto eco customs-declaration; do
	f=$(grep -l '中' "$TESTDATA/$type"/*.xml | head -1)
	[ -n "$f" ] && pass || { fail "$type has no sample with Chinese text"; continue; }
	"$SWNODE" map --to international "$f" >"$T/zh.xml"
	w=$(grep -o '[^<>]*中[^<>]*' "$f" | head -1)
	has "$T/zh.xml" "$w" "$type Chinese text reaches the international form"
done
# Mapping a document to the form it is already in is a usage error.
f=$(ls "$TESTDATA"/eco/*.xml | head -1)
expect 2 "map domestic to domestic" "$SWNODE" map --to domestic "$f"
has "$T/err" "already a domestic eco document" "same-form map is explained"
finish
