#!/bin/sh
# check-customs-declaration.sh REPO SHARED
#
# Checks the customs-declaration doctype with xmllint and xsltproc only:
#  - every domestic sample in tests/data/customs-declaration/ validates against
#    domestic.xsd, maps to an international document that validates against
#    the published WCO schema shipped in schemas/customs-declaration/wco/ and
#    passes the profile rules (profile.sch), and maps back to exactly the
#    same document (canonical XML after removing ignorable whitespace);
#  - every tests/data/bad/customs-declaration-*.xml is well-formed and is
#    refused, and the refusal contains the line in its .expect file: a
#    domestic document (root CustomsDeclaration) must fail domestic.xsd; an
#    international one (root md:MetaData) must be valid against the published
#    schema and fail profile.sch;
#  - every real declaration (the two published WCO samples in
#    SHARED/reference/wco-dec-dms2/samples/ and the HMRC samples in
#    tests/data/hmrc/) is valid against the published schema, passes the
#    profile rules, maps to a valid domestic document, and that maps out
#    again to a document valid against the published schema; the number of
#    leaves lost on the way (original minus original -> domestic ->
#    international, see docs/doctypes/customs-declaration.md) is printed.
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
pub_xsd=$dir/wco/WCO_DEC_with_MetaData.xsd
profile=$dir/profile.sch
compiler=$repo/schemas/schematron.xsl
to_int=$dir/to-international.xsl
to_dom=$dir/to-domestic.xsl
samples=$repo/tests/data/customs-declaration
hmrc=$repo/tests/data/hmrc
baddir=$repo/tests/data/bad
wco=$shared/reference/wco-dec-dms2

for f in "$dom_xsd" "$pub_xsd" "$profile" "$compiler" "$to_int" "$to_dom"; do
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

# profile FILE: 0 when the profile rules pass; failures kept in $tmp/err
rules() {
    xsltproc --nonet "$tmp/profile.xsl" "$1" >"$tmp/rules.out" 2>&1 || {
        cp "$tmp/rules.out" "$tmp/err"
        return 2
    }
    if grep -q '<failure ' "$tmp/rules.out"; then
        xmllint --format "$tmp/rules.out" 2>/dev/null | grep '<failure ' >"$tmp/err"
        return 1
    fi
    : >"$tmp/err"
    return 0
}

# The leaves of a document, one "path<TAB>value" line each, sorted: elements
# without element children with their whitespace-normalised text, and
# attributes (xsi:schemaLocation excepted); paths are local names without
# positions.  Namespace declarations are not attributes in XPath.
cat >"$tmp/leaves.xsl" <<'EOF'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:template match="/">
    <xsl:for-each select="//*[not(*)] | //@*[not(local-name() = 'schemaLocation' and namespace-uri() = 'http://www.w3.org/2001/XMLSchema-instance')]">
      <xsl:for-each select="ancestor-or-self::*">
        <xsl:text>/</xsl:text><xsl:value-of select="local-name()"/>
      </xsl:for-each>
      <xsl:if test="not(self::*)"><xsl:text>/@</xsl:text><xsl:value-of select="local-name()"/></xsl:if>
      <xsl:text>&#9;</xsl:text><xsl:value-of select="normalize-space(.)"/><xsl:text>&#10;</xsl:text>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
EOF

# leaves FILE > sorted leaf lines
leaves() {
    xsltproc --nonet "$tmp/leaves.xsl" "$1" | LC_ALL=C sort
}

: >"$tmp/err"
if xsltproc --nonet --output "$tmp/profile.xsl" "$compiler" "$profile" >"$tmp/err" 2>&1; then
    pass
else
    fail "profile.sch does not compile with schematron.xsl"
    echo "customs-declaration: $passed passed, $failed failed"
    exit 1
fi

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
    if validate "$pub_xsd" "$int"; then pass; else fail "$name: published WCO schema validation"; fi
    if rules "$int"; then pass; else fail "$name: profile rules"; fi
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
nprofile=0
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
    if grep -q '<CustomsDeclaration[ >]' "$b"; then
        if validate "$dom_xsd" "$b"; then
            fail "$name: validates but must not"
        elif grep -F -q -e "$expect" "$tmp/err"; then
            pass
        else
            fail "$name: error output lacks '$expect'"
        fi
    else
        nprofile=$((nprofile + 1))
        if validate "$pub_xsd" "$b"; then pass; else fail "$name: must be valid against the published WCO schema"; continue; fi
        rules "$b"
        case $? in
        0) fail "$name: passes the profile rules but must not" ;;
        1)
            if grep -F -q -e "$expect" "$tmp/err"; then pass; else fail "$name: profile failures lack '$expect'"; fi ;;
        *) fail "$name: profile rules did not run" ;;
        esac
    fi
done
: >"$tmp/err"
if [ "$nbad" -ge 3 ]; then pass; else fail "only $nbad invalid samples (at least 3 expected)"; fi
if [ "$nprofile" -ge 2 ]; then pass; else fail "only $nprofile documents refused by profile.sch (at least 2 expected)"; fi

# ---------------------------------------------------------------- real declarations (inbound)
nwco=0
nhmrc=0
for w in "$wco"/samples/*.xml "$hmrc"/*.xml; do
    [ -e "$w" ] || continue
    case $w in
    "$hmrc"/*) nhmrc=$((nhmrc + 1)) ;;
    *) nwco=$((nwco + 1)) ;;
    esac
    name=$(basename "$w")
    dom=$tmp/$name.dom.xml
    out=$tmp/$name.out.xml
    if validate "$pub_xsd" "$w"; then pass; else fail "$name: published WCO schema validation"; continue; fi
    if rules "$w"; then pass; else fail "$name: profile rules"; fi
    if map "$to_dom" "$w" "$dom"; then pass; else fail "$name: to-domestic"; continue; fi
    if validate "$dom_xsd" "$dom"; then pass; else fail "$name: mapped domestic document validation"; fi
    if map "$to_int" "$dom" "$out"; then pass; else fail "$name: to-international of mapped document"; continue; fi
    if validate "$pub_xsd" "$out"; then pass; else fail "$name: re-exported published WCO schema validation"; fi
    if rules "$out"; then pass; else fail "$name: re-exported document fails the profile rules"; fi
    leaves "$w" >"$tmp/orig.leaves"
    leaves "$out" >"$tmp/out.leaves"
    lost=$(LC_ALL=C comm -23 "$tmp/orig.leaves" "$tmp/out.leaves" | wc -l | tr -d ' ')
    total=$(wc -l <"$tmp/orig.leaves" | tr -d ' ')
    echo "loss: $name: $lost of $total leaves"
done
: >"$tmp/err"
if [ "$nwco" -ge 2 ]; then pass; else fail "published WCO samples not found in $wco/samples"; fi
if [ "$nhmrc" -ge 10 ]; then pass; else fail "only $nhmrc HMRC samples in $hmrc (at least 10 expected)"; fi

echo "customs-declaration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
