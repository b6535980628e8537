#!/bin/sh
# check-eco.sh: check the certificate-of-origin (eco) doctype with xmllint
# and xsltproc only.
#
# usage: check-eco.sh REPO_ROOT [SHARED_DIR]
#
# For every domestic sample tests/data/eco/*.xml:
#   - it validates against schemas/eco/domestic.xsd;
#   - to-international.xsl gives a document that validates against
#     schemas/eco/international.xsd, and the same bytes when run twice;
#   - to-domestic.xsl of that gives back the sample exactly (canonical XML
#     after removing ignorable white space);
#   - to-international.xsl of the round-tripped document gives back the
#     same international document.
# For every tests/data/bad/eco-invalid-*.xml: validation fails and the
# error output contains the line in the matching .expect file.
# Finally a foreign-style international document (date-times, padded codes,
# two different invoice references) must map to a valid domestic document.
#
# There is no external yardstick for this family, so SHARED_DIR is accepted
# for a uniform interface and not used.  Writes only inside a mktemp dir.
# Exit status: 0 when every check passes, 1 otherwise, 2 on usage errors.

set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 REPO_ROOT [SHARED_DIR]" >&2
	exit 2
fi
root=$1
dir=$root/schemas/eco
data=$root/tests/data/eco
bad=$root/tests/data/bad

for tool in xmllint xsltproc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "check-eco: $tool not found" >&2
		exit 2
	fi
done
for f in domestic.xsd international.xsd to-international.xsl to-domestic.xsl; do
	if [ ! -f "$dir/$f" ]; then
		echo "check-eco: missing $dir/$f" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-eco.XXXXXX") || exit 2
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

samples=0
for d in "$data"/*.xml; do
	[ -f "$d" ] || continue
	samples=$((samples + 1))
	name=$(basename "$d" .xml)
	checks=$((checks + 1))
	if ! valid "$dir/domestic.xsd" "$d"; then
		fail "$name: domestic validation"; cat "$tmp/err" >&2; continue
	fi
	if ! xsltproc --nonet "$dir/to-international.xsl" "$d" >"$tmp/$name.int.xml" 2>"$tmp/err"; then
		fail "$name: to-international.xsl"; cat "$tmp/err" >&2; continue
	fi
	if ! xsltproc --nonet "$dir/to-international.xsl" "$d" >"$tmp/$name.int2.xml" 2>/dev/null ||
	   ! cmp -s "$tmp/$name.int.xml" "$tmp/$name.int2.xml"; then
		fail "$name: to-international.xsl output differs between runs"
	fi
	if ! valid "$dir/international.xsd" "$tmp/$name.int.xml"; then
		fail "$name: international validation"; cat "$tmp/err" >&2; continue
	fi
	if ! xsltproc --nonet "$dir/to-domestic.xsl" "$tmp/$name.int.xml" >"$tmp/$name.dom.xml" 2>"$tmp/err"; then
		fail "$name: to-domestic.xsl"; cat "$tmp/err" >&2; continue
	fi
	if ! valid "$dir/domestic.xsd" "$tmp/$name.dom.xml"; then
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
		fail "$name: international form not stable over a round trip"
	fi
done
if [ "$samples" -lt 6 ]; then
	fail "only $samples domestic samples in $data (need 6)"
fi

nbad=0
for b in "$bad"/eco-invalid-*.xml; do
	[ -f "$b" ] || continue
	nbad=$((nbad + 1))
	name=$(basename "$b")
	checks=$((checks + 1))
	if ! xmllint --noout --nonet "$b" 2>"$tmp/err"; then
		fail "$name: not well-formed"; continue
	fi
	if valid "$dir/domestic.xsd" "$b"; then
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
	fail "only $nbad invalid samples in $bad (need 3)"
fi

# Inbound document as another window might write it: date-time values,
# white space around codes, a second invoice reference.  Lossy, but it
# must give a valid domestic document with the documented values.
checks=$((checks + 1))
cat >"$tmp/foreign.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<CertificateOfOrigin xmlns="urn:swnode:international:CertificateOfOrigin:1">
  <ExchangedDocument>
    <ID>KR-2024-BS-0001234</ID>
    <TypeCode> 864 </TypeCode>
    <IssueDateTime>2024-05-02T09:30:00+09:00</IssueDateTime>
    <FirstSignatoryDocumentAuthentication>
      <ActualDateTime>2024-05-02T09:30:00+09:00</ActualDateTime>
      <ProviderTradeParty>
        <SpecifiedAuthoritativeSignatoryPerson>
          <Name>Kim Min-jun</Name>
        </SpecifiedAuthoritativeSignatoryPerson>
      </ProviderTradeParty>
      <IssueLogisticsLocation>
        <Name>Busan</Name>
      </IssueLogisticsLocation>
    </FirstSignatoryDocumentAuthentication>
    <SecondSignatoryDocumentAuthentication>
      <ActualDateTime>2024-05-01</ActualDateTime>
      <ProviderTradeParty/>
      <IssueLogisticsLocation>
        <Name>Changwon</Name>
      </IssueLogisticsLocation>
    </SecondSignatoryDocumentAuthentication>
    <IssuerTradeParty>
      <ID>KCS601</ID>
      <Name>Busan Customs, Korea Customs Service</Name>
    </IssuerTradeParty>
  </ExchangedDocument>
  <Status>issued</Status>
  <IsPreferential> true </IsPreferential>
  <FreeTradeAgreement>China-Korea Free Trade Agreement</FreeTradeAgreement>
  <SpecifiedConsignment>
    <ExportExitDateTime>2024-05-03T18:00:00Z</ExportExitDateTime>
    <ConsignorTradeParty>
      <Name>Changwon Precision Machinery Co., Ltd.</Name>
      <PostalTradeAddress>
        <LineOne>45 Changwon-daero, Seongsan-gu, Changwon</LineOne>
        <CountryID>KR</CountryID>
      </PostalTradeAddress>
    </ConsignorTradeParty>
    <ConsigneeTradeParty>
      <Name>天津机械进口有限公司</Name>
      <PostalTradeAddress>
        <LineOne>天津市滨海新区第二大街66号</LineOne>
        <CountryID>CN</CountryID>
      </PostalTradeAddress>
    </ConsigneeTradeParty>
    <IncludedConsignmentItem>
      <IncludedTradeLineItem>
        <SequenceNumeric>1</SequenceNumeric>
        <SpecifiedTradeProduct>
          <Description>Hydraulic pumps, gear type</Description>
          <DesignatedProductClassification>
            <SystemID>HS</SystemID>
            <ClassCode>841360</ClassCode>
          </DesignatedProductClassification>
          <OriginTradeCountry>
            <ID>KR</ID>
          </OriginTradeCountry>
        </SpecifiedTradeProduct>
        <ProductQuantity unitCode="PCE">200</ProductQuantity>
        <PhysicalReferencedLogisticsPackage>
          <ItemQuantity>10</ItemQuantity>
          <LevelCode>4</LevelCode>
          <TypeCode>CS</TypeCode>
        </PhysicalReferencedLogisticsPackage>
        <InvoiceAssociatedReferencedDocument>
          <ID>CPM-24-0501</ID>
          <FormattedIssueDateTime>2024-04-28</FormattedIssueDateTime>
        </InvoiceAssociatedReferencedDocument>
      </IncludedTradeLineItem>
      <ApplicableCrossBorderRegulatoryProcedure>
        <ExportLicenceControlClassificationID>PSR</ExportLicenceControlClassificationID>
      </ApplicableCrossBorderRegulatoryProcedure>
    </IncludedConsignmentItem>
    <IncludedConsignmentItem>
      <IncludedTradeLineItem>
        <SequenceNumeric>2</SequenceNumeric>
        <SpecifiedTradeProduct>
          <Description>Parts of hydraulic pumps</Description>
          <DesignatedProductClassification>
            <SystemID>HS</SystemID>
            <ClassCode>841391</ClassCode>
          </DesignatedProductClassification>
          <OriginTradeCountry>
            <ID>KR</ID>
          </OriginTradeCountry>
        </SpecifiedTradeProduct>
        <ProductQuantity unitCode="KGM">350.5</ProductQuantity>
        <PhysicalReferencedLogisticsPackage>
          <ItemQuantity>2</ItemQuantity>
          <LevelCode>3</LevelCode>
          <TypeCode>PX</TypeCode>
        </PhysicalReferencedLogisticsPackage>
        <InvoiceAssociatedReferencedDocument>
          <ID>CPM-24-0502</ID>
        </InvoiceAssociatedReferencedDocument>
      </IncludedTradeLineItem>
    </IncludedConsignmentItem>
    <MainCarriageLogisticsTransportMovement>
      <ModeCode> 1 </ModeCode>
    </MainCarriageLogisticsTransportMovement>
    <UnloadingLogisticsLocation>
      <ID>CNTXG</ID>
    </UnloadingLogisticsLocation>
  </SpecifiedConsignment>
</CertificateOfOrigin>
EOF
if ! valid "$dir/international.xsd" "$tmp/foreign.xml"; then
	fail "foreign: international validation"; cat "$tmp/err" >&2
elif ! xsltproc --nonet "$dir/to-domestic.xsl" "$tmp/foreign.xml" >"$tmp/foreign.dom.xml" 2>"$tmp/err"; then
	fail "foreign: to-domestic.xsl"; cat "$tmp/err" >&2
elif ! valid "$dir/domestic.xsd" "$tmp/foreign.dom.xml"; then
	fail "foreign: domestic validation"; cat "$tmp/err" >&2
else
	# Spot checks of the lossy parts, by exact canonical text.
	canon "$tmp/foreign.dom.xml" "$tmp/foreign.c"
	for want in '<IssueDate>2024-05-02</IssueDate>' \
	            '<CertificateType>Preferential</CertificateType>' \
	            '<Preferential>true</Preferential>' \
	            '<FreeTradeAgreement>CN-KR</FreeTradeAgreement>' \
	            '<DepartureDate>2024-05-03</DepartureDate>' \
	            '<Invoice><Number>CPM-24-0501</Number><Date>2024-04-28</Date></Invoice>' \
	            '<Mode>Sea</Mode>' \
	            '<Signatory>Kim Min-jun</Signatory>'; do
		if ! grep -qF -- "$want" "$tmp/foreign.c"; then
			fail "foreign: domestic output lacks $want"
		fi
	done
fi

if [ "$failures" -ne 0 ]; then
	echo "check-eco: $failures failure(s) in $checks check(s)" >&2
	exit 1
fi
echo "check-eco: $checks checks passed ($samples samples, $nbad invalid samples, 1 inbound)"
exit 0
