#!/bin/sh
# swnode as4 verify on eDelivery AS4 messages with MIME parts, as a
# foreign access point sends them: the twelve requests captured from phase4
# 4.4.1 (tests/data/phase4/, test keys only; three profiles, gzip and one
# part, two parts, application/xml, text/plain) are read strictly,
# decrypted with the receiver's key and found valid with the sender's
# signing certificate; then what must make them invalid or unreadable.
. "$(dirname "$0")/lib.sh"

D=$TESTDATA/phase4
# split REQUEST: its Content-Type into $CT, its body into $T/body
split() {
	CT=$(grep -a -i -m1 '^Content-Type:' "$1" | sed 's/^[^:]*: *//; s/\r$//')
	perl -0777 -ne 'print substr($_, index($_, "\r\n\r\n") + 4)' "$1" >"$T/body"
}
# check PROFILE BODY [CERT [KEY]]: as4 verify, with the profile's own keys
check() {
	run "$SWNODE" as4 verify --cert "${3:-$D/$1/a-sign.crt}" --content-type "$CT" \
		--enc-key "${4:-$D/$1/b-enc.key}" --profile "$1" "$2"
}

for p in edelivery-2.0 edelivery-2.0-ecdsa edelivery-1.15; do
	for n in 1 2 3 4; do
		split "$D/$p/serve-00$n-request.http"
		check "$p" "$T/body"
		if [ "$RC" -eq 0 ] && grep -qx valid "$T/out"; then pass; else
			fail "$p sample $n: exit $RC"; sed 's/^/  | /' "$T/out" "$T/err" | head -20
		fi
	done
	# every part is listed with its signed type and decrypted
	has "$T/out" "text/plain, 36 bytes, decrypted" "$p: the text part"
	has "$T/out" "signature  verifies with the certificate" "$p: the value"
done
grep -c '^reference  cid:' "$T/out" | grep -qx 1 && pass || fail "one part reference"

split "$D/edelivery-2.0/serve-002-request.http"
# another signer's certificate; another receiver's key; another profile
check edelivery-2.0 "$T/body" "$D/edelivery-2.0-ecdsa/a-sign.crt"
[ "$RC" -eq 1 ] && grep -q '^invalid: ' "$T/out" && pass || fail "another certificate: exit $RC"
check edelivery-2.0 "$T/body" "" "$D/edelivery-2.0/a-enc.key"
[ "$RC" -eq 1 ] && grep -q '^invalid: .*unwrap' "$T/out" && pass ||
	fail "another private key: exit $RC: $(cat "$T/out")"
check edelivery-1.15 "$T/body" "$D/edelivery-2.0/a-sign.crt" "$D/edelivery-1.15/b-enc.key"
[ "$RC" -eq 1 ] && grep -q '^invalid: ' "$T/out" && pass || fail "another profile: exit $RC"
# a byte of the last part's ciphertext changed: the tag fails, nothing valid
perl -0777 -pe 'my $i = rindex($_, "\r\n------=_Part") - 20; substr($_, $i, 1) = chr(ord(substr($_, $i, 1)) ^ 1)' \
	"$T/body" >"$T/flipped"
cmp -s "$T/body" "$T/flipped" && fail "the flip changed nothing"
check edelivery-2.0 "$T/flipped"
[ "$RC" -eq 1 ] && ! grep -qx valid "$T/out" && grep -q '^invalid: ' "$T/out" && pass ||
	fail "a flipped ciphertext byte: exit $RC: $(cat "$T/out")"
# the unsigned EncryptedData MimeType edited: refused, not believed
sed 's|MimeType="application/octet-stream"|MimeType="text/html"|' "$T/body" >"$T/relabel"
cmp -s "$T/body" "$T/relabel" && fail "the relabel changed nothing"
check edelivery-2.0 "$T/relabel"
[ "$RC" -eq 1 ] && grep -q "but the signed eb:PartInfo says" "$T/out" && pass ||
	fail "an edited MimeType: exit $RC: $(cat "$T/out")"
# what is not such a message, and what the command needs
CT_SAVED=$CT
CT="application/soap+xml"
check edelivery-2.0 "$T/body"
[ "$RC" -eq 2 ] && grep -q "not an AS4 message with MIME parts" "$T/out" && pass ||
	fail "not multipart: exit $RC"
CT=$CT_SAVED
expect 2 "--content-type without --enc-key" \
	"$SWNODE" as4 verify --cert "$D/edelivery-2.0/a-sign.crt" --content-type "$CT" \
	--profile edelivery-2.0 "$T/body"
expect 2 "an unknown profile" \
	"$SWNODE" as4 verify --cert "$D/edelivery-2.0/a-sign.crt" --content-type "$CT" \
	--enc-key "$D/edelivery-2.0/b-enc.key" --profile edelivery-3 "$T/body"
# faults of this machine's own files are not the message's: exit 2, named
check edelivery-2.0 "$T/body" "" "$T/no-such.key"
[ "$RC" -eq 2 ] && grep -q "no-such.key" "$T/err" && pass || fail "a missing key: exit $RC"
check edelivery-2.0 "$T/body" "" "$D/edelivery-1.15/b-enc.key"
[ "$RC" -eq 2 ] && grep -q "needs the receiver's X25519 key" "$T/err" && pass ||
	fail "a key of another type: exit $RC: $(cat "$T/err")"
run env TMPDIR="$T/no-such-dir" "$SWNODE" as4 verify --cert "$D/edelivery-2.0/a-sign.crt" \
	--content-type "$CT" --enc-key "$D/edelivery-2.0/b-enc.key" --profile edelivery-2.0 "$T/body"
[ "$RC" -eq 2 ] && grep -q "TMPDIR" "$T/err" && pass || fail "no TMPDIR: exit $RC"
expect 2 "--enc-key without --content-type" \
	"$SWNODE" as4 verify --cert "$D/edelivery-2.0/a-sign.crt" \
	--enc-key "$D/edelivery-2.0/b-enc.key" "$T/body"
finish
