#!/bin/sh
# Text from outside cannot forge a log line or hide in a stored reason: a
# query value of the local API and values of a peer's message that hold
# line breaks and control characters reach the node's log, its ledger and
# its eb:Error escaped (docs/security.md, node/base/escape.h).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }

CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
start_node "$SG"
LP=$(sed -n 's/^local //p' "$SG.out")
[ -n "$LP" ] && pass || { fail "serve printed no local port"; cat "$SG.out"; exit 1; }
TOKEN=$(cat "$SG/local.token")
eco=$(ls "$TESTDATA"/eco/*.xml | head -1)
FORGED='2026-01-01T00:00:00.000Z swnode[1]: forged'

# no_forged_line DESCRIPTION: no line of SG's log starts like a line of its own
no_forged_line() {
	if grep -n "^2026-01-01T00:00:00.000Z swnode\[1\]: forged\|^swnode: forged" "$SG.log"; then
		fail "$1: a forged line in the log"
	else
		pass
	fi
}
# no_raw BYTES DESCRIPTION: SG's log holds none of these bytes (octal escapes)
no_raw() {
	if LC_ALL=C grep -q "$(printf "$1")" "$SG.log"; then fail "$2: raw in the log"; else pass; fi
}

# ---- a command's error quoting a file name with a newline and ESC ----
bad="$T/x
swnode: forged$(printf '\033')[2J.xml"
printf 'not xml' >"$bad"
expect 1 "validate a file that is not XML" "$SWNODE" validate "$bad"
[ "$(wc -l <"$T/err")" -eq 1 ] && pass || { fail "the error takes $(wc -l <"$T/err") lines"; cat "$T/err"; }
has "$T/err" "x\x0aswnode: forged\x1b[2J.xml: not an XML document" "the file name is escaped"

# ---- the local API: a query value with %0A, a whole fake line, CR, ESC, \ ----
CODE=$(curl -sS -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" --data-binary @"$eco" \
	"http://127.0.0.1:$LP/submit?to=X%0A2026-01-01T00:00:00.000Z%20swnode%5B1%5D:%20forged%0D%1B%5B2J%5C")
[ "$CODE" = 422 ] && pass || fail "a party without an agreement: HTTP $CODE"
no_forged_line "a query value"
no_raw '\033' "ESC from a query value"
no_raw '\r' "CR from a query value"
has "$SG.log" "local API: submission to X\\x0a$FORGED\\x0d\\x1b[2J\\\\ refused: " \
	"the query value is logged escaped"

# ---- a peer's message: a MessageId with line breaks and DEL ----
# A malformed header, refused before the signature is looked at (`as4
# sign` would not sign it); the refusal quotes it escaped everywhere.
"$SWNODE" --home "$CN" as4 pack --agreement AB --unsigned "$eco" -o "$T/u0.xml" 2>/dev/null
sed -e "s|<eb:MessageId>[^<]*</eb:MessageId>|<eb:MessageId>inj-1@CN-SW\&#13;\&#10;$FORGED\&#127;</eb:MessageId>|" \
	"$T/u0.xml" >"$T/id.xml"
grep -q 'inj-1@CN-SW&#13;' "$T/id.xml" && pass || fail "the MessageId was not crafted"
idwhy="eb:MessageId 'inj-1@CN-SW\x0d\x0a$FORGED\x7f' is not allowed: a MessageId is 1-255 printable ASCII"
# `as4 verify` shows it escaped too.
expect 2 "as4 verify of a message with that MessageId" "$SWNODE" as4 verify "$T/id.xml" --cert "$CN/certs/signing.pem"
has "$T/err" "$idwhy" "as4 verify escapes the MessageId"
grep -q '^2026-01-01T00:00:00.000Z swnode' "$T/out" "$T/err" && fail "as4 verify printed a line of the MessageId's own" || pass
post "$CN" "$SG" "$PORT_B" "$T/id.xml"
has "$T/reply" 'errorCode="EBMS:0009"' "the bad MessageId is refused"
no_forged_line "a MessageId"
no_raw '\177' "DEL from a MessageId"
no_raw '\r' "CR from a MessageId"
got=$(sql "$SG" "select reason from entries where event='REFUSED' order by seq desc limit 1")
case $got in "EBMS:0009 InvalidHeader: $idwhy"*) pass ;; *) fail "the ledger reason is '$got'" ;; esac
has "$SG.log" "in (no MessageId): error EBMS:0009: $idwhy" "the MessageId is logged escaped, on one line"
xmllint --xpath 'string(//*[local-name()="Description"])' "$T/reply" >"$T/desc" 2>/dev/null
has "$T/desc" "$idwhy" "the eb:Error's description is escaped"
[ "$(wc -l <"$T/desc")" -eq 1 ] && pass || fail "the eb:Error's description has line breaks"

# ---- a peer's signed message: a Timestamp with line breaks, tab, DEL ----
# ---- and a C1 control (U+009B, CSI on some terminals)                 ----
sed -e "s|<eb:MessageId>[^<]*</eb:MessageId>|<eb:MessageId>inj-1@CN-SW</eb:MessageId>|" \
    -e 's|<eb:Timestamp>[^<]*</eb:Timestamp>|<eb:Timestamp>soon\&#10;swnode: forged\&#9;\&#127;\&#155;2J\\</eb:Timestamp>|' \
	"$T/u0.xml" >"$T/u1.xml"
grep -q 'forged&#9;' "$T/u1.xml" && pass || fail "the message was not crafted"
"$SWNODE" --home "$CN" as4 sign "$T/u1.xml" -o "$T/inj.xml"
post "$CN" "$SG" "$PORT_B" "$T/inj.xml"
has "$T/reply" 'errorCode="EBMS:0009"' "the bad Timestamp is refused"
no_forged_line "a Timestamp"
no_raw '\177' "DEL from a message"
no_raw '\302\233' "a C1 control from a message"
no_raw '\r' "CR from a message"
want="EBMS:0009 InvalidHeader: eb:Timestamp 'soon\\x0aswnode: forged\\x09\\x7f\\xc2\\x9b2J\\\\' is not a UTC xsd:dateTime"
got=$(sql "$SG" "select reason from entries where event='REFUSED' order by seq desc limit 1")
[ "$got" = "$want" ] && pass || fail "the ledger reason is '$got', expected '$want'"
has "$SG.log" "in inj-1@CN-SW: error EBMS:0009: eb:Timestamp 'soon\\x0aswnode: forged\\x09" \
	"the reason is logged escaped, on one line"
xmllint --xpath 'string(//*[local-name()="Description"])' "$T/reply" >"$T/desc" 2>/dev/null
has "$T/desc" "eb:Timestamp 'soon\\x0aswnode: forged\\x09\\x7f\\xc2\\x9b2J\\\\'" \
	"the eb:Error's description is escaped"
[ "$(wc -l <"$T/desc")" -eq 1 ] && pass || fail "the eb:Error's description has line breaks"

# Reasons are hashed as they are stored: the ledger still verifies.
expect 0 "ledger verify" "$SWNODE" --home "$SG" ledger verify
stop_node "$SG"
[ "$RC" -eq 0 ] && pass || fail "the node exited $RC"
finish
