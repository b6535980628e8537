#!/bin/sh
# check-ephyto.sh REPO SHARED
#
# Checks the ephyto document family with xmllint and xsltproc:
#   1. every domestic sample tests/data/ephyto/*.xml validates against
#      schemas/ephyto/domestic.xsd;
#   2. to-international.xsl maps it to a document that validates against
#      schemas/ephyto/international.xsd and against the IPPC ePhyto hub's own
#      schemas (inline in SHARED/reference/ephyto-hub/ephyto-hub.wsdl,
#      extracted by tests/tools/ephyto-hub-schemas.sh);
#   3. to-domestic.xsl maps that back to a document identical to the sample
#      (xmllint --noblanks | xmllint --exc-c14n, byte for byte);
#   4. a received document with wrapped text and two consignment items is
#      accepted and maps to a valid domestic document;
#   5. every tests/data/bad/ephyto-invalid-*.xml fails domestic validation
#      with a message containing the line in its .expect file.
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
    if ! xmllint --noout --nonet --schema "$schemas/international.xsd" "$intl" 2>"$tmp/err"; then
        ko "$d: mapped document not valid against international.xsd"; cat "$tmp/err" >&2; continue
    fi
    if ! xmllint --noout --nonet --schema "$tmp/hub/driver.xsd" "$intl" 2>"$tmp/err"; then
        ko "$d: mapped document not valid against the ePhyto hub schemas"; cat "$tmp/err" >&2; continue
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
    if xmllint --noout --nonet --schema "$tmp/hub/driver.xsd" "$tmp/hub-negative.xml" 2>/dev/null; then
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
if ! xmllint --noout --nonet --schema "$schemas/international.xsd" "$tmp/inbound.xml" 2>"$tmp/err"; then
    ko "inbound sample: not valid against international.xsd"; cat "$tmp/err" >&2
elif ! xmllint --noout --nonet --schema "$tmp/hub/driver.xsd" "$tmp/inbound.xml" 2>"$tmp/err"; then
    ko "inbound sample: not valid against the ePhyto hub schemas"; cat "$tmp/err" >&2
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

echo "ephyto: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
