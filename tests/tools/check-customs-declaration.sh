#!/bin/sh
# check-customs-declaration.sh REPO SHARED
#
# Checks the customs-declaration doctype with xmllint and xsltproc only:
#  - every domestic sample in tests/data/customs-declaration/ validates against
#    domestic.xsd, maps to an international document that validates against
#    swnode's international.xsd and against the published WCO schema (the
#    yardstick in SHARED/reference/wco-dec-dms2/), and maps back to exactly
#    the same document (canonical XML after removing ignorable whitespace);
#  - every tests/data/bad/customs-declaration-*.xml is well-formed, fails
#    domestic validation, and the error output contains the line in its
#    .expect file;
#  - both published WCO sample declarations validate against
#    international.xsd, map to a valid domestic document, and that document
#    maps out again to a document valid against both international schemas.
#
# REPO is the repository root, SHARED the shared directory.  Writes only
# inside a mktemp directory.  Exit status 0 when every check passes.

usage() {
    echo "usage: $0 REPO SHARED" >&2
    exit 2
}
[ $# -eq 2 ] || usage
repo=$1
shared=$2

dir=$repo/schemas/customs-declaration
dom_xsd=$dir/domestic.xsd
int_xsd=$dir/international.xsd
to_int=$dir/to-international.xsl
to_dom=$dir/to-domestic.xsl
samples=$repo/tests/data/customs-declaration
baddir=$repo/tests/data/bad
wco=$shared/reference/wco-dec-dms2
yardstick=$wco/WCO_DEC_with_MetaData.xsd

for f in "$dom_xsd" "$int_xsd" "$to_int" "$to_dom" "$yardstick"; do
    if [ ! -r "$f" ]; then
        echo "check-customs-declaration: cannot read $f" >&2
        exit 1
    fi
done

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

passed=0
failed=0

pass() {
    passed=$((passed + 1))
}

fail() {
    failed=$((failed + 1))
    echo "FAIL: $*" >&2
    if [ -s "$tmp/err" ]; then
        sed 's/^/    /' "$tmp/err" | head -n 20 >&2
    fi
}

# validate XSD FILE: schema validation, messages kept in $tmp/err
validate() {
    xmllint --noout --schema "$1" "$2" >"$tmp/err" 2>&1
}

# map XSL IN OUT
map() {
    xsltproc --nonet --output "$3" "$1" "$2" >"$tmp/err" 2>&1
}

# canon FILE > canonical bytes
canon() {
    xmllint --noblanks "$1" | xmllint --exc-c14n -
}

# ---------------------------------------------------------------- samples
count=0
big=0
for d in "$samples"/*.xml; do
    [ -e "$d" ] || continue
    count=$((count + 1))
    name=$(basename "$d")
    items=$(grep -c '<GoodsItem>' "$d")
    [ "$items" -ge 100 ] && big=1
    int=$tmp/$name.int.xml
    back=$tmp/$name.back.xml

    if validate "$dom_xsd" "$d"; then pass; else fail "$name: domestic validation"; continue; fi
    if map "$to_int" "$d" "$int"; then pass; else fail "$name: to-international"; continue; fi
    if validate "$int_xsd" "$int"; then pass; else fail "$name: international.xsd validation"; fi
    if validate "$yardstick" "$int"; then pass; else fail "$name: published WCO schema validation"; fi
    if map "$to_dom" "$int" "$back"; then pass; else fail "$name: to-domestic"; continue; fi
    if validate "$dom_xsd" "$back"; then pass; else fail "$name: round-tripped document validation"; fi
    canon "$d" >"$tmp/a.c14n" 2>"$tmp/err" && canon "$back" >"$tmp/b.c14n" 2>>"$tmp/err"
    if [ -s "$tmp/a.c14n" ] && cmp -s "$tmp/a.c14n" "$tmp/b.c14n"; then
        pass
    else
        diff "$tmp/a.c14n" "$tmp/b.c14n" >"$tmp/err" 2>&1
        fail "$name: round trip differs"
    fi
done
: >"$tmp/err"
if [ "$count" -ge 6 ]; then pass; else fail "only $count domestic samples (at least 6 expected)"; fi
if [ "$big" -eq 1 ]; then pass; else fail "no domestic sample with 100 goods items"; fi

# ---------------------------------------------------------------- invalid samples
nbad=0
for b in "$baddir"/customs-declaration-*.xml; do
    [ -e "$b" ] || continue
    nbad=$((nbad + 1))
    name=$(basename "$b")
    if [ ! -r "$b.expect" ]; then
        : >"$tmp/err"
        fail "$name: no $name.expect"
        continue
    fi
    expect=$(head -n 1 "$b.expect")
    if xmllint --noout "$b" >"$tmp/err" 2>&1; then pass; else fail "$name: not well-formed"; continue; fi
    if validate "$dom_xsd" "$b"; then
        fail "$name: validates but must not"
    elif grep -F -q -e "$expect" "$tmp/err"; then
        pass
    else
        fail "$name: error output lacks '$expect'"
    fi
done
: >"$tmp/err"
if [ "$nbad" -ge 3 ]; then pass; else fail "only $nbad invalid samples (at least 3 expected)"; fi

# ---------------------------------------------------------------- published WCO samples (inbound)
nreal=0
for w in "$wco"/samples/*.xml; do
    [ -e "$w" ] || continue
    nreal=$((nreal + 1))
    name=$(basename "$w")
    dom=$tmp/$name.dom.xml
    out=$tmp/$name.out.xml
    if validate "$yardstick" "$w"; then pass; else fail "$name: published WCO schema validation"; fi
    if validate "$int_xsd" "$w"; then pass; else fail "$name: international.xsd validation"; fi
    if map "$to_dom" "$w" "$dom"; then pass; else fail "$name: to-domestic"; continue; fi
    if validate "$dom_xsd" "$dom"; then pass; else fail "$name: mapped domestic document validation"; fi
    if map "$to_int" "$dom" "$out"; then pass; else fail "$name: to-international of mapped document"; continue; fi
    if validate "$int_xsd" "$out"; then pass; else fail "$name: re-exported international.xsd validation"; fi
    if validate "$yardstick" "$out"; then pass; else fail "$name: re-exported published WCO schema validation"; fi
done
: >"$tmp/err"
if [ "$nreal" -ge 2 ]; then pass; else fail "published WCO samples not found in $wco/samples"; fi

echo "customs-declaration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
