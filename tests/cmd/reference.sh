#!/bin/sh
# The external yardstick: what swnode emits passes the counterparties' own
# published schemas, and their real documents pass swnode inbound.
. "$(dirname "$0")/lib.sh"
need_shared

WCO=$SHARED/reference/wco-dec-dms2
for f in "$TESTDATA"/customs-declaration/*.xml; do
	b=$(basename "$f" .xml)
	expect 0 "map $b" "$SWNODE" map --to international "$f" -o "$T/$b.xml" || continue
	if xmllint --noout --schema "$WCO/WCO_DEC_with_MetaData.xsd" "$T/$b.xml" 2>"$T/xerr"; then
		pass
	else
		fail "$b: emitted declaration fails the published WCO schema"
		head -5 "$T/xerr"
	fi
done
for s in "$WCO"/samples/*.xml; do
	b=$(basename "$s" .xml)
	expect 0 "real sample $b is a valid international declaration" "$SWNODE" validate "$s"
	has "$T/out" "valid customs-declaration (international)" "$b detected"
	expect 0 "real sample $b maps to domestic" "$SWNODE" map --to domestic "$s" -o "$T/$b.dom.xml"
	expect 0 "mapped $b validates" "$SWNODE" validate "$T/$b.dom.xml"
	has "$T/out" "valid customs-declaration (domestic)" "$b lands in the domestic form"
done

# ePhyto: the IPPC hub's own inline schemas, extracted from its WSDL.
sh "$TOP_SRCDIR/tests/tools/ephyto-hub-schemas.sh" "$T/hub" "$SHARED/reference/ephyto-hub/ephyto-hub.wsdl" >/dev/null 2>&1 ||
	fail "cannot extract the hub schemas"
for f in "$TESTDATA"/ephyto/*.xml; do
	b=$(basename "$f" .xml)
	expect 0 "map $b" "$SWNODE" map --to international "$f" -o "$T/$b.xml" || continue
	if xmllint --noout --schema "$T/hub/driver.xsd" "$T/$b.xml" 2>"$T/xerr"; then
		pass
	else
		fail "$b: emitted SPS certificate fails the ePhyto hub schema"
		head -5 "$T/xerr"
	fi
done
finish
