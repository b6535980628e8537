#!/bin/sh
# swnode peer import | check: from a foreign window's bundle to an agreement.
. "$(dirname "$0")/lib.sh"

CN=$T/cn SG=$T/sg
newnode "$CN" CN-SW --key ec-p256
newnode "$SG" SG-NTP --key rsa-2048 --endpoint https://127.0.0.1:9443/as4
"$SWNODE" --home "$SG" cert export -o "$T/sg.xml" 2>/dev/null
"$SWNODE" --home "$CN" cert export -o "$T/cn.xml" 2>/dev/null

expect 0 "peer import --profile body" "$SWNODE" --home "$CN" peer import "$T/sg.xml" --agreement-id CN-SG-2026 --profile body
A=$CN/peers/CN-SG-2026.xml
[ -f "$A" ] && pass || fail "peer import wrote no agreement"
fp=$(openssl x509 -in "$SG/certs/signing.pem" -noout -fingerprint -sha256 | cut -d= -f2)
has "$T/out" "$fp" "peer import prints the signing fingerprint to confirm"
xmllint --noout --schema "$SWNODE_SCHEMAS/agreement.xsd" "$A" 2>/dev/null &&
	pass || fail "draft agreement does not validate against agreement.xsd"
x() { xmllint --xpath "string($1)" "$A"; }
[ "$(x '/*/@status')" = draft ] && pass || fail "agreement is not a draft"
[ "$(x '//*[local-name()="peer"]/@partyId')" = SG-NTP ] && pass || fail "peer party id"
[ "$(x '//*[local-name()="local"]/@partyId')" = CN-SW ] && pass || fail "local party id"
[ "$(x '//*[local-name()="peer"]/*[local-name()="endpoint"]')" = https://127.0.0.1:9443/as4 ] &&
	pass || fail "peer endpoint"
[ "$(x '//*[local-name()="signingCertificate"]/@sha256')" = "$fp" ] && pass || fail "signing pin"
[ "$(x '//*[local-name()="security"]/@inboundSignature')" = rsa-sha256 ] && pass || fail "inbound algorithm"
[ "$(x '//*[local-name()="security"]/@outboundSignature')" = ecdsa-sha256 ] && pass || fail "outbound algorithm"
[ "$(x 'count(//*[local-name()="document"])')" = "$("$SWNODE" doctypes | grep -c '^[a-z]')" ] && pass ||
	fail "every doctype allowed"
for k in validity retry limits; do
	[ "$(x "count(//*[local-name()='$k'])")" = 1 ] && pass || fail "agreement lacks $k"
done

expect 0 "peer check (node)" "$SWNODE" --home "$CN" peer check
has "$T/out" "1 agreement checked, 0 with problems" "peer check summary"
expect 0 "peer check FILE without a node" "$SWNODE" peer check "$A"

# Refusals of import.
expect 1 "import over an existing agreement" "$SWNODE" --home "$CN" peer import "$T/sg.xml" --agreement-id CN-SG-2026
has "$T/err" "already exists" "existing agreement is kept"
expect 2 "agreement id with a path" "$SWNODE" --home "$CN" peer import "$T/sg.xml" --agreement-id ../evil
[ ! -e "$CN/evil.xml" ] && pass || fail "path in agreement id escaped peers/"
expect 2 "import without --agreement-id" "$SWNODE" --home "$CN" peer import "$T/sg.xml"
expect 1 "import our own bundle" "$SWNODE" --home "$CN" peer import "$T/cn.xml" --agreement-id SELF
has "$T/err" "this node itself" "own bundle is refused"
sed -E '0,/sha256="[0-9A-F]{2}/s//sha256="ZZ/' "$T/sg.xml" >"$T/bad-syntax.xml"
expect 1 "bundle with a malformed fingerprint" "$SWNODE" --home "$CN" peer import "$T/bad-syntax.xml" --agreement-id B1
has "$T/err" "sha256" "malformed fingerprint is named"
# change_pin PATTERN IN OUT: the first sha256 pin on a line matching PATTERN
# gets other first two hex digits (11 when they are 00, else 00)
change_pin() {
	awk -v pat="$1" '$0 ~ pat && !done && match($0, /sha256="[0-9A-F][0-9A-F]/) {
		r = (substr($0, RSTART + 8, 2) == "00") ? "11" : "00"
		$0 = substr($0, 1, RSTART + 7) r substr($0, RSTART + 10); done = 1
	} { print }' "$2" >"$3"
	[ "$(cmp -l "$2" "$3" | wc -l)" -ge 1 ] || fail "change_pin: no pin changed in $2"
}
change_pin 'sha256="' "$T/sg.xml" "$T/bad-fp.xml"
expect 1 "bundle whose fingerprint does not match its PEM" "$SWNODE" --home "$CN" peer import "$T/bad-fp.xml" --agreement-id B2
has "$T/err" "does not match the certificate" "fingerprint mismatch is explained"
printf 'not xml\n' >"$T/junk.xml"
expect 1 "bundle that is not XML" "$SWNODE" --home "$CN" peer import "$T/junk.xml" --agreement-id B3
[ ! -e "$CN/peers/B1.xml" ] && [ ! -e "$CN/peers/B2.xml" ] && [ ! -e "$CN/peers/B3.xml" ] &&
	pass || fail "a refused import wrote an agreement"

# peer check finds schema errors and inconsistencies, each as FILE:LINE.
cp "$A" "$CN/peers/broken.xml"
expect 1 "agreement whose id is not its file name" "$SWNODE" --home "$CN" peer check
has "$T/out" "broken.xml:2: agreement id 'CN-SG-2026' does not match the file name" "id/file mismatch at its line"
has "$T/out" "2 agreements checked, 1 with problems" "summary counts problems"
rm "$CN/peers/broken.xml"
B=$CN/peers/B.xml
sed -e 's/id="CN-SG-2026"/id="B"/' -e 's/type="eco"/type="nosuchtype"/' \
    -e 's/outboundSignature="ecdsa-sha256"/outboundSignature="rsa-sha256"/' \
    -e 's/<local partyId="CN-SW"/<local partyId="XX-OTHER"/' "$A" >"$B"
expect 1 "inconsistent agreement" "$SWNODE" --home "$CN" peer check "$B"
line=$(grep -n 'nosuchtype' "$B" | cut -d: -f1)
has "$T/out" "B.xml:$line: document type 'nosuchtype' is not in the registry" "unknown doctype at its line"
has "$T/out" "outboundSignature does not match this node's signing key" "algorithm mismatch"
has "$T/out" "local partyId is not this node's party id 'CN-SW'" "wrong local party"
sed -e 's/id="CN-SG-2026"/id="B"/' -e 's/<retry intervals=/<retry bogus="1" intervals=/' \
    -e 's/maxMessageBytes="[0-9]*"/maxMessageBytes="lots"/' "$A" >"$B"
expect 1 "schema-invalid agreement" "$SWNODE" --home "$CN" peer check "$B"
line=$(grep -n 'bogus' "$B" | cut -d: -f1)
has "$T/out" "B.xml:$line: element 'retry'" "schema error at its line"
has "$T/out" "'bogus' is not allowed" "schema error says what"
has "$T/out" "maxMessageBytes" "every schema error is reported"
change_pin 'signingCertificate sha256="' "$A" "$T/pin.xml"
sed 's/id="CN-SG-2026"/id="B"/' "$T/pin.xml" >"$B"
expect 1 "pin that does not match its certificate" "$SWNODE" --home "$CN" peer check "$B"
has "$T/out" "does not match the certificate" "pin mismatch is reported"
sed -e 's/id="CN-SG-2026"/id="B"/' -e 's/until="[^"]*"/until="2021-01-01T00:00:00Z"/' \
    -e 's/<validity from="[^"]*"/<validity from="2020-01-01T00:00:00Z"/' "$A" >"$B"
expect 1 "agreement that has ended" "$SWNODE" --home "$CN" peer check "$B"
has "$T/out" "the agreement ended on 2021-01-01T00:00:00Z" "ended agreement is reported"
long=https://sg.example/$(printf 'a%.0s' $(seq 600))
sed "s|https://127.0.0.1:9443/as4|$long|" "$T/sg.xml" >"$T/long-url.xml"
expect 1 "bundle with a 600-character endpoint" "$SWNODE" --home "$CN" peer import "$T/long-url.xml" --agreement-id B4
has "$T/err" "element 'endpoint'" "overlong endpoint is refused by the schema"
[ ! -e "$CN/peers/B4.xml" ] && pass || fail "overlong endpoint was imported"
sed 's|<subject>CN=SG-NTP,OU=swnode tls</subject>|<subject>CN=EVIL</subject>|' "$T/sg.xml" >"$T/evil-subject.xml"
expect 1 "bundle whose subject is not its certificate's" "$SWNODE" --home "$CN" peer import "$T/evil-subject.xml" --agreement-id B5
has "$T/err" "subject \"CN=EVIL\" does not match the certificate" "subject mismatch is named"
# Party ids follow one rule (docs/agreements.md): a '/' would reach file
# names, a '+' the ledger's verifier key.
sed 's|<party id="SG-NTP"|<party id="SG/../NTP"|' "$T/sg.xml" >"$T/slash-party.xml"
expect 1 "bundle whose party id holds '/'" "$SWNODE" --home "$CN" peer import "$T/slash-party.xml" --agreement-id B6
line=$(grep -n '<party id="SG/../NTP"' "$T/slash-party.xml" | cut -d: -f1)
has "$T/err" "slash-party.xml:$line: element 'party':" "the party id is refused at its line"
has "$T/err" "'SG/../NTP' is not accepted by the pattern" "the refusal names the value"
[ ! -e "$CN/peers/B6.xml" ] && pass || fail "a party id with '/' was imported"
sed -e 's/id="CN-SG-2026"/id="B"/' -e 's/<peer partyId="SG-NTP"/<peer partyId="SG+NTP"/' "$A" >"$B"
expect 1 "agreement whose peer partyId holds '+'" "$SWNODE" --home "$CN" peer check "$B"
line=$(grep -n '<peer partyId="SG+NTP"' "$B" | cut -d: -f1)
has "$T/out" "B.xml:$line: element 'peer':" "the peer partyId is refused at its line"
# Two agreements that claim one peer at one time: an impostor's bundle
# under the real partner's party id, activated beside the real one.
rm -f "$B"
sed -i 's/status="draft"/status="active"/' "$A"
EVIL=$T/evil
newnode "$EVIL" SG-NTP --key rsa-2048 --endpoint https://127.0.0.1:9444/as4
"$SWNODE" --home "$EVIL" cert export -o "$T/evil.xml" 2>/dev/null
expect 0 "import a second bundle for one party id" "$SWNODE" --home "$CN" peer import "$T/evil.xml" --agreement-id AA-EVIL
expect 0 "a draft beside an active agreement is no conflict" "$SWNODE" --home "$CN" peer check
sed -i 's/status="draft"/status="active"/' "$CN/peers/AA-EVIL.xml"
expect 1 "two active agreements with one peer party id" "$SWNODE" --home "$CN" peer check
has "$T/out" "AA-EVIL.xml: agreements AA-EVIL and CN-SG-2026 share the peer party id (SG-NTP)" "the impostor named"
has "$T/out" "CN-SG-2026.xml: agreements AA-EVIL and CN-SG-2026 share the peer party id" "the partner named"
has "$T/out" "2 agreements checked, 2 with problems" "both files have the problem"
# One certificate pinned by two agreements for two party ids.
sed -e 's/id="AA-EVIL"/id="AA-COPY"/' -e 's/partyId="SG-NTP"/partyId="SG-OTHER"/' "$A" |
	sed 's/id="CN-SG-2026"/id="AA-COPY"/' >"$CN/peers/AA-COPY.xml"
rm "$CN/peers/AA-EVIL.xml"
expect 1 "two active agreements pinning one certificate" "$SWNODE" --home "$CN" peer check
has "$T/out" "share the peer's TLS certificate (SG-OTHER)" "the shared certificate named"
# Validity periods that do not overlap are a sequence, not a conflict.
sed -i -e 's/until="[^"]*"/until="2021-01-01T00:00:00Z"/' -e 's/<validity from="[^"]*"/<validity from="2020-01-01T00:00:00Z"/' \
	"$CN/peers/AA-COPY.xml"
run "$SWNODE" --home "$CN" peer check
hasnt "$T/out" "share the peer" "an agreement that ended does not conflict"
rm "$CN/peers/AA-COPY.xml"
expect 1 "agreement that is not XML" "$SWNODE" peer check "$T/junk.xml"
has "$T/out" "junk.xml: not an XML document" "non-XML agreement"

# eDelivery profiles: keys made by init, carried by bundles, pinned by agreements.
E1=$T/e1 E2=$T/e2
newnode "$E1" E1-NODE --key ec-p256 --profiles edelivery-2.0,edelivery-1.15
newnode "$E2" E2-NODE --key ec-p256 --profiles edelivery-2.0
"$SWNODE" --home "$E1" cert export -o "$T/e1.xml" 2>/dev/null
"$SWNODE" --home "$E2" cert export -o "$T/e2.xml" 2>/dev/null
bx() { xmllint --xpath "string($2)" "$1"; }
[ "$(bx "$T/e1.xml" 'count(//*[local-name()="profile"])')" = 2 ] && pass || fail "bundle carries both profiles"
[ "$(bx "$T/e1.xml" '//*[local-name()="profile"][@name="edelivery-2.0"]/*[local-name()="signingCertificate"]/@keyType')" = ed25519 ] &&
	pass || fail "edelivery-2.0 signs with Ed25519"
[ "$(bx "$T/e1.xml" '//*[local-name()="profile"][@name="edelivery-2.0"]/*[local-name()="encryptionCertificate"]/@keyType')" = x25519 ] &&
	pass || fail "edelivery-2.0 encrypts to X25519"
[ "$(bx "$T/e1.xml" '//*[local-name()="profile"][@name="edelivery-1.15"]/*[local-name()="encryptionCertificate"]/@keyType')" = rsa-2048 ] &&
	pass || fail "edelivery-1.15 encrypts to RSA"
fp=$(openssl x509 -in "$E1/certs/edelivery-2.0-encryption.pem" -noout -fingerprint -sha256 | cut -d= -f2)
expect 0 "peer import --profile edelivery-2.0" "$SWNODE" --home "$E2" peer import "$T/e1.xml" --agreement-id E2-E1 --profile edelivery-2.0
has "$T/out" "encryption  sha256 $fp" "peer import prints the encryption fingerprint to confirm"
EA=$E2/peers/E2-E1.xml
[ "$(bx "$EA" '//*[local-name()="security"]/@profile')" = edelivery-2.0 ] && pass || fail "agreement names its profile"
[ "$(bx "$EA" '//*[local-name()="security"]/@inboundSignature')" = ed25519 ] && pass || fail "inbound Ed25519"
[ "$(bx "$EA" '//*[local-name()="encryptionCertificate"]/@sha256')" = "$fp" ] && pass || fail "encryption pin"
expect 0 "peer check of an edelivery-2.0 agreement" "$SWNODE" --home "$E2" peer check "$EA"
expect 1 "peer import of a profile this node has no keys for" "$SWNODE" --home "$E2" peer import "$T/e1.xml" --agreement-id E2-E1B --profile edelivery-1.15
has "$T/err" "this node has no keys for profile edelivery-1.15" "the missing keys named"
expect 1 "peer import of a profile the bundle lacks" "$SWNODE" --home "$E1" peer import "$T/e2.xml" --agreement-id E1-E2 --profile edelivery-1.15
has "$T/err" "the bundle of E2-NODE has no certificates for profile edelivery-1.15" "the bundle's lack named"
expect 2 "peer import --profile unknown" "$SWNODE" --home "$E2" peer import "$T/e1.xml" --agreement-id X --profile edelivery-3
# A bundle whose edelivery-2.0 encryption certificate is its signing one.
sed '/<profile name="edelivery-1.15">/,/<\/profile>/d' "$T/e1.xml" >"$T/e1-swap.xml"
sign_el=$(sed -n '/<profile name="edelivery-2.0">/,/<\/signingCertificate>/p' "$T/e1-swap.xml" | sed 1d | sed 's/signingCertificate/encryptionCertificate/g')
awk -v repl="$sign_el" '
	/<encryptionCertificate/ { skip = 1; print repl; next }
	skip && /<\/encryptionCertificate>/ { skip = 0; next }
	!skip { print }' "$T/e1-swap.xml" >"$T/e1-bad.xml"
expect 1 "bundle whose encryption certificate has the signing key" "$SWNODE" --home "$E2" peer import "$T/e1-bad.xml" --agreement-id E2-BAD --profile edelivery-2.0
has "$T/err" "edelivery-2.0 encryption certificate has key type ed25519" "the wrong key type named"
# The agreement checked against the profile: another profile's name.
sed 's/profile="edelivery-2.0"/profile="edelivery-2.0-ecdsa"/' "$EA" >"$T/E2-E1.xml"
expect 1 "agreement whose profile does not fit its certificates" "$SWNODE" --home "$E2" peer check "$T/E2-E1.xml"
has "$T/out" "profile edelivery-2.0-ecdsa signs with ec-p256" "the misfit named"
# A node whose profile key is not its certificate's does not open.
cp "$E2/keys/edelivery-2.0-encryption.key" "$T/e2-enc.key"
cat "$E1/keys/edelivery-2.0-encryption.key" >"$E2/keys/edelivery-2.0-encryption.key"
expect 1 "a node with another node's encryption key" "$SWNODE" --home "$E2" status nothing
has "$T/err" "edelivery-2.0-encryption.pem: certificate is not for the key $E2/keys/edelivery-2.0-encryption.key" \
	"the mismatched key named"
cat "$E2/keys/edelivery-2.0-signing.key" >"$E2/keys/edelivery-2.0-encryption.key"
expect 1 "a node with its signing key as encryption key" "$SWNODE" --home "$E2" status nothing
has "$T/err" "certificate is not for the key" "the signing key as encryption key refused"
cat "$T/e2-enc.key" >"$E2/keys/edelivery-2.0-encryption.key"
run "$SWNODE" --home "$E2" status nothing
hasnt "$T/err" "certificate is not for" "the node opens again with its own key"
# Another profile's keys for a node that exists: node.xml gains them, the
# rest of it is kept, cert show and the bundle list them.
cp "$E2/node.xml" "$T/e2-node.xml"
expect 0 "cert add-profile" "$SWNODE" --home "$E2" cert add-profile edelivery-2.0-ecdsa
has "$T/out" "edelivery-2.0-ecdsa encryption" "cert add-profile prints the new certificates"
[ -f "$E2/keys/edelivery-2.0-ecdsa-encryption.key" ] && [ "$(stat -c %a "$E2/keys/edelivery-2.0-ecdsa-encryption.key")" = 600 ] &&
	pass || fail "cert add-profile: the encryption key is not there with mode 0600"
[ "$(diff "$T/e2-node.xml" "$E2/node.xml" | grep -c '^<')" = 0 ] && pass || fail "cert add-profile changed node.xml beyond adding"
expect 1 "cert add-profile twice" "$SWNODE" --home "$E2" cert add-profile edelivery-2.0-ecdsa
has "$T/err" "has keys for profile edelivery-2.0-ecdsa already" "the second add-profile refused"
expect 2 "cert add-profile body" "$SWNODE" --home "$E2" cert add-profile body
expect 0 "cert show lists the profiles" "$SWNODE" --home "$E2" cert show
has "$T/out" "edelivery-2.0-ecdsa encryption certificate: $E2/certs/edelivery-2.0-ecdsa-encryption.pem" "cert show: the new one"
has "$T/out" "edelivery-2.0 signing certificate:" "cert show: the first one"
run "$SWNODE" --home "$E2" status nothing
hasnt "$T/err" "certificate is not for" "the node opens with the added profile"
"$SWNODE" --home "$E2" cert export -o "$T/e2b.xml" 2>/dev/null
[ "$(bx "$T/e2b.xml" 'count(//*[local-name()="profile"])')" = 2 ] && pass || fail "the bundle carries the added profile"
# A bundle whose edelivery-2.0-ecdsa signing and encryption certificates are one.
awk '
	/<profile name="edelivery-2.0-ecdsa">/ { inp = 1 }
	inp && /<signingCertificate/ { grab = 1 }
	grab { sig = sig $0 "\n" }
	grab && /<\/signingCertificate>/ { grab = 0 }
	inp && /<encryptionCertificate/ { skip = 1; s = sig; gsub(/signingCertificate/, "encryptionCertificate", s); printf "%s", s; next }
	skip && /<\/encryptionCertificate>/ { skip = 0; next }
	!skip { print }
	/<\/profile>/ { inp = 0 }' "$T/e2b.xml" >"$T/e2-same.xml"
expect 1 "bundle with one key for signing and encryption" "$SWNODE" --home "$E1" peer import "$T/e2-same.xml" --agreement-id E1-SAME --profile edelivery-2.0
has "$T/err" "profile edelivery-2.0-ecdsa: the encryption certificate has the signing key" "key separation"
# A node with no profile keys at all.
newnode "$T/e3" E3-NODE --profiles none
[ ! -e "$T/e3/keys/edelivery-2.0-signing.key" ] && pass || fail "--profiles none made keys"
# Without --profile an agreement is edelivery-2.0, when both sides can.
expect 0 "peer import without --profile" "$SWNODE" --home "$E2" peer import "$T/e1.xml" --agreement-id E2-E1-DEFAULT
[ "$(bx "$E2/peers/E2-E1-DEFAULT.xml" '//*[local-name()="security"]/@profile')" = edelivery-2.0 ] &&
	pass || fail "the default profile is edelivery-2.0"
has "$T/out" "profile     edelivery-2.0" "peer import names the profile it chose"
"$SWNODE" --home "$T/e3" cert export -o "$T/e3.xml" 2>/dev/null
expect 1 "peer import without --profile of a body-only bundle" "$SWNODE" --home "$E2" peer import "$T/e3.xml" --agreement-id E2-E3
has "$T/err" "edelivery-2.0 is the default for new agreements: name the profile with --profile (the bundle offers body)" \
	"the refusal names the default and what the bundle offers"
expect 1 "peer import without --profile on a node with no profile keys" "$SWNODE" --home "$T/e3" peer import "$T/e1.xml" --agreement-id E3-E1
has "$T/err" "this node has no keys for profile edelivery-2.0" "the missing keys named"
has "$T/err" "the bundle offers body, edelivery-2.0, edelivery-1.15" "the profiles the bundle offers named"
expect 0 "peer import --profile body of a body-only bundle" "$SWNODE" --home "$E2" peer import "$T/e3.xml" --agreement-id E2-E3 --profile body
[ "$(bx "$E2/peers/E2-E3.xml" "//*[local-name()='security']/@profile")" = body ] && pass || fail "the body agreement was not written"
expect 2 "init --profiles body" "$SWNODE" init --home "$T/e4" --party-id E4 --profiles body
expect 2 "init --profiles twice" "$SWNODE" init --home "$T/e4" --party-id E4 --profiles edelivery-2.0,edelivery-2.0
[ ! -e "$T/e4" ] && pass || fail "a refused init wrote something"
finish
