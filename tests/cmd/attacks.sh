#!/bin/bash
# The attack corpus (tests/attacks/*.attack) against a live node: each
# crafted message must get the refusal its file names (a signed eb:Error
# with that code, an HTTP status, or a failed TLS handshake), exactly one
# ledger record with the reason (none for a refused handshake), and the
# node must accept the next valid message.  Format: tests/attacks/README.md.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }
ATTACKS=$(cd "$(dirname "$0")/../attacks" && pwd)

CN=$T/cn SG=$T/sg EVIL=$T/evil
pair "$CN" CN-SW "$SG" SG-NTP
# The corpus provokes many refusals a minute: record them all.
sed -i 's|maxRefusalsPerMinute="[0-9]*"|maxRefusalsPerMinute="100000"|' "$SG/peers/AB.xml"
start_node "$SG"
ECO=$(ls "$TESTDATA"/eco/*.xml | head -1)
cp "$SG/peers/AB.xml" "$T/AB.saved"

# An attacker's node claiming to be CN-SW: its own keys, the real SG pinned.
newnode "$EVIL" CN-SW --key ec-p256
"$SWNODE" --home "$EVIL" peer import "$SG.bundle" --agreement-id AB --profile body >/dev/null
sed -i 's/status="draft"/status="active"/' "$EVIL/peers/AB.xml"

# ---- helpers for the attack files ----
# sign IN OUT: sign an unsigned message with CN's (the real peer's) key
sign() { "$SWNODE" --home "$CN" as4 sign "$1" -o "$2" 2>>"$T/craft.err"; }
# evil_pack OUT: a message signed by the attacker's key, its certificate in the token
evil_pack() { "$SWNODE" --home "$EVIL" as4 pack --agreement AB "$ECO" -o "$1" 2>>"$T/craft.err"; }
# forge XSL: the stylesheet applied to $UNSIGNED (it adds a ds:Signature
# template), then signed with CN's key by libxmlsec1 as the template's
# references say (tests/forge/dsig_forge), into $OUT
forge() {
	xsltproc "$ATTACKS/$1" "$UNSIGNED" >"$T/template.xml" &&
		"$TOP_BUILDDIR/tests/forge/dsig_forge" "$CN/keys/signing.key" "$CN/certs/signing.pem" \
			"$T/template.xml" "$OUT" 2>>"$T/craft.err"
}
# node_cpu_ticks HOME: CPU time the node has used so far, in clock ticks
node_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$1.pid")/stat"; }
# xslt XSL: the attack stylesheet applied to $GOOD, into $OUT
xslt() { xsltproc "$ATTACKS/$1" "$GOOD" >"$OUT"; }
# insert DTD-FILE BODY-FILE: $GOOD with DTD-FILE's content after the XML
# declaration and BODY-FILE's at the start of the soap:Body ("" for none)
insert() {
	awk -v dtd="$1" -v body="$2" '
		function cat(f,  l) { if (f != "") while ((getline l < f) > 0) printf "%s", l }
		NR == 1 { print; cat(dtd); print ""; next }
		!done && match($0, /<env:Body [^>]*>/) {
			printf "%s", substr($0, 1, RSTART + RLENGTH - 1); cat(body)
			print substr($0, RSTART + RLENGTH); done = 1; next }
		{ print }' "$GOOD" >"$OUT"
}
# doctype TEXT [BODY-FILE]: $GOOD with the DOCTYPE TEXT
doctype() { printf '%s' "$1" >"$T/dtd"; insert "$T/dtd" "${2:-}"; }
# in_body FILE: $GOOD with FILE's content at the start of soap:Body
in_body() { insert "" "$1"; }
# in_payload FILE: $GOOD with FILE's content at the end of the payload
# document, inside its root element (the structure stays valid AS4)
in_payload() {
	awk -v f="$1" '!done && match($0, /<\/[^>]*><\/env:Body>/) {
		printf "%s", substr($0, 1, RSTART - 1)
		while ((getline l < f) > 0) printf "%s", l
		print substr($0, RSTART); done = 1; next } { print }' "$GOOD" >"$OUT"
}
# in_header FILE [IN]: IN ($GOOD) with FILE's content as the last header
# block (just before </env:Header>), into $OUT
in_header() {
	awk -v f="$1" '!done && (i = index($0, "</env:Header>")) {
		printf "%s", substr($0, 1, i - 1)
		while ((getline l < f) > 0) printf "%s", l
		print substr($0, i); done = 1; next } { print }' "${2:-$GOOD}" >"$OUT"
}
# repeat N TEXT: TEXT N times, no newline
repeat() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }
# agreement SED-EXPR: SG's agreement edited, and reloaded
agreement() { sed "$1" "$T/AB.saved" >"$SG/peers/AB.xml"; reload_node "$SG"; }
# pin_cert PEM: SG's agreement pins PEM as CN's signing certificate
pin_cert() {
	nb=$(date -u -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
	na=$(date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
	xsltproc --stringparam sha256 "$(openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2)" \
		--stringparam notBefore "$nb" --stringparam notAfter "$na" \
		--stringparam subject "$(openssl x509 -in "$1" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')" \
		--stringparam pem "$(cat "$1")" "$ATTACKS/repin.xsl" "$T/AB.saved" >"$SG/peers/AB.xml"
	reload_node "$SG"
}
# dated_cert START END OUT: CN's signing key in a certificate valid from
# START to END (YYYYMMDDhhmmssZ), otherwise as CN's own
dated_cert() {
	d=$T/ca
	rm -rf "$d" && mkdir -p "$d" && : >"$d/index.txt"
	printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\nnew_certs_dir=%s\nserial=%s/serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\norganizationalUnitName=optional\n' \
		"$d" "$d" "$d" >"$d/ca.cnf"
	echo 01 >"$d/serial"
	openssl req -new -key "$CN/keys/signing.key" -subj "/OU=swnode signing/CN=CN-SW" -out "$d/req.pem" 2>/dev/null &&
	openssl ca -batch -selfsign -config "$d/ca.cnf" -keyfile "$CN/keys/signing.key" -in "$d/req.pem" \
		-startdate "$1" -enddate "$2" -preserveDN -notext -out "$3" 2>"$d/err" ||
		{ cat "$d/err"; fail "cannot make a dated certificate"; }
}

# post_to FILE [CURL OPTIONS]: POST FILE to SG with CN's TLS identity; the
# reply in $T/reply, the HTTP status in $STATUS, curl's exit code in $RC
post_to() {
	f=$1
	shift
	RC=0
	rm -f "$T/reply"
	STATUS=$(curl -sS --max-time 60 --cert "$CN/certs/tls.pem" --key "$CN/keys/tls.key" \
		--cacert "$SG/certs/tls.pem" -H 'Content-Type: application/soap+xml; charset=UTF-8' \
		"$@" --data-binary "@$f" -o "$T/reply" -w '%{http_code}' \
		"https://127.0.0.1:$PORT_B/as4" 2>"$T/curl.err") || RC=$?
}

# fresh: a new valid message from CN: $UNSIGNED, and $GOOD (it, signed)
fresh() {
	UNSIGNED=$T/unsigned.xml GOOD=$T/good.xml
	"$SWNODE" --home "$CN" as4 pack --agreement AB --unsigned "$ECO" -o "$UNSIGNED" 2>/dev/null &&
		sign "$UNSIGNED" "$GOOD" || { fail "cannot pack a message"; exit 1; }
	MSGID=$(sed -n 's|.*<eb:MessageId>\([^<]*\)</eb:MessageId>.*|\1|p' "$GOOD")
}

entries_now() { entries "$SG" 1; }

# ---- the corpus ----
nattacks=0
for f in "$ATTACKS"/*.attack; do
	name=$(basename "$f" .attack)
	unset -f setup craft teardown
	EXPECT="" REASON="" OPTS="" AS4_VERIFY=""
	# shellcheck disable=SC1090
	. "$f"
	[ -n "$EXPECT" ] || { fail "$name: no EXPECT"; continue; }
	nattacks=$((nattacks + 1))
	fresh
	OUT=$T/attack.xml
	rm -f "$OUT"
	if declare -F setup >/dev/null; then setup; fi
	craft
	[ -s "$OUT" ] || { fail "$name: crafting produced nothing"; cat "$T/craft.err" 2>/dev/null; continue; }
	before=$(entries_now)
	# shellcheck disable=SC2086
	post_to "$OUT" $OPTS
	after=$(entries_now)
	case $EXPECT in
	EBMS:*)
		if [ "$STATUS" = 200 ] && grep -q "errorCode=\"$EXPECT\"" "$T/reply"; then pass; else
			fail "$name: expected a $EXPECT eb:Error, got HTTP $STATUS (curl $RC)"
			head -c 600 "$T/reply" 2>/dev/null; echo
		fi
		"$SWNODE" as4 verify "$T/reply" --cert "$SG/certs/signing.pem" >/dev/null 2>&1 &&
			pass || fail "$name: the eb:Error is not signed by SG"
		want="$EXPECT"
		;;
	HTTP*)
		code=${EXPECT#HTTP }
		# A client still sending when the refusal comes may see the
		# connection end instead of the status: the ledger says which.
		if [ "$STATUS" = "$code" ] || { [ "$RC" -ne 0 ] && [ "$STATUS" = 000 ]; }; then pass; else
			fail "$name: expected HTTP $code, got HTTP $STATUS (curl $RC)"
		fi
		want="HTTP $code"
		;;
	TLS)
		[ "$RC" -ne 0 ] && [ "$STATUS" = 000 ] && pass ||
			fail "$name: the TLS handshake succeeded (HTTP $STATUS)"
		[ "$after" = "$before" ] && pass || fail "$name: a refused handshake reached the ledger"
		grep -qF "refused a TLS client certificate (${REASON:-no agreement pins it}): CN=CN-SW" "$SG.log" &&
			pass || fail "$name: the refused handshake was not logged"
		want=""
		;;
	*)
		fail "$name: unknown EXPECT '$EXPECT'"; want=""
		;;
	esac
	if [ -n "$want" ]; then
		[ "$after" = $((before + 1)) ] && pass ||
			fail "$name: $((after - before)) ledger records, expected 1"
		got=$(sqlite3 "$SG/ledger.db" "select event || ' ' || coalesce(reason, '') from entries order by seq desc limit 1")
		case $got in
		"REFUSED $want"*"$REASON"*) pass ;;
		*) fail "$name: the record says '$got', expected REFUSED $want ... $REASON" ;;
		esac
	fi
	# A forged signature is invalid for the diagnostic command too: it
	# must never print "valid" for it.
	if [ "$AS4_VERIFY" = invalid ]; then
		vrc=0
		"$SWNODE" as4 verify "$OUT" --cert "$CN/certs/signing.pem" >"$T/verify.out" 2>&1 || vrc=$?
		if [ "$vrc" -ne 0 ] && ! grep -qx valid "$T/verify.out"; then pass; else
			fail "$name: as4 verify exited $vrc for it"; sed 's/^/  | /' "$T/verify.out"
		fi
	fi
	if declare -F teardown >/dev/null; then teardown; fi
	# The node goes on serving: the next valid message gets its Receipt.
	fresh
	post_to "$GOOD"
	if [ "$STATUS" = 200 ] && grep -q "eb:Receipt" "$T/reply"; then pass; else
		fail "$name: the next valid message got HTTP $STATUS (curl $RC), no Receipt"
		tail -5 "$SG.log"
	fi
done
[ "$nattacks" -ge 30 ] && pass || fail "only $nattacks attacks in the corpus"
kill -0 "$(cat "$SG.pid")" && pass || fail "the node died"
echo "$nattacks attacks"
# It stops cleanly (under the sanitizers: with nothing leaked).
stop_node "$SG"
[ "$RC" -eq 0 ] && pass || { fail "the node exited $RC"; tail -30 "$SG.log"; }
finish
