#!/bin/bash
# Interop: phase4 (the Java AS4 gateway, tests/interop/phase4) accepts an
# eDelivery AS4 request that swnode composed: the envelope with its
# eb:PartInfo, signed over the plaintext (Ed25519, ECDSA or RSA), the part
# encrypted (AES-128-GCM, the key by X25519 or ECDH-ES + HKDF + kw-aes128,
# or RSA-OAEP), MIME-written
# (tests/forge/swa_compose).  Per profile: phase4's serve answers HTTP 200
# with a Receipt for the message whose signature swnode verifies, and
# stores a payload equal to the original; a message signed with a key it
# does not trust gets an ebMS Error and nothing is stored.
# Needs java, mvn (Maven Central or the cache tests/interop-cache/m2),
# curl and openssl; without them the test is skipped (77).
. "$(dirname "$0")/lib.sh"
: "${TOP_SRCDIR:?TOP_SRCDIR must point at the source tree}"
: "${TOP_BUILDDIR:?TOP_BUILDDIR must point at the build tree}"

for tool in java mvn curl openssl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed (the phase4 peer needs java and mvn: apt-get install maven)"
		exit 77
	fi
done

P4=$TOP_SRCDIR/tests/interop/phase4
# Built in the build tree (the sources may be read-only, as in make
# distcheck), with the Maven cache .ci/run shares between its runs.
PHASE4_WORK=$TOP_BUILDDIR/tests/interop-cache/phase4-peer
PHASE4_CACHE=${PHASE4_CACHE:-$TOP_BUILDDIR/tests/interop-cache/m2}
export PHASE4_WORK PHASE4_CACHE
JARS="$PHASE4_WORK/target/phase4-peer-1.jar:$PHASE4_WORK/target/dependency/*"
COMPOSE=$TOP_BUILDDIR/tests/forge/swa_compose
PAYLOADS=$TESTDATA/phase4
FROM=urn:swnode:test:a TO=urn:swnode:test:b
SERVICE=urn:swnode:test:service ACTION=urn:swnode:test:Submit

if ! "$P4/build.sh" >"$T/build.log" 2>&1; then
	cat "$T/build.log"
	fail "the phase4 peer does not build"
	finish
	exit 1
fi

# serve PROFILE DIR: phase4 as b on a free port; PORT once it listens.
serve() {
	k=$2/keys
	: >"$2/serve.log"
	java -cp "$JARS" swnode.interop.Peer serve \
		--port 0 --tls-key "$k/b/tls.key" --tls-cert "$k/b/tls.crt" --trust-cert "$k/a/tls.crt" \
		--sign-key "$k/b/sign.key" --sign-cert "$k/b/sign.crt" --peer-sign-cert "$k/a/sign.crt" \
		--enc-key "$k/b/enc.key" --enc-cert "$k/b/enc.crt" --profile "$1" --out "$2/out" \
		>"$2/serve.log" 2>&1 &
	SERVE_PID=$!
	NODE_PIDS="$NODE_PIDS $SERVE_PID"
	i=0
	until grep -q 'phase4-peer: listening on ' "$2/serve.log"; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 "$SERVE_PID" 2>/dev/null; then
			echo "FAIL: phase4 serve ($1) did not start"; tail -30 "$2/serve.log"; exit 1
		fi
		sleep 0.05
	done
	PORT=$(sed -n 's|^phase4-peer: listening on https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$2/serve.log")
}

# send DIR SIGNER PAYLOAD MIME_TYPE NAME: compose as SIGNER (a, or the
# impostor c), POST over mutual TLS as a; MSGID, CID, HTTP set.
send() {
	k=$1/keys
	if ! "$COMPOSE" compose "$PROFILE" "$k/$2/sign.key" "$k/$2/sign.crt" "$k/b/enc.crt" \
		"$FROM" "$TO" "$SERVICE" "$ACTION" "$4" "$3" "$1/$5.body" >"$1/$5.txt" 2>"$1/$5.err"; then
		cat "$1/$5.err"
		fail "$PROFILE $5: swa_compose failed"
		return 1
	fi
	MSGID=$(sed -n 's/^MessageId: //p' "$1/$5.txt")
	CID=$(sed -n 's/^Content-ID: //p' "$1/$5.txt")
	HTTP=$(curl -sS --max-time 60 --cacert "$k/b/tls.crt" --cert "$k/a/tls.crt" --key "$k/a/tls.key" \
		-H "Content-Type: $(sed -n 's/^Content-Type: //p' "$1/$5.txt")" \
		--data-binary "@$1/$5.body" -o "$1/$5.reply" -w '%{http_code}' \
		"https://127.0.0.1:$PORT/as4" 2>"$1/$5.curl") || HTTP="curl failed: $(cat "$1/$5.curl")"
}

# accepted DIR PAYLOAD MIME_TYPE NAME: a's message gets a verified Receipt
# and phase4 stored the payload as it was.
accepted() {
	send "$1" a "$2" "$3" "$4" || return
	if [ "$HTTP" != 200 ]; then fail "$PROFILE $4: HTTP $HTTP"; return; fi
	pass
	if "$COMPOSE" reply receipt "$1/$4.reply" "$1/keys/b/sign.crt" "$MSGID" 3 >"$1/$4.check" 2>&1; then
		pass
	else
		fail "$PROFILE $4: no valid Receipt: $(cat "$1/$4.check")"
		head -c 2000 "$1/$4.reply"; echo
	fi
	if [ -f "$1/out/$CID" ] && cmp -s "$1/out/$CID" "$2"; then
		pass
	else
		fail "$PROFILE $4: phase4 did not store the payload as sent"
		ls -la "$1/out"; tail -30 "$1/serve.log"
	fi
	has "$1/out/$MSGID.json" "\"SigningCertificate\": \"CN=a sign" "$PROFILE $4: the record"
}

for PROFILE in edelivery-2.0 edelivery-2.0-ecdsa edelivery-1.15; do
	D=$T/$PROFILE
	mkdir -p "$D/out"
	for party in a b c; do
		"$P4/make-keys.sh" "$D/keys/$party" "$PROFILE" "$party" >"$T/keys.log" 2>&1 ||
			{ cat "$T/keys.log"; fail "make-keys $PROFILE $party"; finish; exit 1; }
	done
	serve "$PROFILE" "$D"
	accepted "$D" "$PAYLOADS/payload-1.xml" application/xml xml
	accepted "$D" "$PAYLOADS/payload-2.txt" text/plain text

	# The impostor: c's signing key, which b does not trust.
	before=$(ls "$D/out" | wc -l)
	if send "$D" c "$PAYLOADS/payload-1.xml" application/xml impostor; then
		if [ "$HTTP" = 200 ] &&
			"$COMPOSE" reply error "$D/impostor.reply" "$D/keys/b/sign.crt" "$MSGID" 0 \
				>"$D/impostor.check" 2>&1; then
			pass
		else
			fail "$PROFILE impostor: HTTP $HTTP, not an ebMS Error: $(cat "$D/impostor.check")"
		fi
		if [ "$(ls "$D/out" | wc -l)" = "$before" ] && [ ! -e "$D/out/$CID" ]; then
			pass
		else
			fail "$PROFILE impostor: phase4 stored something"
		fi
	fi
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
	echo "$PROFILE: $(cat "$D/xml.check" 2>/dev/null); impostor: $(cat "$D/impostor.check" 2>/dev/null)"
done
finish
