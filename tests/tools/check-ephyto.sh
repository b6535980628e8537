#!/bin/sh
# check-ephyto.sh REPO SHARED
#
# Checks the ephyto document family with xmllint and xsltproc:
#   0. the maps are plain XSLT 1.0; the hub's schemas shipped in
#      schemas/ephyto/hub/ are exactly what tests/tools/ephyto-hub-schemas.sh
#      extracts from SHARED/reference/ephyto-hub/ephyto-hub.wsdl, with their
#      NOTICE; the registry validates the international form with
#      ephyto/hub/driver.xsd; the country list of to-domestic.xsl is the
#      enumeration of domestic.xsd; profile.sch compiles with
#      schemas/schematron.xsl;
#   1. every domestic sample tests/data/ephyto/*.xml validates against
#      schemas/ephyto/domestic.xsd;
#   2. to-international.xsl maps it to a document that validates against the
#      hub's schemas (schemas/ephyto/hub/driver.xsd) and passes the profile
#      rules (schemas/ephyto/profile.sch);
#   3. to-domestic.xsl maps that back to a document identical to the sample
#      (xmllint --noblanks | xmllint --exc-c14n, byte for byte);
#   4. a received document with wrapped text and two consignment items is
#      accepted and maps to a valid domestic document;
#   5. every tests/data/bad/ephyto-invalid-*.xml fails domestic validation
#      with a message containing the line in its .expect file;
#   6. every tests/data/ephyto-variation/accept-*.xml (certificates as
#      national systems send them) validates against the hub's schemas,
#      passes the profile rules, maps to a valid domestic document, and that
#      maps back to a document the hub's schemas and the profile accept and
#      that maps to the same domestic document again; its loss (values of
#      the original that original -> domestic -> international does not give
#      back) is printed: "loss NAME: N";
#   7. every tests/data/ephyto-variation/refuse-*.xml fails the hub's schemas
#      or the profile rules, with a message containing the line in its
#      .expect file (xmllint's FILE:LINE: element NAME: ..., or the rules'
#      id="RULE" path="...">message).
#
# Loss is counted as swnode's loss report counts it (node/doc/loss.h):
# values are the text of elements without element children and the
# attributes (xsi:* aside), white space normalised, empty ones left out,
# keyed by the path without positions (namespace URI and local name of each
# step); original minus round trip, as multisets.  EPHYTO_LOSS_VERBOSE=1
# also prints each lost value.
# Writes only into a mktemp directory, removed on exit.
# Exit status: 0 all passed, 1 a check failed, 2 usage.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 REPO SHARED" >&2
    exit 2
fi
repo=$1
shared=$2
schemas=$repo/schemas/ephyto
data=$repo/tests/data/ephyto
bad=$repo/tests/data/bad
variation=$repo/tests/data/ephyto-variation
hub=$schemas/hub/driver.xsd
wsdl=$shared/reference/ephyto-hub/ephyto-hub.wsdl

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-ephyto.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

canon() { xmllint --noblanks "$1" | xmllint --exc-c14n - ; }

if ! sh "$repo/tests/tools/ephyto-hub-schemas.sh" "$tmp/hub" "$wsdl"; then
    echo "FAIL: cannot extract the hub schemas from $wsdl" >&2
    exit 1
fi

# 0. The maps are plain XSLT 1.0 as the project requires.
for xsl in "$schemas/to-international.xsl" "$schemas/to-domestic.xsl"; do
    if grep -q -e 'document(' -e '<xsl:import' -e '<xsl:include' -e 'extension-element-prefixes' "$xsl"; then
        ko "$xsl uses document(), xsl:import/include or extensions"
    elif ! grep -q '<xsl:output method="xml" encoding="UTF-8" indent="yes"/>' "$xsl"; then
        ko "$xsl lacks <xsl:output method=\"xml\" encoding=\"UTF-8\" indent=\"yes\"/>"
    else
        ok
    fi
done

# 0. The hub's schemas as shipped are a fresh extraction, unmodified.
if [ ! -r "$schemas/hub/NOTICE" ]; then
    ko "$schemas/hub/NOTICE is missing"
elif ! diff -r -x NOTICE "$tmp/hub" "$schemas/hub" >"$tmp/diff" 2>&1; then
    ko "$schemas/hub differs from a fresh extraction of $wsdl (regenerate with tests/tools/ephyto-hub-schemas.sh)"
    head -20 "$tmp/diff" >&2
else
    ok
fi
if [ "$(xmllint --xpath 'string(//*[local-name()="doctype"][@id="ephyto"]/*[local-name()="international"]/@schema)' "$repo/schemas/doctypes.xml" 2>/dev/null)" = ephyto/hub/driver.xsd ]; then
    ok
else
    ko "schemas/doctypes.xml: the ephyto international form is not validated with ephyto/hub/driver.xsd"
fi

# 0. The country codes to-domestic.xsl accepts are those domestic.xsd has.
xmllint --xpath '//*[local-name()="simpleType"][@name="CountryCode"]//*[local-name()="enumeration"]/@value' "$schemas/domestic.xsd" 2>/dev/null |
    tr ' ' '\n' | sed -n 's/^value="\(.*\)"$/\1/p' | LC_ALL=C sort >"$tmp/countries.xsd"
sed -n "/<xsl:variable name=\"countries\"/,/)\"\/>/p" "$schemas/to-domestic.xsl" |
    grep -o "\b[A-Z][A-Z]\b" | LC_ALL=C sort >"$tmp/countries.xsl"
if [ -s "$tmp/countries.xsd" ] && cmp -s "$tmp/countries.xsd" "$tmp/countries.xsl"; then
    ok
else
    ko "the country list of to-domestic.xsl is not the CountryCode enumeration of domestic.xsd"
    diff "$tmp/countries.xsd" "$tmp/countries.xsl" | head -5 >&2
fi

# 0. The profile rules compile.
profile=$tmp/profile.xsl
if xsltproc --nonet "$repo/schemas/schematron.xsl" "$schemas/profile.sch" >"$profile" 2>"$tmp/err"; then
    ok
else
    ko "profile.sch does not compile with schemas/schematron.xsl"; cat "$tmp/err" >&2
fi

# Runs the profile rules on $1; their failures (none: the document passes)
# into $2.  Status 0 if it passes.
rules() {
    xsltproc --nonet "$profile" "$1" 2>&1 | grep -o '<failure .*</failure>' >"$2"
    [ ! -s "$2" ]
}

# The leaves of a document as the loss report counts them, one
# "path<TAB>value" a line, sorted.
cat >"$tmp/leaves.xsl" <<'XSL'
<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:template match="/">
    <xsl:for-each select="//*">
      <xsl:variable name="path">
        <xsl:for-each select="ancestor-or-self::*">/{<xsl:value-of select="namespace-uri()"/>}<xsl:value-of select="local-name()"/></xsl:for-each>
      </xsl:variable>
      <xsl:for-each select="@*[namespace-uri() != 'http://www.w3.org/2001/XMLSchema-instance'][normalize-space() != '']">
        <xsl:value-of select="concat($path, '/@{', namespace-uri(), '}', local-name(), '&#9;', normalize-space(), '&#10;')"/>
      </xsl:for-each>
      <xsl:if test="not(*) and normalize-space() != ''">
        <xsl:value-of select="concat($path, '&#9;', normalize-space(), '&#10;')"/>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
XSL
leaves() { xsltproc --nonet "$tmp/leaves.xsl" "$1" | LC_ALL=C sort; }

# 1-3. Samples: validate, map, validate, map back, compare.
count=0
for d in "$data"/*.xml; do
    [ -e "$d" ] || continue
    count=$((count + 1))
    name=$(basename "$d" .xml)
    intl=$tmp/$name.international.xml
    back=$tmp/$name.domestic.xml
    if ! xmllint --noout --nonet --schema "$schemas/domestic.xsd" "$d" 2>"$tmp/err"; then
        ko "$d: not valid against domestic.xsd"; cat "$tmp/err" >&2; continue
    fi
    if ! xsltproc --nonet "$schemas/to-international.xsl" "$d" >"$intl" 2>"$tmp/err"; then
        ko "$d: to-international.xsl failed"; cat "$tmp/err" >&2; continue
    fi
    if ! xmllint --noout --nonet --schema "$hub" "$intl" 2>"$tmp/err"; then
        ko "$d: mapped document not valid against the ePhyto hub schemas"; cat "$tmp/err" >&2; continue
    fi
    if ! rules "$intl" "$tmp/fail"; then
        ko "$d: mapped document fails the profile rules"; cat "$tmp/fail" >&2; continue
    fi
    if ! xsltproc --nonet "$schemas/to-domestic.xsl" "$intl" >"$back" 2>"$tmp/err"; then
        ko "$d: to-domestic.xsl failed"; cat "$tmp/err" >&2; continue
    fi
    canon "$d" >"$tmp/a.c14n" && canon "$back" >"$tmp/b.c14n"
    if ! cmp -s "$tmp/a.c14n" "$tmp/b.c14n"; then
        ko "$d: round trip differs (< sample, > round-tripped)"
        xmllint --format "$tmp/a.c14n" >"$tmp/a.txt"
        xmllint --format "$tmp/b.c14n" >"$tmp/b.txt"
        diff "$tmp/a.txt" "$tmp/b.txt" | head -20 >&2
        continue
    fi
    ok
done
if [ "$count" -lt 6 ]; then
    ko "$data: $count samples, at least 6 expected"
fi

# The hub schemas must really check: a mapped sample with a non-numeric
# StatusCode (xs:int in the hub) has to fail.
if [ -e "$data/01-minimal.xml" ]; then
    xsltproc --nonet "$schemas/to-international.xsl" "$data/01-minimal.xml" |
        sed 's|<ram:StatusCode>[^<]*<|<ram:StatusCode>x<|' >"$tmp/hub-negative.xml"
    if xmllint --noout --nonet --schema "$hub" "$tmp/hub-negative.xml" 2>/dev/null; then
        ko "the hub schemas accept a StatusCode 'x': extraction is broken"
    else
        ok
    fi
fi

# 4. A received document as real senders write it: long values wrapped over
#    lines, a second IncludedSPSConsignmentItem.
cat >"$tmp/inbound.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rsm:SPSCertificate xmlns:rsm="urn:un:unece:uncefact:data:standard:SPSCertificate:17"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21">
  <rsm:SPSExchangedDocument>
    <ram:ID> AR-2024-551203 </ram:ID>
    <ram:TypeCode>851</ram:TypeCode>
    <ram:StatusCode>70</ram:StatusCode>
    <ram:IssueDateTime><udt:DateTimeString>2024-04-22T13:53:08-03:00</udt:DateTimeString></ram:IssueDateTime>
    <ram:IssuerSPSParty><ram:Name>Servicio Nacional de Sanidad y
        Calidad Agroalimentaria</ram:Name></ram:IssuerSPSParty>
    <ram:SignatorySPSAuthentication>
      <ram:ActualDateTime><udt:DateTimeString>2024-04-22T13:50:00-03:00</udt:DateTimeString></ram:ActualDateTime>
      <ram:ProviderSPSParty><ram:SpecifiedSPSPerson><ram:Name>Miguel Herrera</ram:Name></ram:SpecifiedSPSPerson></ram:ProviderSPSParty>
    </ram:SignatorySPSAuthentication>
  </rsm:SPSExchangedDocument>
  <rsm:SPSConsignment>
    <ram:ConsignorSPSParty><ram:Name>Frutas del Valle S.A.</ram:Name>
      <ram:SpecifiedSPSAddress><ram:LineOne>Ruta 22 km 1190</ram:LineOne><ram:LineThree>General Roca, Río Negro</ram:LineThree></ram:SpecifiedSPSAddress>
    </ram:ConsignorSPSParty>
    <ram:ConsigneeSPSParty><ram:Name>北京新发地果品有限公司</ram:Name></ram:ConsigneeSPSParty>
    <ram:ExportSPSCountry><ram:ID>AR</ram:ID></ram:ExportSPSCountry>
    <ram:ImportSPSCountry><ram:ID>CN</ram:ID></ram:ImportSPSCountry>
    <ram:IncludedSPSConsignmentItem>
      <ram:IncludedSPSTradeLineItem>
        <ram:SequenceNumeric>1</ram:SequenceNumeric>
        <ram:Description languageID="es">Peras frescas,
            variedad Williams</ram:Description>
        <ram:OriginSPSCountry><ram:ID>AR</ram:ID></ram:OriginSPSCountry>
      </ram:IncludedSPSTradeLineItem>
    </ram:IncludedSPSConsignmentItem>
    <ram:IncludedSPSConsignmentItem>
      <ram:IncludedSPSTradeLineItem>
        <ram:SequenceNumeric>2</ram:SequenceNumeric>
        <ram:Description languageID="es">Manzanas frescas</ram:Description>
        <ram:OriginSPSCountry><ram:ID>AR</ram:ID></ram:OriginSPSCountry>
      </ram:IncludedSPSTradeLineItem>
    </ram:IncludedSPSConsignmentItem>
  </rsm:SPSConsignment>
</rsm:SPSCertificate>
EOF
if ! xmllint --noout --nonet --schema "$hub" "$tmp/inbound.xml" 2>"$tmp/err"; then
    ko "inbound sample: not valid against the ePhyto hub schemas"; cat "$tmp/err" >&2
elif ! rules "$tmp/inbound.xml" "$tmp/fail"; then
    ko "inbound sample: fails the profile rules"; cat "$tmp/fail" >&2
elif ! xsltproc --nonet "$schemas/to-domestic.xsl" "$tmp/inbound.xml" >"$tmp/inbound.domestic.xml" 2>"$tmp/err"; then
    ko "inbound sample: to-domestic.xsl failed"; cat "$tmp/err" >&2
elif ! xmllint --noout --nonet --schema "$schemas/domestic.xsd" "$tmp/inbound.domestic.xml" 2>"$tmp/err"; then
    ko "inbound sample: mapped document not valid against domestic.xsd"; cat "$tmp/err" >&2
elif [ "$(xmllint --xpath 'count(//*[local-name()="Item"])' "$tmp/inbound.domestic.xml")" != 2 ] ||
     ! grep -q '<IssuerName>Servicio Nacional de Sanidad y Calidad Agroalimentaria</IssuerName>' "$tmp/inbound.domestic.xml"; then
    ko "inbound sample: items not flattened or text not normalised"
else
    ok
fi

# 5. Invalid samples must be refused, with the expected message.
nbad=0
for b in "$bad"/ephyto-invalid-*.xml; do
    [ -e "$b" ] || continue
    nbad=$((nbad + 1))
    if [ ! -r "$b.expect" ]; then
        ko "$b: no $b.expect"; continue
    fi
    expect=$(head -n 1 "$b.expect")
    if xmllint --noout --nonet --schema "$schemas/domestic.xsd" "$b" 2>"$tmp/err"; then
        ko "$b: validates, but should not"
    elif ! grep -q -F -e "$expect" "$tmp/err"; then
        ko "$b: error does not mention '$expect'"; cat "$tmp/err" >&2
    else
        ok
    fi
done
if [ "$nbad" -lt 3 ]; then
    ko "$bad: $nbad ephyto-invalid-*.xml samples, at least 3 expected"
fi

# 6. Certificates as national systems send them: accepted ones map to a
#    valid domestic document and back, with their loss printed.
nacc=0
for a in "$variation"/accept-*.xml; do
    [ -e "$a" ] || continue
    nacc=$((nacc + 1))
    name=$(basename "$a")
    dom=$tmp/$name.domestic.xml
    back=$tmp/$name.back.xml
    again=$tmp/$name.again.xml
    if ! xmllint --noout --nonet --schema "$hub" "$a" 2>"$tmp/err"; then
        ko "$a: not valid against the ePhyto hub schemas"; cat "$tmp/err" >&2; continue
    fi
    if ! rules "$a" "$tmp/fail"; then
        ko "$a: fails the profile rules"; cat "$tmp/fail" >&2; continue
    fi
    if ! xsltproc --nonet "$schemas/to-domestic.xsl" "$a" >"$dom" 2>"$tmp/err" ||
       ! xmllint --noout --nonet --schema "$schemas/domestic.xsd" "$dom" 2>"$tmp/err"; then
        ko "$a: does not map to a valid domestic document"; cat "$tmp/err" >&2; continue
    fi
    if ! xsltproc --nonet "$schemas/to-international.xsl" "$dom" >"$back" 2>"$tmp/err" ||
       ! xmllint --noout --nonet --schema "$hub" "$back" 2>"$tmp/err"; then
        ko "$a: mapped to domestic and back, not valid against the ePhyto hub schemas"; cat "$tmp/err" >&2; continue
    fi
    if ! rules "$back" "$tmp/fail"; then
        ko "$a: mapped to domestic and back, fails the profile rules"; cat "$tmp/fail" >&2; continue
    fi
    xsltproc --nonet "$schemas/to-domestic.xsl" "$back" >"$again" 2>/dev/null
    canon "$dom" >"$tmp/a.c14n" && canon "$again" >"$tmp/b.c14n"
    if ! cmp -s "$tmp/a.c14n" "$tmp/b.c14n"; then
        ko "$a: domestic -> international -> domestic differs"; continue
    fi
    leaves "$a" >"$tmp/orig.leaves"
    leaves "$back" >"$tmp/back.leaves"
    LC_ALL=C comm -23 "$tmp/orig.leaves" "$tmp/back.leaves" >"$tmp/lost"
    echo "loss $name: $(wc -l <"$tmp/lost" | tr -d ' ')"
    if [ "${EPHYTO_LOSS_VERBOSE:-0}" = 1 ]; then
        sed 's/^/    /' "$tmp/lost"
    fi
    ok
done
if [ "$nacc" -lt 8 ]; then
    ko "$variation: $nacc accept-*.xml samples, at least 8 expected"
fi

# 7. Refused ones fail the hub's schemas or the profile rules, as expected.
nref=0
for r in "$variation"/refuse-*.xml; do
    [ -e "$r" ] || continue
    nref=$((nref + 1))
    if [ ! -r "$r.expect" ]; then
        ko "$r: no $r.expect"; continue
    fi
    expect=$(head -n 1 "$r.expect")
    hubok=1
    xmllint --noout --nonet --schema "$hub" "$r" 2>"$tmp/err" >/dev/null || hubok=0
    rulesok=1
    rules "$r" "$tmp/fail" || rulesok=0
    if [ "$hubok" = 1 ] && [ "$rulesok" = 1 ]; then
        ko "$r: accepted, but should be refused"
    elif ! cat "$tmp/err" "$tmp/fail" | grep -q -F -e "$expect"; then
        ko "$r: refused, but not with '$expect'"; cat "$tmp/err" "$tmp/fail" >&2
    else
        ok
    fi
done
if [ "$nref" -lt 10 ]; then
    ko "$variation: $nref refuse-*.xml samples, at least 10 expected"
fi

echo "ephyto: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
