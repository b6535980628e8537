#!/bin/sh
# check-eco-cefact.sh: check the partner profile eco-cefact (certificate of
# origin as an XML rendering of the UN/CEFACT BSP model) with xmllint and
# xsltproc only.
#
# usage: check-eco-cefact.sh REPO_ROOT [SHARED_DIR]
#
# The registry: schemas/doctypes.xml has one doctype eco-cefact, right after
# eco, whose domestic form is eco's (root, namespace, schema) and whose
# schema and maps are the files checked here.
# For every domestic sample tests/data/eco/*.xml (the same domestic form as
# the eco doctype):
#   - it validates against schemas/eco/domestic.xsd;
#   - eco-cefact/to-international.xsl gives a bspPreferentialCoO in
#     urn:swnode:partner:eco-cefact:1 that validates against
#     schemas/eco-cefact/international.xsd, the same bytes when run twice,
#     and that is not valid against the project's own form
#     (schemas/eco/international.xsd), nor the project's form against it;
#   - eco-cefact/to-domestic.xsl of that gives back the sample exactly
#     (canonical XML after removing ignorable white space);
#   - to-international.xsl of the round-tripped document gives back the
#     same partner document.
# For every partner-written document tests/data/eco-cefact/inbound/*.xml:
# it validates, maps to a valid domestic document equal to
# tests/data/eco-cefact/inbound-domestic/ of the same name, and that maps
# back to a valid partner document (the round trip the node's loss report
# is computed from).
# For every tests/data/eco-cefact/invalid/*.xml: well-formed, refused by the
# partner schema with the line of its .expect file in the error output.
#
# There is no external yardstick for this profile (UN/CEFACT publishes the
# model as JSON only), so SHARED_DIR is accepted for a uniform interface and
# not used.  Writes only inside a mktemp dir.
# Exit status: 0 when every check passes, 1 otherwise, 2 on usage errors.

set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 REPO_ROOT [SHARED_DIR]" >&2
	exit 2
fi
root=$1
dir=$root/schemas/eco-cefact
eco=$root/schemas/eco
data=$root/tests/data/eco
own=$root/tests/data/eco-cefact
ns=urn:swnode:partner:eco-cefact:1

for tool in xmllint xsltproc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "check-eco-cefact: $tool not found" >&2
		exit 2
	fi
done
for f in "$dir/international.xsd" "$dir/to-international.xsl" "$dir/to-domestic.xsl" \
	 "$eco/domestic.xsd" "$eco/international.xsd" "$root/schemas/doctypes.xml"; do
	if [ ! -f "$f" ]; then
		echo "check-eco-cefact: missing $f" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-eco-cefact.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

failures=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# canon FILE OUT: canonical form used for comparisons.
canon() {
	xmllint --noblanks "$1" | xmllint --exc-c14n - >"$2"
}

# valid SCHEMA FILE: schema validation, errors to $tmp/err.
valid() {
	xmllint --noout --nonet --schema "$1" "$2" >/dev/null 2>"$tmp/err"
}

# xpath FILE EXPR: the string value of EXPR in FILE (empty if none).
xpath() {
	xmllint --nonet --xpath "$2" "$1" 2>/dev/null
}

# ---- the registry entry ----
checks=$((checks + 1))
reg=$root/schemas/doctypes.xml
dt="/*[local-name()='doctypes']/*[local-name()='doctype']"
if [ "$(xpath "$reg" "count($dt[@id='eco-cefact'])")" != 1 ]; then
	fail "doctypes.xml: not exactly one doctype eco-cefact"
elif [ "$(xpath "$reg" "string($dt[@id='eco-cefact']/preceding-sibling::*[1]/@id)")" != eco ]; then
	fail "doctypes.xml: eco-cefact does not follow eco"
else
	for a in root namespace schema; do
		e=$(xpath "$reg" "string($dt[@id='eco']/*[local-name()='domestic']/@$a)")
		v=$(xpath "$reg" "string($dt[@id='eco-cefact']/*[local-name()='domestic']/@$a)")
		[ -n "$e" ] && [ "$e" = "$v" ] || fail "doctypes.xml: eco-cefact's domestic $a is '$v', eco's '$e'"
	done
	want="bspPreferentialCoO $ns eco-cefact/international.xsd eco-cefact/to-international.xsl eco-cefact/to-domestic.xsl"
	got=$(xpath "$reg" "concat($dt[@id='eco-cefact']/*[local-name()='international']/@root, ' ',
		$dt[@id='eco-cefact']/*[local-name()='international']/@namespace, ' ',
		$dt[@id='eco-cefact']/*[local-name()='international']/@schema, ' ',
		$dt[@id='eco-cefact']/*[local-name()='map'][@to='international']/@xslt, ' ',
		$dt[@id='eco-cefact']/*[local-name()='map'][@to='domestic']/@xslt)")
	[ "$got" = "$want" ] || fail "doctypes.xml: eco-cefact names '$got', expected '$want'"
	if ! valid "$root/schemas/doctypes.xsd" "$reg"; then
		fail "doctypes.xml does not validate"; cat "$tmp/err" >&2
	fi
fi

# ---- the project's domestic samples, out and back ----
samples=0
for d in "$data"/*.xml; do
	[ -f "$d" ] || continue
	samples=$((samples + 1))
	name=$(basename "$d" .xml)
	checks=$((checks + 1))
	if ! valid "$eco/domestic.xsd" "$d"; then
		fail "$name: domestic validation"; cat "$tmp/err" >&2; continue
	fi
	if ! xsltproc --nonet "$dir/to-international.xsl" "$d" >"$tmp/$name.int.xml" 2>"$tmp/err"; then
		fail "$name: to-international.xsl"; cat "$tmp/err" >&2; continue
	fi
	if ! xsltproc --nonet "$dir/to-international.xsl" "$d" >"$tmp/$name.int2.xml" 2>/dev/null ||
	   ! cmp -s "$tmp/$name.int.xml" "$tmp/$name.int2.xml"; then
		fail "$name: to-international.xsl output differs between runs"
	fi
	if [ "$(xpath "$tmp/$name.int.xml" "concat(namespace-uri(/*), ' ', local-name(/*))")" != "$ns bspPreferentialCoO" ]; then
		fail "$name: the partner document's root is not {$ns}bspPreferentialCoO"
	fi
	if ! valid "$dir/international.xsd" "$tmp/$name.int.xml"; then
		fail "$name: partner schema validation"; cat "$tmp/err" >&2; continue
	fi
	# Another form indeed: neither schema takes the other's document.
	if valid "$eco/international.xsd" "$tmp/$name.int.xml"; then
		fail "$name: the partner document is valid as the project's own form"
	fi
	xsltproc --nonet "$eco/to-international.xsl" "$d" >"$tmp/$name.own.xml" 2>/dev/null
	if valid "$dir/international.xsd" "$tmp/$name.own.xml"; then
		fail "$name: the project's own form is valid as the partner form"
	fi
	if ! xsltproc --nonet "$dir/to-domestic.xsl" "$tmp/$name.int.xml" >"$tmp/$name.dom.xml" 2>"$tmp/err"; then
		fail "$name: to-domestic.xsl"; cat "$tmp/err" >&2; continue
	fi
	if ! valid "$eco/domestic.xsd" "$tmp/$name.dom.xml"; then
		fail "$name: round-tripped document does not validate"; cat "$tmp/err" >&2
	fi
	canon "$d" "$tmp/$name.c1" && canon "$tmp/$name.dom.xml" "$tmp/$name.c2"
	if ! cmp -s "$tmp/$name.c1" "$tmp/$name.c2"; then
		fail "$name: round trip differs"
		diff "$tmp/$name.c1" "$tmp/$name.c2" >&2
		continue
	fi
	xsltproc --nonet "$dir/to-international.xsl" "$tmp/$name.dom.xml" >"$tmp/$name.int3.xml" 2>/dev/null
	canon "$tmp/$name.int.xml" "$tmp/$name.c3" && canon "$tmp/$name.int3.xml" "$tmp/$name.c4"
	if ! cmp -s "$tmp/$name.c3" "$tmp/$name.c4"; then
		fail "$name: partner form not stable over a round trip"
	fi
done
if [ "$samples" -lt 6 ]; then
	fail "only $samples domestic samples in $data (need 6)"
fi

# ---- documents as the partner writes them, inbound ----
nin=0
for i in "$own"/inbound/*.xml; do
	[ -f "$i" ] || continue
	nin=$((nin + 1))
	name=$(basename "$i" .xml)
	checks=$((checks + 1))
	if ! valid "$dir/international.xsd" "$i"; then
		fail "inbound $name: partner schema validation"; cat "$tmp/err" >&2; continue
	fi
	if ! xsltproc --nonet "$dir/to-domestic.xsl" "$i" >"$tmp/in-$name.dom.xml" 2>"$tmp/err"; then
		fail "inbound $name: to-domestic.xsl"; cat "$tmp/err" >&2; continue
	fi
	if ! valid "$eco/domestic.xsd" "$tmp/in-$name.dom.xml"; then
		fail "inbound $name: domestic validation"; cat "$tmp/err" >&2; continue
	fi
	want=$own/inbound-domestic/$name.xml
	if [ ! -f "$want" ]; then
		fail "inbound $name: no $want"
	else
		canon "$want" "$tmp/in-$name.c1" && canon "$tmp/in-$name.dom.xml" "$tmp/in-$name.c2"
		if ! cmp -s "$tmp/in-$name.c1" "$tmp/in-$name.c2"; then
			fail "inbound $name: domestic document differs from $(basename "$want")"
			diff "$tmp/in-$name.c1" "$tmp/in-$name.c2" >&2
		fi
	fi
	if ! xsltproc --nonet "$dir/to-international.xsl" "$tmp/in-$name.dom.xml" >"$tmp/in-$name.back.xml" 2>"$tmp/err" ||
	   ! valid "$dir/international.xsd" "$tmp/in-$name.back.xml"; then
		fail "inbound $name: mapped back, not a valid partner document"; cat "$tmp/err" >&2
	fi
done
if [ "$nin" -lt 2 ]; then
	fail "only $nin partner documents in $own/inbound (need 2)"
fi

# ---- documents the partner schema refuses ----
nbad=0
for b in "$own"/invalid/*.xml; do
	[ -f "$b" ] || continue
	nbad=$((nbad + 1))
	name=$(basename "$b")
	checks=$((checks + 1))
	if ! xmllint --noout --nonet "$b" 2>"$tmp/err"; then
		fail "$name: not well-formed"; continue
	fi
	if valid "$dir/international.xsd" "$b"; then
		fail "$name: validates but must not"; continue
	fi
	if [ ! -f "$b.expect" ]; then
		fail "$name: no .expect file"; continue
	fi
	want=$(head -n 1 "$b.expect")
	if ! grep -qF -- "$want" "$tmp/err"; then
		fail "$name: error does not mention '$want'"; cat "$tmp/err" >&2
	fi
done
if [ "$nbad" -lt 3 ]; then
	fail "only $nbad invalid partner documents in $own/invalid (need 3)"
fi

if [ "$failures" -ne 0 ]; then
	echo "check-eco-cefact: $failures failure(s) in $checks check(s)" >&2
	exit 1
fi
echo "check-eco-cefact: $checks checks passed ($samples samples, $nin inbound, $nbad invalid partner documents, registry entry)"
exit 0
