#!/bin/sh
# The per-family checks in tests/tools/, run with xmllint and xsltproc alone:
# schemas and maps hold without swnode's C code in the loop, including
# hand-written foreign documents coming in.
. "$(dirname "$0")/lib.sh"
need_shared

for t in ephyto eco customs-declaration; do
	expect 0 "tests/tools/check-$t.sh" sh "$TOP_SRCDIR/tests/tools/check-$t.sh" "$TOP_SRCDIR" "$SHARED"
	tail -1 "$T/out"
done
finish
