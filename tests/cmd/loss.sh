#!/bin/sh
# Real partner documents in, nothing silently lost (docs/exchange.md, What
# the domestic form cannot hold; docs/documents.md): every published HMRC
# sample declaration is accepted over AS4, placed in the domestic form with
# the international document and a loss report beside it, and maps back to
# a declaration the published schema accepts; values the domestic form
# cannot hold are reported with path and value; rules an agreement adds are
# enforced both ways.
. "$(dirname "$0")/lib.sh"
need_shared

CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
start_node "$CN"
start_node "$SG"
REPORT_XSD=$SWNODE_SCHEMAS/loss-report.xsd

# beside FILE: the .international and .loss-report placed beside FILE
beside() { echo "${1%.xml}.$2"; }

# ---- every HMRC sample and both reference samples, over AS4 ----
for f in "$TESTDATA"/hmrc/*.xml "$SHARED"/reference/wco-dec-dms2/samples/*.xml; do
	name=$(basename "$f")
	run "$SWNODE" --home "$CN" send "$f" --to SG-NTP --wait 60
	if [ "$RC" -ne 0 ]; then fail "$name not delivered: $(cat "$T/err")"; continue; fi
	pass
	msg=$(head -1 "$T/out")
	doc=$(placed_file "$SG" "$msg")
	[ -n "$doc" ] && [ -f "$doc" ] && pass || { fail "$name not placed"; continue; }
	xmllint --noout --schema "$SWNODE_SCHEMAS/customs-declaration/domestic.xsd" "$doc" 2>/dev/null &&
		pass || fail "$name: the placed document is not a valid domestic declaration"
	# The international document beside it: the one sent.
	canon "$f" >"$T/a" && canon "$(beside "$doc" international)" >"$T/b"
	same "$T/a" "$T/b" "$name: the international document beside it is not the one sent"
	# The loss report: valid, and its count is the ledger's.
	rep=$(beside "$doc" loss-report)
	xmllint --noout --schema "$REPORT_XSD" "$rep" 2>/dev/null && pass || fail "$name: no valid loss report"
	lost=$(xmllint --xpath 'string(/*/@lost)' "$rep" 2>/dev/null)
	reason=$(sql "$SG" "select reason from entries where msgid='$msg' and event='DELIVERED_LOCAL'")
	case $reason in "lost $lost, international sha256:"*) pass ;;
		*) fail "$name: the ledger does not count the loss ($lost): $reason" ;; esac
	# Mapped back, the published schema accepts it (map validates its output).
	expect 0 "$name: the domestic document maps back to a valid declaration" \
		"$SWNODE" map --to international "$doc" -o "$T/back.xml"
done

# ---- a value the domestic form cannot hold: reported, original beside ----
# ePhyto's variation sample 09 carries values of the wrong kind for the
# domestic form (docs/doctypes/ephyto.md): its loss report names them.
v9=$TESTDATA/ephyto-variation/accept-09-values-not-fitting.xml
run "$SWNODE" map --to domestic "$v9" --report "$T/v9.report" -o "$T/v9.xml"
[ "$RC" -eq 0 ] && pass || fail "map --to domestic --report: exit $RC: $(cat "$T/err")"
n9=$(xmllint --xpath 'string(/*/@lost)' "$T/v9.report")
[ "${n9:-0}" -gt 0 ] && pass || fail "accept-09: nothing reported lost"
[ "$(xmllint --xpath 'count(/*/*[local-name()="Lost"])' "$T/v9.report")" = "$n9" ] && pass ||
	fail "accept-09: the count is not the number of values listed"
# Without --report the same list goes to stderr, one "path = value" each.
run "$SWNODE" map --to domestic "$v9" -o "$T/v9b.xml"
[ "$(grep -c '^  /.* = ' "$T/err")" = "$n9" ] && pass || fail "map --to domestic: the report on stderr: $(cat "$T/err")"
# An element the declaration's domestic form has no place for (the code of
# the customisation scheme): reported with its path and value, and the
# original delivered beside the domestic document.
ex1=$SHARED/reference/wco-dec-dms2/samples/TT_EX001a.xml
sed -e 's#<md:AgencyAssignedCustomizationVersionCode>#<md:AgencyAssignedCustomizationCode>CDS-X</md:AgencyAssignedCustomizationCode>&#' "$ex1" >"$T/extra.xml"
run "$SWNODE" map --to domestic "$T/extra.xml" --report "$T/extra.report" -o "$T/extra-dom.xml"
if grep -q 'path="/md:MetaData/md:AgencyAssignedCustomizationCode" value="CDS-X"' "$T/extra.report"; then
	pass
	run "$SWNODE" --home "$CN" send "$T/extra.xml" --to SG-NTP --wait 60
	msg=$(head -1 "$T/out")
	doc=$(placed_file "$SG" "$msg")
	has "$(beside "$doc" loss-report)" 'value="CDS-X"' "the loss report beside the placed document"
	has "$(beside "$doc" international)" "CDS-X" "the original beside the placed document"
else
	fail "AgencyAssignedCustomizationCode not reported: $(cat "$T/extra.report" "$T/err")"
fi

# ---- rules an agreement adds: refused on receipt, refused on submission ----
cat >"$SG/peers/agency.sch" <<'SCH'
<schema xmlns="http://purl.oclc.org/dsdl/schematron">
  <ns prefix="md" uri="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"/>
  <pattern>
    <rule context="/md:MetaData">
      <assert test="md:ResponsibleAgencyName = 'SG Customs'">this agreement takes declarations of SG Customs only, not of <value-of select="md:ResponsibleAgencyName"/></assert>
    </rule>
  </pattern>
</schema>
SCH
sed -i 's#<document type="customs-declaration"#<document rules="agency.sch" type="customs-declaration"#' "$SG/peers/AB.xml"
expect 0 "peer check takes an agreement with rules" "$SWNODE" --home "$SG" peer check
reload_node "$SG"
run "$SWNODE" --home "$CN" send "$ex1" --to SG-NTP --wait 60
[ "$RC" -ne 0 ] && pass || fail "a declaration failing the agreement's rules was delivered"
msg=$(head -1 "$T/out")
[ "$(entries "$SG" "msgid='$msg' and event='REFUSED' and reason like '%SG Customs only, not of HMRC%'")" = 1 ] &&
	pass || fail "no REFUSED naming the rule: $(sql "$SG" "select reason from entries where msgid='$msg'")"
[ "$(entries "$SG" "msgid='$msg' and event='DELIVERED_LOCAL'")" = 0 ] && pass || fail "refused, yet placed"
# The same rules on the sending side refuse the submission itself.
cp "$SG/peers/agency.sch" "$CN/peers/agency.sch"
sed -i 's#<document type="customs-declaration"#<document rules="agency.sch" type="customs-declaration"#' "$CN/peers/AB.xml"
reload_node "$CN"
run "$SWNODE" --home "$CN" send "$ex1" --to SG-NTP
[ "$RC" -ne 0 ] && pass || fail "submission failing the agreement's rules accepted"
has "$T/err" "SG Customs only" "the submission's refusal names the rule"
# A rule file that does not compile stops the agreement at check.
echo '<schema xmlns="http://purl.oclc.org/dsdl/schematron"><phase id="x"/></schema>' >"$SG/peers/agency.sch"
expect 1 "peer check reports rules that cannot be checked" "$SWNODE" --home "$SG" peer check
has "$T/out" "not supported" "peer check names what is not supported"

finish
