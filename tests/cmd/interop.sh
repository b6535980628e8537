#!/bin/sh
# Interop: swnode's WS-Security signatures agree with two independent
# implementations, xml-crypto (Node) and the JDK's javax.xml.crypto.dsig.
# xml-crypto 6.x has no ECDSA: it re-signs with RSA only, and verifies
# ecdsa-sha256 through a small algorithm class in xmlcrypto-verify.js.
#
# Needs node + npm (the packages of tests/interop/package.json are installed
# once into a cache dir) and a JDK.  Missing tools fail the test, unless
# SWNODE_SKIP_INTEROP=1, which skips it instead.
. "$(dirname "$0")/lib.sh"
: "${TOP_SRCDIR:?TOP_SRCDIR must point at the source tree}"

IOP=$TOP_SRCDIR/tests/interop
CACHE=${INTEROP_CACHE:-${TOP_BUILDDIR:-$TOP_SRCDIR}/tests/interop-cache}

# unavailable WHY: the harness cannot run here
unavailable() {
	if [ "${SWNODE_SKIP_INTEROP:-}" = 1 ]; then
		echo "SKIP: $1 (SWNODE_SKIP_INTEROP=1)"
		exit 77
	fi
	fail "$1 (set SWNODE_SKIP_INTEROP=1 to skip this test)"
	finish
	exit 1
}

# ---- xml-crypto, installed into the cache once ----
command -v node >/dev/null 2>&1 || unavailable "node is not installed"
command -v npm >/dev/null 2>&1 || unavailable "npm is not installed"
xc_version() {
	NODE_PATH=$CACHE/node_modules node -e 'process.stdout.write(require("xml-crypto/package.json").version)' 2>/dev/null
}
want=$(sed -n 's/^ *"xml-crypto": *"\([^"]*\)".*/\1/p' "$IOP/package.json")
if ! cmp -s "$IOP/package.json" "$CACHE/package.json" || [ ! -f "$CACHE/.installed" ] ||
	[ "$(xc_version)" != "$want" ]; then
	rm -f "$CACHE/.installed"
	mkdir -p "$CACHE" || unavailable "cannot create $CACHE"
	cp "$IOP/package.json" "$CACHE/package.json" || unavailable "cannot write $CACHE"
	# npm's own cache and logs stay in the cache dir too; no lock file anywhere.
	if npm_config_cache=$CACHE/.npm npm_config_update_notifier=false npm_config_fund=false \
		npm_config_audit=false npm install --no-package-lock --prefix "$CACHE" >"$T/npm.out" 2>&1 &&
		[ "$(xc_version)" = "$want" ]; then
		: >"$CACHE/.installed"
	else
		sed 's/^/  npm: /' "$T/npm.out" | tail -20
		unavailable "npm install of tests/interop/package.json into $CACHE failed"
	fi
fi
NODE_PATH=$CACHE/node_modules
export NODE_PATH

# ---- the JDK verifier, compiled into $T ----
command -v javac >/dev/null 2>&1 || unavailable "javac (a JDK) is not installed"
command -v java >/dev/null 2>&1 || unavailable "java is not installed"
# -XX:-UsePerfData: no hsperfdata files outside $T.
javac -J-XX:-UsePerfData -d "$T/java" "$IOP/JavaVerify.java" >"$T/javac.out" 2>&1 || {
	cat "$T/javac.out"
	unavailable "javac cannot compile tests/interop/JavaVerify.java"
}

xcverify() { node "$IOP/xmlcrypto-verify.js" "$@"; }
xcsign() { node "$IOP/xmlcrypto-sign.js" "$@"; }
jverify() { java -XX:-UsePerfData -cp "$T/java" JavaVerify "$@"; }

# both-refs: the verifier's output names both references as matching
both_refs() {
	has "$T/out" "-> Envelope/Header/eb:Messaging: digest matches" "$1: eb:Messaging reference"
	has "$T/out" "-> Envelope/Body: digest matches" "$1: Body reference"
}

# ---- two nodes that trust each other, and a third RSA key for re-signing ----
R=$T/rsa E=$T/ec X=$T/xc
newnode "$R" RSA-NODE --key rsa-2048
newnode "$E" EC-NODE --key ec-p256
newnode "$X" XC-NODE --key rsa-2048
"$SWNODE" --home "$R" cert export -o "$T/rsa.xml" >/dev/null 2>&1 || fail "cert export RSA-NODE"
"$SWNODE" --home "$E" cert export -o "$T/ec.xml" >/dev/null 2>&1 || fail "cert export EC-NODE"
expect 0 "RSA-NODE imports EC-NODE" "$SWNODE" --home "$R" peer import "$T/ec.xml" --agreement-id A --profile body
expect 0 "EC-NODE imports RSA-NODE" "$SWNODE" --home "$E" peer import "$T/rsa.xml" --agreement-id A --profile body
RCERT=$R/certs/signing.pem ECERT=$E/certs/signing.pem
# The wrong certificate: each node's TLS certificate, same key type, other key.
RWRONG=$R/certs/tls.pem EWRONG=$E/certs/tls.pem

# tamper IN OUT: one character of the body's first text changed
tamper() {
	awk '!done && inbody && match($0, />[A-Za-z0-9]/) {
		c = substr($0, RSTART + 1, 1); r = (c == "X") ? "Y" : "X"
		$0 = substr($0, 1, RSTART) r substr($0, RSTART + 2); done = 1
	}
	/<env:Body[ >]/ { inbody = 1 }
	{ print }' "$1" >"$2"
	if cmp -s "$1" "$2" || [ "$(cmp -l "$1" "$2" | wc -l)" -ne 1 ]; then
		fail "tamper: $(basename "$1") did not change in exactly one byte"
	fi
}

# wrap IN OUT: the signed Body moved into the header, a forged Body in its place
wrap() {
	node -e '
		const fs = require("fs");
		const s = fs.readFileSync(process.argv[1], "utf8");
		const b = s.indexOf("<env:Body"), e = s.indexOf("</env:Body>") + "</env:Body>".length;
		const h = s.indexOf("</env:Header>");
		if (b < 0 || e < b || h < 0 || h > b) process.exit(1);
		const forged = "<env:Body wsu:Id=\"_forged\"><f:Forged xmlns:f=\"urn:forged\">pay me</f:Forged></env:Body>";
		fs.writeFileSync(process.argv[2], s.slice(0, h) + "<w:Wrap xmlns:w=\"urn:wrap\">" +
			s.slice(b, e) + "</w:Wrap>" + s.slice(h, b) + forged + s.slice(e));
	' "$1" "$2" || fail "wrap: cannot rewrite $(basename "$1")"
}

n=0
for doc in eco/01-simple.xml eco/03-rcep-chinese.xml customs-declaration/01-minimal.xml \
	customs-declaration/02-multi-item-zh.xml ephyto/03-chinese-text.xml; do
	n=$((n + 1))
	b=$(basename "$doc" .xml)
	RM=$T/$n-rsa.xml EM=$T/$n-ec.xml
	expect 0 "pack $doc (RSA)" "$SWNODE" --home "$R" as4 pack --agreement A "$TESTDATA/$doc" -o "$RM" || continue
	has "$T/err" "signed with rsa-sha256" "$b: RSA pack"
	expect 0 "pack $doc (ECDSA)" "$SWNODE" --home "$E" as4 pack --agreement A "$TESTDATA/$doc" -o "$EM" || continue
	has "$T/err" "signed with ecdsa-sha256" "$b: ECDSA pack"
	expect 0 "swnode verifies its own RSA $b" "$SWNODE" as4 verify "$RM" --cert "$RCERT"
	expect 0 "swnode verifies its own ECDSA $b" "$SWNODE" as4 verify "$EM" --cert "$ECERT"

	# swnode -> xml-crypto and -> JDK, RSA and ECDSA
	expect 0 "xml-crypto verifies swnode's RSA $b" xcverify "$RM" "$RCERT" && both_refs "xml-crypto, RSA $b"
	expect 0 "xml-crypto verifies swnode's ECDSA $b" xcverify "$EM" "$ECERT" && both_refs "xml-crypto, ECDSA $b"
	expect 0 "JDK verifies swnode's RSA $b" jverify "$RM" "$RCERT" && both_refs "JDK, RSA $b"
	expect 0 "JDK verifies swnode's ECDSA $b" jverify "$EM" "$ECERT" && both_refs "JDK, ECDSA $b"
	has "$T/out" "#ecdsa-sha256 with the EC key" "JDK, ECDSA $b: algorithm"

	# xml-crypto -> swnode: the message re-signed with another key
	RS=$T/$n-resigned.xml
	if expect 0 "xml-crypto re-signs $b" xcsign "$RM" "$RS" "$X/keys/signing.key" "$X/certs/signing.pem"; then
		[ "$(grep -c '<ds:Signature' "$RS")" = 1 ] && [ "$(grep -c '<wsse:BinarySecurityToken' "$RS")" = 1 ] &&
			pass || fail "$b: re-signed message does not hold one token and one signature"
		hasnt "$RS" "$(grep -o '<ds:SignatureValue>[^<]*' "$RM" | head -1 | cut -c1-60)" \
			"$b: re-signed message keeps swnode's SignatureValue"
		# Same canonical bytes on both sides: xml-crypto's digests are swnode's.
		grep -o '<ds:DigestValue>[^<]*' "$RM" >"$T/dv-swnode"
		grep -o '<ds:DigestValue>[^<]*' "$RS" >"$T/dv-xmlcrypto"
		[ "$(wc -l <"$T/dv-swnode")" -eq 2 ] && pass || fail "$b: swnode's message has not two DigestValues"
		same "$T/dv-swnode" "$T/dv-xmlcrypto" "$b: xml-crypto computes other digests than swnode"
		expect 0 "swnode verifies the xml-crypto signature on $b" \
			"$SWNODE" as4 verify "$RS" --cert "$X/certs/signing.pem" &&
			has "$T/out" "-> soap:Body: digest matches" "swnode on re-signed $b"
		expect 1 "swnode rejects the re-signed $b with the old certificate" \
			"$SWNODE" as4 verify "$RS" --cert "$RCERT"
		expect 0 "JDK verifies the xml-crypto signature on $b" jverify "$RS" "$X/certs/signing.pem"
	fi
	# The same with an InclusiveNamespaces PrefixList, as other access points write it.
	RP=$T/$n-prefixlist.xml
	if expect 0 "xml-crypto re-signs $b with a PrefixList" xcsign "$RM" "$RP" "$X/keys/signing.key" "$X/certs/signing.pem" "env eb"; then
		has "$RP" "InclusiveNamespaces" "$b: the PrefixList is in the signature"
		expect 0 "swnode verifies the PrefixList signature on $b" \
			"$SWNODE" as4 verify "$RP" --cert "$X/certs/signing.pem" &&
			has "$T/out" 'digest matches (InclusiveNamespaces PrefixList "env eb")' "swnode shows the PrefixList ($b)"
		expect 0 "JDK verifies the PrefixList signature on $b" jverify "$RP" "$X/certs/signing.pem"
	fi

	# One character of the body changed: all three refuse.
	tamper "$RM" "$T/$n-rsa-body.xml"
	tamper "$EM" "$T/$n-ec-body.xml"
	expect 1 "xml-crypto rejects a changed body (RSA $b)" xcverify "$T/$n-rsa-body.xml" "$RCERT"
	has "$T/out" "-> Envelope/Body: FAILED" "xml-crypto names the failed body reference ($b)"
	expect 1 "xml-crypto rejects a changed body (ECDSA $b)" xcverify "$T/$n-ec-body.xml" "$ECERT"
	expect 1 "JDK rejects a changed body (RSA $b)" jverify "$T/$n-rsa-body.xml" "$RCERT"
	has "$T/out" "-> Envelope/Body: DIGEST DOES NOT MATCH" "JDK names the failed body reference ($b)"
	expect 1 "JDK rejects a changed body (ECDSA $b)" jverify "$T/$n-ec-body.xml" "$ECERT"
	expect 1 "swnode rejects a changed body (RSA $b)" "$SWNODE" as4 verify "$T/$n-rsa-body.xml" --cert "$RCERT"
	expect 1 "swnode rejects a changed body (ECDSA $b)" "$SWNODE" as4 verify "$T/$n-ec-body.xml" --cert "$ECERT"

	# The wrong certificate (the node's TLS one): all three refuse.
	expect 1 "xml-crypto rejects the wrong certificate (RSA $b)" xcverify "$RM" "$RWRONG"
	expect 1 "xml-crypto rejects the wrong certificate (ECDSA $b)" xcverify "$EM" "$EWRONG"
	expect 1 "JDK rejects the wrong certificate (RSA $b)" jverify "$RM" "$RWRONG"
	expect 1 "JDK rejects the wrong certificate (ECDSA $b)" jverify "$EM" "$EWRONG"
	expect 1 "swnode rejects the wrong certificate (RSA $b)" "$SWNODE" as4 verify "$RM" --cert "$RWRONG"
	expect 1 "swnode rejects the wrong certificate (ECDSA $b)" "$SWNODE" as4 verify "$EM" --cert "$EWRONG"
done

# Signature wrapping: the signed Body moved into the header, digests still
# match, a forged Body where the application reads.  All three refuse.
wrap "$T/1-rsa.xml" "$T/wrapped-rsa.xml"
wrap "$T/1-ec.xml" "$T/wrapped-ec.xml"
expect 1 "xml-crypto rejects a wrapped body (RSA)" xcverify "$T/wrapped-rsa.xml" "$RCERT"
has "$T/out" "-> an element elsewhere: digest matches" "xml-crypto: the moved Body still digests"
has "$T/out" "the references are not Envelope/Header/eb:Messaging and Envelope/Body" "xml-crypto: why"
expect 1 "xml-crypto rejects a wrapped body (ECDSA)" xcverify "$T/wrapped-ec.xml" "$ECERT"
expect 1 "JDK rejects a wrapped body (RSA)" jverify "$T/wrapped-rsa.xml" "$RCERT"
has "$T/out" "-> an element elsewhere: digest matches" "JDK: the moved Body still digests"
has "$T/out" "the references are not Envelope/Header/eb:Messaging and Envelope/Body" "JDK: why"
expect 1 "JDK rejects a wrapped body (ECDSA)" jverify "$T/wrapped-ec.xml" "$ECERT"
refused "swnode rejects a wrapped body (RSA)" "$SWNODE" as4 verify "$T/wrapped-rsa.xml" --cert "$RCERT"
refused "swnode rejects a wrapped body (ECDSA)" "$SWNODE" as4 verify "$T/wrapped-ec.xml" --cert "$ECERT"

# The harnesses' own refusals.
expect 2 "xml-crypto verifier: usage" xcverify "$T/1-rsa.xml"
expect 2 "JDK verifier: usage" jverify "$T/1-rsa.xml"
expect 2 "xml-crypto verifier: unreadable message" xcverify "$T/nonexistent.xml" "$RCERT"
expect 2 "JDK verifier: unreadable message" jverify "$T/nonexistent.xml" "$RCERT"
expect 2 "xml-crypto signer refuses an EC key" xcsign "$T/1-ec.xml" "$T/never.xml" "$E/keys/signing.key" "$ECERT"
[ ! -e "$T/never.xml" ] && pass || fail "xml-crypto signer wrote a message with an EC key"
finish
