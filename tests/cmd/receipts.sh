#!/bin/bash
# Receipts from a dishonest receiver: the sender records DELIVERED only for
# a Receipt whose signature covers the very Receipt it processes.  The
# receiver here (tests/forge/hostile-receiver.js) holds the real receiver's
# TLS and signing keys and signs every Receipt genuinely: first honestly
# (the harness works: DELIVERED), then with XPointer references, so that
# what is signed is an eb:Error hidden in another header block while the
# processed eb:Messaging says Receipt.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null 2>&1 || { fail "node is needed (the hostile receiver)"; finish; exit 1; }

CN=$T/cn SG=$T/sg R=$T/receiver
pair "$CN" CN-SW "$SG" SG-NTP
mkdir -p "$R"
cp "$SG/certs/tls.pem" "$R/tls.pem"
cp "$SG/keys/tls.key" "$R/tls.key"
cp "$CN/certs/tls.pem" "$R/peer-tls.pem"
cp "$SG/keys/signing.key" "$R/signing.key"
cp "$SG/certs/signing.pem" "$R/signing.pem"
echo "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" >"$R/sigalg"
echo honest >"$R/mode"
node "$TOP_SRCDIR/tests/forge/hostile-receiver.js" "$PORT_B" "$R" "$TOP_BUILDDIR/tests/forge/dsig_forge" \
	>"$T/receiver.out" 2>&1 &
NODE_PIDS="$NODE_PIDS $!"
i=0
until grep -q '^ready ' "$T/receiver.out"; do
	i=$((i + 1))
	[ $i -gt 400 ] && { fail "the hostile receiver did not start"; cat "$T/receiver.out"; finish; exit 1; }
	sleep 0.05
done
start_node "$CN"
ECO=$(ls "$TESTDATA"/eco/*.xml | head -1)

# outcome MSGID: wait for the first outcome of MSGID in CN's ledger
# (DELIVERED, RETRYING or FAILED); prints "EVENT REASON"
outcome() {
	i=0
	while :; do
		got=$(sql "$CN" "select event || ' ' || coalesce(reason, '') from entries where msgid = '$1'
			and event in ('DELIVERED', 'RETRYING', 'FAILED') order by seq limit 1")
		[ -n "$got" ] && { echo "$got"; return; }
		i=$((i + 1))
		[ $i -gt 600 ] && { echo "none"; return; }
		sleep 0.05
	done
}

# The harness: an honest Receipt is accepted.
id=$("$SWNODE" --home "$CN" send "$ECO" --to SG-NTP)
got=$(outcome "$id")
case $got in
DELIVERED*) pass ;;
*) fail "an honest receipt: $got"; tail -5 "$CN.log" ;;
esac

# A Receipt whose signature covers an eb:Error is not a delivery.
echo xpointer >"$R/mode"
id=$("$SWNODE" --home "$CN" send "$ECO" --to SG-NTP)
got=$(outcome "$id")
case $got in
RETRYING*"is not a same-document '#id' reference"*) pass ;;
*) fail "a receipt signed over an eb:Error: $got" ;;
esac
[ "$(sql "$CN" "select count(*) from entries where msgid = '$id' and event = 'DELIVERED'")" -eq 0 ] &&
	pass || fail "the forged receipt was recorded as DELIVERED"
# The reply as it came, checked by hand, is not valid either.
cp "$R/signed.xml" "$T/forged-receipt.xml"
vrc=0
"$SWNODE" as4 verify "$T/forged-receipt.xml" --cert "$SG/certs/signing.pem" >"$T/verify.out" 2>&1 || vrc=$?
[ "$vrc" -eq 1 ] && ! grep -qx valid "$T/verify.out" && pass ||
	{ fail "as4 verify of the forged receipt exited $vrc"; cat "$T/verify.out"; }

stop_node "$CN"
finish
