#!/bin/sh
# demo-ca.sh - a throw-away certificate authority for demos and tests.
#
#   demo-ca.sh new DIR                 create a CA (key and certificate) in DIR
#   demo-ca.sh sign DIR CSR OUT [tls]  issue a certificate for CSR into OUT;
#                                      "tls" adds serverAuth/clientAuth
#
# The CA key stays in DIR and is never committed: production nodes get their
# certificates from the CA their agreement names.  Uses only the openssl
# command; days of validity come from DAYS (default 365).
set -eu

usage() {
	echo "usage: $0 new DIR | sign DIR CSR OUT [tls]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
cmd=$1 dir=$2
case $cmd in
new)
	mkdir -p "$dir"
	umask 077
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key" 2>/dev/null
	umask 022
	openssl req -new -x509 -key "$dir/ca.key" -out "$dir/ca.pem" -days 3650 \
		-subj "/O=swnode demo/CN=swnode demo CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
	echo "demo CA in $dir"
	;;
sign)
	[ $# -ge 4 ] || usage
	csr=$3 out=$4 kind=${5:-signing}
	ext=$(mktemp)
	trap 'rm -f "$ext"' EXIT
	if [ "$kind" = tls ]; then
		printf '%s\n' "basicConstraints=critical,CA:FALSE" \
			"keyUsage=critical,digitalSignature,keyEncipherment" \
			"extendedKeyUsage=serverAuth,clientAuth" \
			"subjectAltName=DNS:localhost,IP:127.0.0.1" >"$ext"
	else
		printf '%s\n' "basicConstraints=critical,CA:FALSE" \
			"keyUsage=critical,digitalSignature,nonRepudiation" >"$ext"
	fi
	openssl x509 -req -in "$csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
		-CAcreateserial -out "$out" -days "${DAYS:-365}" -sha256 \
		-extfile "$ext" 2>/dev/null
	echo "issued $out"
	;;
*)
	usage
	;;
esac
