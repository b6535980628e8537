#!/bin/sh
# make-bundle.sh DIR PROFILE PARTY ENDPOINT [PARTY_TYPE]
# Writes (to standard output) the swnode certificate bundle
# (schemas/bundle.xsd) of a gateway whose make-keys.sh key set is in DIR:
# its TLS certificate and, for PROFILE, its signing and encryption
# certificates; no body-profile signing certificate (the gateway speaks the
# eDelivery profile only) and no ledger key.  This is what the operator of
# a foreign gateway writes by hand from its certificates; swnode peer
# import checks every attribute against the PEM.
set -eu
if [ $# -lt 4 ]; then
    echo "usage: $0 DIR PROFILE PARTY ENDPOINT [PARTY_TYPE]" >&2
    exit 2
fi
dir=$1 profile=$2 party=$3 endpoint=$4
ptype=${5:-urn:oasis:names:tc:ebcore:partyid-type:unregistered}

iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

# cert NAME FILE: one certificate element as swnode writes them
cert() {
    f=$2
    fp=$(openssl x509 -in "$f" -noout -fingerprint -sha256 | cut -d= -f2)
    subject=$(openssl x509 -in "$f" -noout -subject -nameopt RFC2253,-esc_msb | sed 's/^subject=//')
    nb=$(iso "$(openssl x509 -in "$f" -noout -startdate | cut -d= -f2)")
    na=$(iso "$(openssl x509 -in "$f" -noout -enddate | cut -d= -f2)")
    text=$(openssl x509 -in "$f" -noout -text)
    case $text in
    *"Public Key Algorithm: ED25519"*) kt=ed25519 ;;
    *"Public Key Algorithm: X25519"*) kt=x25519 ;;
    *"Public Key Algorithm: id-ecPublicKey"*prime256v1*) kt=ec-p256 ;;
    *"Public Key Algorithm: rsaEncryption"*"Public-Key: (2048 bit)"*) kt=rsa-2048 ;;
    *"Public Key Algorithm: rsaEncryption"*"Public-Key: (3072 bit)"*) kt=rsa-3072 ;;
    *) echo "$0: $f: a key swnode does not take" >&2; exit 1 ;;
    esac
    printf '  <%s sha256="%s" notBefore="%s" notAfter="%s" keyType="%s">\n' "$1" "$fp" "$nb" "$na" "$kt"
    subject=$(printf '%s' "$subject" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
    printf '    <subject>%s</subject>\n    <pem>' "$subject"
    cat "$f"
    printf '</pem>\n  </%s>\n' "$1"
}

printf '<?xml version="1.0" encoding="UTF-8"?>\n'
printf '<bundle xmlns="urn:swnode:bundle:1" version="1" created="%s">\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '  <party id="%s" type="%s"/>\n  <endpoint>%s</endpoint>\n' "$party" "$ptype" "$endpoint"
cert tlsCertificate "$dir/tls.crt"
printf '  <profile name="%s">\n' "$profile"
cert signingCertificate "$dir/sign.crt"
cert encryptionCertificate "$dir/enc.crt"
printf '  </profile>\n</bundle>\n'
