#!/bin/sh
# make-keys.sh DIR PROFILE [NAME]
# Makes one party's test key set for the phase4 test peer with openssl:
#   tls.key/tls.crt     TLS client+server key (EC P-256), self-signed, SAN IP:127.0.0.1, DNS:localhost
#   sign.key/sign.crt   signing key of the profile's type, self-signed
#                         edelivery-2.0: Ed25519; edelivery-2.0-ecdsa: EC P-256; edelivery-1.15: RSA 2048
#   enc.key/enc.crt     encryption key: X25519 (2.0), EC P-256 (2.0-ecdsa), RSA 2048 (1.15).
#                       An X25519 key cannot sign, so its certificate is issued by sign.key
#                       (openssl x509 -req -force_pubkey).
# Private keys are unencrypted PKCS#8 PEM, certificates X.509 PEM. Test keys only.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 DIR PROFILE [NAME]" >&2
    exit 2
fi
dir=$1
profile=$2
name=${3:-$(basename "$dir")}
days=3650

case $profile in
    edelivery-2.0) sign_alg="-algorithm ED25519"; enc=x25519 ;;
    edelivery-2.0-ecdsa) sign_alg="-algorithm EC -pkeyopt ec_paramgen_curve:P-256"; enc=p256 ;;
    edelivery-1.15) sign_alg="-algorithm RSA -pkeyopt rsa_keygen_bits:2048"; enc=rsa ;;
    *) echo "$0: unknown profile '$profile'" >&2; exit 2 ;;
esac

mkdir -p "$dir"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# TLS: EC P-256, self-signed, for 127.0.0.1 / localhost
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/tls.key"
openssl req -new -x509 -key "$dir/tls.key" -out "$dir/tls.crt" -days $days \
    -subj "/O=swnode test/CN=$name tls" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -addext "keyUsage=critical,digitalSignature,keyAgreement" \
    -addext "extendedKeyUsage=serverAuth,clientAuth"

# Signing key, self-signed
# shellcheck disable=SC2086
openssl genpkey -quiet $sign_alg -out "$dir/sign.key"
openssl req -new -x509 -key "$dir/sign.key" -out "$dir/sign.crt" -days $days \
    -subj "/O=swnode test/CN=$name sign ($profile)" \
    -addext "keyUsage=critical,digitalSignature,nonRepudiation,keyCertSign"

# Encryption key
case $enc in
    x25519)
        openssl genpkey -quiet -algorithm X25519 -out "$dir/enc.key"
        openssl pkey -in "$dir/enc.key" -pubout -out "$tmp/enc.pub"
        # The request is signed by the signing key; -force_pubkey puts the X25519 key in.
        openssl req -new -key "$dir/sign.key" -subj "/O=swnode test/CN=$name enc ($profile)" -out "$tmp/enc.csr"
        printf 'keyUsage=critical,keyAgreement\n' > "$tmp/ext"
        openssl x509 -req -in "$tmp/enc.csr" -CA "$dir/sign.crt" -CAkey "$dir/sign.key" \
            -force_pubkey "$tmp/enc.pub" -set_serial "0x$(openssl rand -hex 8)" -days $days \
            -extfile "$tmp/ext" -out "$dir/enc.crt" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
        ;;
    p256)
        openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/enc.key"
        openssl req -new -x509 -key "$dir/enc.key" -out "$dir/enc.crt" -days $days \
            -subj "/O=swnode test/CN=$name enc ($profile)" \
            -addext "keyUsage=critical,keyAgreement,digitalSignature"
        ;;
    rsa)
        openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/enc.key"
        openssl req -new -x509 -key "$dir/enc.key" -out "$dir/enc.crt" -days $days \
            -subj "/O=swnode test/CN=$name enc ($profile)" \
            -addext "keyUsage=critical,keyEncipherment,digitalSignature"
        ;;
esac
chmod 644 "$dir"/*.crt
echo "$0: $profile key set for '$name' in $dir"
