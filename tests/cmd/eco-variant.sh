#!/bin/sh
# Two international forms of one domestic document: node A's agreement with
# B carries the partner profile eco-cefact (not eco), its agreement with C
# carries eco.  The same domestic certificate goes to B as the partner form
# (urn:swnode:partner:eco-cefact:1) and to C as the project's own form, and
# arrives on both as the domestic document sent (docs/doctypes/eco-cefact.md).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }

PARTNER=urn:swnode:partner:eco-cefact:1
OWN=urn:swnode:international:CertificateOfOrigin:1

"$SWNODE" doctypes >"$T/types" 2>&1
grep -q '^eco-cefact	' "$T/types" || { echo "FAIL: no eco-cefact in the registry"; cat "$T/types"; exit 1; }

# A and B as in every exchange test; C, a third node, paired with A the
# same way under agreement AC.
A=$T/a B=$T/b C=$T/c
pair "$A" CN-SW "$B" KR-KTNET
pc=$(free_port 2)
newnode "$C" SG-NTP --key ec-p256 --endpoint "https://127.0.0.1:$pc/as4" --listen "127.0.0.1:$pc"
"$SWNODE" --home "$C" cert export -o "$C.bundle" 2>/dev/null
"$SWNODE" --home "$A" peer import "$C.bundle" --agreement-id AC --profile body >/dev/null
"$SWNODE" --home "$C" peer import "$A.bundle" --agreement-id AC --profile body >/dev/null
for h in "$A" "$C"; do
	sed -i -e 's/status="draft"/status="active"/' \
	    -e 's/intervals="[^"]*"/intervals="1 1 1 1 2 2 2 2 2 2"/' "$h/peers/AC.xml"
done

# peer import lists every registered type; B's window uses the partner
# form, C's the project's.
sed -i '/<document type="eco" /d' "$A/peers/AB.xml" "$B/peers/AB.xml"
sed -i '/<document type="eco-cefact" /d' "$A/peers/AC.xml" "$C/peers/AC.xml"
has "$A/peers/AB.xml" '<document type="eco-cefact" direction="both"' "AB carries eco-cefact"
hasnt "$A/peers/AB.xml" '<document type="eco" ' "AB does not carry eco"
has "$A/peers/AC.xml" '<document type="eco" direction="both"' "AC carries eco"
hasnt "$A/peers/AC.xml" '<document type="eco-cefact" ' "AC does not carry eco-cefact"
expect 0 "peer check on A" "$SWNODE" --home "$A" peer check
start_node "$A"
start_node "$B"
start_node "$C"

# send FROM TO-PARTY FILE: send and wait for delivery; the MessageId in $MSG
send() {
	run "$SWNODE" --home "$1" send "$3" --to "$2" --wait 60
	MSG=$(head -1 "$T/out")
	if [ "$RC" -eq 0 ]; then pass; else fail "send $(basename "$3") to $2: $(cat "$T/err")"; fi
}

# arrived HOME MSGID ORIGINAL: the domestic document in HOME's spool/in is
# the original in every field
arrived() {
	placed=$(placed_file "$1" "$2")
	if [ -z "$placed" ] || [ ! -f "$placed" ]; then fail "$2 not in $(basename "$1")/spool/in"; return; fi
	canon "$3" >"$T/a.c14n" && canon "$placed" >"$T/b.c14n"
	same "$T/a.c14n" "$T/b.c14n" "$2 arrived different from $(basename "$3")"
}

# evidence HOME MSGID EVENT OUT: the evidence of the message's EVENT entry
evidence() {
	sql "$1" "select cast(body as text) from evidence where digest =
		(select evidence from entries where msgid='$2' and event='$3')" >"$4"
}

# payload FILE OUT: the certificate in the SOAP Body of a body-form message,
# whichever form it is in
cat >"$T/payload.xsl" <<'EOF'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:p="urn:swnode:partner:eco-cefact:1"
                xmlns:i="urn:swnode:international:CertificateOfOrigin:1">
  <xsl:template match="/">
    <xsl:copy-of select="(//p:bspPreferentialCoO | //i:CertificateOfOrigin)[1]"/>
  </xsl:template>
</xsl:stylesheet>
EOF
payload() {
	xsltproc --nonet "$T/payload.xsl" "$1" >"$2" 2>/dev/null
}

# doctype_of HOME MSGID EVENT: the doctype its ledger recorded
doctype_of() {
	sql "$1" "select doctype from entries where msgid='$2' and event='$3'"
}

# ---- A to B: the partner form ----
n=0
for f in $(ls "$TESTDATA"/eco/*.xml | head -3); do
	n=$((n + 1))
	send "$A" KR-KTNET "$f"
	[ "$(doctype_of "$A" "$MSG" SUBMITTED)" = eco-cefact ] && pass ||
		fail "$MSG to B recorded as $(doctype_of "$A" "$MSG" SUBMITTED), not eco-cefact"
	evidence "$A" "$MSG" SUBMITTED "$T/ab$n.msg"
	has "$T/ab$n.msg" "xmlns=\"$PARTNER\"" "A's evidence of $MSG holds the partner form"
	hasnt "$T/ab$n.msg" "$OWN" "A's evidence of $MSG holds no project form"
	payload "$T/ab$n.msg" "$T/ab$n.xml"
	xmllint --noout --nonet --schema "$SWNODE_SCHEMAS/eco-cefact/international.xsd" "$T/ab$n.xml" \
		>"$T/v" 2>&1 && pass || { fail "the certificate sent to B is not a valid eco-cefact document"; cat "$T/v"; }
	[ "$(xmllint --xpath 'concat(namespace-uri(/*), " ", local-name(/*))' "$T/ab$n.xml" 2>/dev/null)" = \
	  "$PARTNER bspPreferentialCoO" ] && pass || fail "the certificate sent to B is not a bspPreferentialCoO"
	[ "$(doctype_of "$B" "$MSG" RECEIVED)" = eco-cefact ] && pass || fail "B did not record $MSG as eco-cefact"
	evidence "$B" "$MSG" RECEIVED "$T/b$n.msg"
	has "$T/b$n.msg" "xmlns=\"$PARTNER\"" "B received the partner form"
	arrived "$B" "$MSG" "$f"
	# Our own partner document comes in whole: nothing left out.
	[ "$(entries "$B" "msgid='$MSG' and event='DELIVERED_LOCAL' and reason like 'lost 0,%'")" = 1 ] &&
		pass || fail "B reports a loss on $MSG: $(sql "$B" "select reason from entries where msgid='$MSG' and event='DELIVERED_LOCAL'")"
done

# ---- A to C: the project's own form, for the same documents ----
n=0
for f in $(ls "$TESTDATA"/eco/*.xml | head -3); do
	n=$((n + 1))
	send "$A" SG-NTP "$f"
	[ "$(doctype_of "$A" "$MSG" SUBMITTED)" = eco ] && pass ||
		fail "$MSG to C recorded as $(doctype_of "$A" "$MSG" SUBMITTED), not eco"
	evidence "$A" "$MSG" SUBMITTED "$T/ac$n.msg"
	has "$T/ac$n.msg" "xmlns=\"$OWN\"" "A's evidence of $MSG holds the project form"
	hasnt "$T/ac$n.msg" "$PARTNER" "A's evidence of $MSG holds no partner form"
	payload "$T/ac$n.msg" "$T/ac$n.xml"
	xmllint --noout --nonet --schema "$SWNODE_SCHEMAS/eco/international.xsd" "$T/ac$n.xml" \
		>"$T/v" 2>&1 && pass || { fail "the certificate sent to C is not a valid eco document"; cat "$T/v"; }
	[ "$(doctype_of "$C" "$MSG" RECEIVED)" = eco ] && pass || fail "C did not record $MSG as eco"
	arrived "$C" "$MSG" "$f"
done

# ---- back: B's domestic certificate reaches A through the partner form ----
f=$(ls "$TESTDATA"/eco/*.xml | sed -n 4p)
send "$B" CN-SW "$f"
[ "$(doctype_of "$B" "$MSG" SUBMITTED)" = eco-cefact ] && pass || fail "B sent $MSG as $(doctype_of "$B" "$MSG" SUBMITTED)"
[ "$(doctype_of "$A" "$MSG" RECEIVED)" = eco-cefact ] && pass || fail "A did not record $MSG as eco-cefact"
arrived "$A" "$MSG" "$f"

# B's agreement carries no eco: the project's form, signed by A and
# addressed under AB, is refused there.
"$SWNODE" --home "$A" as4 pack --agreement AC --unsigned --message-id wrong-form@CN-SW "$f" -o "$T/own.xml" 2>/dev/null
sed -e 's|<eb:To><eb:PartyId\([^>]*\)>SG-NTP<|<eb:To><eb:PartyId\1>KR-KTNET<|' \
    -e 's|<eb:AgreementRef>AC<|<eb:AgreementRef>AB<|' \
    -e 's|urn:swnode:service:eco<|urn:swnode:service:eco-cefact<|' "$T/own.xml" >"$T/own2.xml"
"$SWNODE" --home "$A" as4 sign "$T/own2.xml" -o "$T/own3.xml" 2>/dev/null
has "$T/own3.xml" "xmlns=\"$OWN\"" "a project-form message prepared for B"
post "$A" "$B" "$PORT_B" "$T/own3.xml"
has "$T/reply" 'errorCode="EBMS:0010"' "B refuses the project's form"
[ "$(entries "$B" "msgid='wrong-form@CN-SW' and event='REFUSED' and reason like '%does not allow receiving eco documents%'")" = 1 ] &&
	pass || fail "B recorded no refusal of the project's form: $(sql "$B" "select reason from entries where msgid='wrong-form@CN-SW'")"
[ "$(entries "$B" "msgid='wrong-form@CN-SW' and event='DELIVERED_LOCAL'")" = 0 ] && pass ||
	fail "B placed a document its agreement does not allow"

# ---- a certificate as the partner's window writes it ----
# (date-times, five address lines, two notes...), put into a message from A
# to B in place of the one A composed: placed as the domestic document
# check-eco-cefact.sh expects, with what the domestic form cannot hold in
# the loss report beside it.
partner_doc=$TESTDATA/eco-cefact/inbound/01-busan-datetimes.xml
cat >"$T/swap.xsl" <<'EOF2'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:p="urn:swnode:partner:eco-cefact:1">
  <xsl:param name="doc"/>
  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>
  <xsl:template match="p:bspPreferentialCoO">
    <xsl:copy-of select="document($doc)/*"/>
  </xsl:template>
</xsl:stylesheet>
EOF2
"$SWNODE" --home "$A" as4 pack --agreement AB --unsigned --message-id partner-1@CN-SW "$f" -o "$T/p0.xml" 2>/dev/null
xsltproc --nonet --stringparam doc "$partner_doc" "$T/swap.xsl" "$T/p0.xml" >"$T/p1.xml"
has "$T/p1.xml" "KR-2024-BS-0001234" "the partner's certificate is in the message"
"$SWNODE" --home "$A" as4 sign "$T/p1.xml" -o "$T/p2.xml"
post "$A" "$B" "$PORT_B" "$T/p2.xml"
has "$T/reply" "Receipt" "B takes the partner's certificate"
arrived "$B" partner-1@CN-SW "$TESTDATA/eco-cefact/inbound-domestic/01-busan-datetimes.xml"
lost=$(sql "$B" "select reason from entries where msgid='partner-1@CN-SW' and event='DELIVERED_LOCAL'" |
	sed -n 's/^lost \([0-9]*\),.*/\1/p')
# 12: the values docs/doctypes/eco-cefact.md lists as left out, as this
# certificate holds them.
[ "$lost" = 12 ] && pass || fail "B reports ${lost:-no} values lost from the partner's certificate, not 12"
report=$(placed_file "$B" partner-1@CN-SW | sed 's/\.xml$/.loss-report/')
if [ -f "$report" ]; then
	pass
	[ "$(grep -c '<Lost ' "$report")" = "$lost" ] && pass || fail "the loss report does not list $lost values"
	for v in 'value="Gyeongsangnam-do 51497"' 'value="Republic of Korea"' \
		 'value="2024-05-02T09:30:00+09:00"' 'value="Second note, not kept at home."' \
		 'value="CPM-24-0502"' 'value="KRPUS"'; do
		has "$report" "$v" "the loss report lists $v"
	done
else
	fail "no loss report beside the placed certificate"
fi

for h in "$A" "$B" "$C"; do
	stop_node "$h"
	[ "$RC" -eq 0 ] && pass || fail "$(basename "$h") exited $RC"
done
expect 0 "ledger verify on A" "$SWNODE" --home "$A" ledger verify
finish
