#!/bin/sh
# swnode cert show | export: what a node tells about its certificates.
. "$(dirname "$0")/lib.sh"

H=$T/cn
newnode "$H" CN-SW --endpoint https://cn.example.org:8443/as4 --days 90
expect 0 "cert show" "$SWNODE" --home "$H" cert show
for u in signing tls; do
	fp=$(openssl x509 -in "$H/certs/$u.pem" -noout -fingerprint -sha256 | cut -d= -f2)
	has "$T/out" "sha256:     $fp" "cert show prints the $u SHA-256 fingerprint as openssl does"
	na=$(date -u -d "$(openssl x509 -in "$H/certs/$u.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
	has "$T/out" "not after:  $na" "cert show prints the $u expiry as openssl reads it"
done
has "$T/out" "subject:    CN=CN-SW,OU=swnode signing" "cert show prints the subject"
has "$T/out" "endpoint https://cn.example.org:8443/as4" "cert show prints the endpoint"

expect 0 "cert export -o" "$SWNODE" --home "$H" cert export -o "$T/bundle.xml"
xmllint --noout --schema "$SWNODE_SCHEMAS/bundle.xsd" "$T/bundle.xml" 2>/dev/null &&
	pass || fail "bundle does not validate against bundle.xsd"
expect 0 "cert export to stdout" "$SWNODE" --home "$H" cert export
xmllint --noout --schema "$SWNODE_SCHEMAS/bundle.xsd" "$T/out" 2>/dev/null &&
	pass || fail "bundle on stdout does not validate"
for u in signing tls; do
	fp=$(openssl x509 -in "$H/certs/$u.pem" -noout -fingerprint -sha256 | cut -d= -f2)
	got=$(xmllint --xpath "string(//*[local-name()='${u}Certificate']/@sha256)" "$T/bundle.xml")
	[ "$got" = "$fp" ] && pass || fail "bundle $u fingerprint $got is not $fp"
	xmllint --xpath "string(//*[local-name()='${u}Certificate']/*[local-name()='pem'])" \
		"$T/bundle.xml" >"$T/$u.from-bundle.pem"
	a=$(openssl x509 -in "$T/$u.from-bundle.pem" -outform der | sha256sum)
	b=$(openssl x509 -in "$H/certs/$u.pem" -outform der | sha256sum)
	[ "$a" = "$b" ] && pass || fail "bundle $u PEM is not the node's certificate"
done
[ "$(xmllint --xpath 'string(//*[local-name()="party"]/@id)' "$T/bundle.xml")" = CN-SW ] &&
	pass || fail "bundle lacks the party id"
has "$T/bundle.xml" "https://cn.example.org:8443/as4" "bundle carries the endpoint"
hasnt "$T/bundle.xml" "PRIVATE KEY" "bundle carries no private key"
# A passphrase-protected key is refused, never prompted for.
E=$T/enc
newnode "$E" ENC
openssl pkey -in "$E/keys/signing.key" -aes256 -passout pass:secret -out "$T/enc.key"
cp "$T/enc.key" "$E/keys/signing.key"
expect 1 "install over an encrypted key" sh -c "\"$SWNODE\" --home \"$E\" cert install --signing \"$E/certs/signing.pem\" </dev/null"
has "$T/err" "the key is encrypted" "encrypted key is explained"
hasnt "$T/out" "pass phrase" "no passphrase prompt"
# A corrupt certificate is a failure, not a line in a listing.
printf 'garbage\n' >"$E/certs/tls.pem"
expect 1 "cert show with a corrupt certificate" "$SWNODE" --home "$E" cert show
has "$T/err" "tls.pem: not a PEM certificate" "corrupt certificate is named"
# Writes never replace something that is not a regular file.
mkfifo "$T/fifo"
expect 1 "export onto a FIFO" "$SWNODE" --home "$H" cert export -o "$T/fifo"
has "$T/err" "is not a regular file" "FIFO target is refused"
finish
