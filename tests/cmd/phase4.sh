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

# p4serve PROFILE KEYS TRUST_TLS PEER_SIGN DIR: phase4 serves on a free
# port with the key set KEYS, trusting the TLS certificate TRUST_TLS and
# the signing certificate PEER_SIGN, storing into DIR/out; PORT once it
# listens.
p4serve() {
	: >"$5/serve.log"
	java -cp "$JARS" swnode.interop.Peer serve \
		--port 0 --tls-key "$2/tls.key" --tls-cert "$2/tls.crt" --trust-cert "$3" \
		--sign-key "$2/sign.key" --sign-cert "$2/sign.crt" --peer-sign-cert "$4" \
		--enc-key "$2/enc.key" --enc-cert "$2/enc.crt" --profile "$1" --out "$5/out" \
		>"$5/serve.log" 2>&1 &
	SERVE_PID=$!
	NODE_PIDS="$NODE_PIDS $SERVE_PID"
	i=0
	until grep -q 'phase4-peer: listening on ' "$5/serve.log"; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 "$SERVE_PID" 2>/dev/null; then
			echo "FAIL: phase4 serve ($1) did not start"; tail -30 "$5/serve.log"; exit 1
		fi
		sleep 0.05
	done
	PORT=$(sed -n 's|^phase4-peer: listening on https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$5/serve.log")
}

# serve PROFILE DIR: phase4 as b, trusting a.
serve() {
	p4serve "$1" "$2/keys/b" "$2/keys/a/tls.crt" "$2/keys/a/sign.crt" "$2"
}

# flip_tag BODY TXT: change the last byte before the closing boundary of
# the MIME body BODY (its Content-Type in TXT): the GCM tag of the last part.
flip_tag() {
	size=$(stat -c %s "$1")
	boundary_len=$(( $(sed -n 's/^Content-Type: .*boundary="\{0,1\}\([^";]*\).*/\1/p' "$2" | wc -c) + 7 ))
	off=$((size - boundary_len - 2))
	printf '\x5a' | dd of="$1" bs=1 seek=$off conv=notrunc 2>/dev/null
}

# send DIR SIGNER PAYLOAD MIME_TYPE NAME: compose as SIGNER (a, or the
# impostor c), POST over mutual TLS as a; MSGID, CID, HTTP set.  With
# TAMPER=1 the part's GCM tag is changed before it is posted.
send() {
	k=$1/keys
	if ! "$COMPOSE" compose "$PROFILE" "$k/$2/sign.key" "$k/$2/sign.crt" "$k/b/enc.crt" \
		"$FROM" "$TO" "$SERVICE" "$ACTION" "$4" "$3" "$1/$5.body" >"$1/$5.txt" 2>"$1/$5.err"; then
		cat "$1/$5.err"
		fail "$PROFILE $5: swa_compose failed"
		return 1
	fi
	[ "${TAMPER:-}" = 1 ] && flip_tag "$1/$5.body" "$1/$5.txt"
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

	# Refused by phase4, each with a signed ebMS Error and nothing stored:
	# the impostor (c's signing key, which b does not trust), a part signed
	# but not encrypted, and a changed GCM tag byte.
	for what in impostor plain tampered; do
		before=$(ls "$D/out" | wc -l)
		signer=a
		[ $what = impostor ] && signer=c
		if SWA_COMPOSE_PLAIN=$([ $what = plain ] && echo 1) TAMPER=$([ $what = tampered ] && echo 1) \
			send "$D" $signer "$PAYLOADS/payload-1.xml" application/xml $what; then
			if [ "$HTTP" = 200 ] &&
				"$COMPOSE" reply error "$D/$what.reply" "$D/keys/b/sign.crt" "$MSGID" 0 \
					>"$D/$what.check" 2>&1; then
				pass
			else
				fail "$PROFILE $what: HTTP $HTTP, not an ebMS Error: $(cat "$D/$what.check")"
				head -c 1500 "$D/$what.reply"; echo
			fi
			if [ "$(ls "$D/out" | wc -l)" = "$before" ] && [ ! -e "$D/out/$CID" ]; then
				pass
			else
				fail "$PROFILE $what: phase4 stored something"
			fi
		fi
	done
	# The unencrypted part passed phase4's signature check; its processor
	# refused it for want of encryption (the reason is in its log).
	grep -q "refusing .*: the message was not encrypted" "$D/serve.log" && pass ||
		fail "$PROFILE plain: phase4's processor did not refuse it as unencrypted"
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
	echo "$PROFILE: $(cat "$D/xml.check" 2>/dev/null); impostor: $(cat "$D/impostor.check" 2>/dev/null);" \
		"plain: $(cat "$D/plain.check" 2>/dev/null); tampered: $(cat "$D/tampered.check" 2>/dev/null)"
done

# ---- phase4 sends to swnode ----
# One swnode node with the keys of every profile; per profile a phase4
# sender (its own key set, a bundle written from its certificates, an
# agreement under that profile), one document as it is and one gzip'd.
# phase4's send checks swnode's Receipt itself (signature with swnode's
# profile certificate, RefToMessageId, every NRI digest) and prints OK.
IN=$T/in SW=$T/in/sw
mkdir -p "$IN"
SWPORT=$(free_port 0)
newnode "$SW" SW-B --key ec-p256 --endpoint "https://127.0.0.1:$SWPORT/as4" --listen "127.0.0.1:$SWPORT" \
	--profiles edelivery-2.0,edelivery-2.0-ecdsa,edelivery-1.15
PTYPE=urn:oasis:names:tc:ebcore:partyid-type:unregistered
eco=$(ls "$TESTDATA"/eco/*.xml | head -1)
tag() { case $1 in edelivery-2.0) echo P4-20 ;; edelivery-2.0-ecdsa) echo P4-20E ;; *) echo P4-115 ;; esac; }
for PROFILE in edelivery-2.0 edelivery-2.0-ecdsa edelivery-1.15; do
	t=$(tag "$PROFILE")
	"$P4/make-keys.sh" "$IN/$t" "$PROFILE" "$t" >"$T/keys.log" 2>&1 &&
		"$P4/make-bundle.sh" "$IN/$t" "$PROFILE" "$t" https://127.0.0.1:1/as4 >"$IN/$t.bundle" ||
		{ cat "$T/keys.log"; fail "keys and bundle $PROFILE"; finish; exit 1; }
	expect 0 "peer import of phase4's $PROFILE bundle" "$SWNODE" --home "$SW" peer import "$IN/$t.bundle" \
		--agreement-id "$t" --profile "$PROFILE"
	sed -i 's/status="draft"/status="active"/' "$SW/peers/$t.xml"
done
"$P4/make-keys.sh" "$IN/impostor" edelivery-2.0 impostor >"$T/keys.log" 2>&1
expect 0 "peer check of the phase4 agreements" "$SWNODE" --home "$SW" peer check
SERVICE_ECO=$(xmllint --xpath 'string(//*[local-name()="document"][@type="eco"]/@service)' "$SW/peers/P4-20.xml")
ACTION_ECO=$(xmllint --xpath 'string(//*[local-name()="document"][@type="eco"]/@action)' "$SW/peers/P4-20.xml")
start_node "$SW"
# The partner sends the international form; the domestic side gets the original back.
"$SWNODE" map --to international "$eco" -o "$IN/eco-intl.xml" 2>/dev/null
canon "$eco" >"$IN/eco-domestic.c14n"

# bundle_checks DIR WHAT LINE1 LINE2: the evidence of $MSGID, exported to
# DIR, checks offline, and the check printed both lines as passed
bundle_checks() {
	"$SWNODE" --home "$SW" ledger export --msgid "$MSGID" -o "$1" >"$T/out" 2>&1
	if "$SWNODE" ledger check-bundle "$1" >"$T/out" 2>&1 && grep -qF "ok       $3" "$T/out" &&
	   grep -qF "ok       $4" "$T/out"; then
		pass
	else
		fail "$2: the evidence bundle does not check"; cat "$T/out"
	fi
}

# p4send TAG PROFILE NAME [options]: phase4 sends eco to swnode as TAG
p4send() {
	k=$IN/$1
	sk=$k
	[ "${SIGNER:-}" ] && sk=$IN/$SIGNER
	RC=0
	java -cp "$JARS" swnode.interop.Peer send --url "https://127.0.0.1:$SWPORT/as4" \
		--tls-key "$k/tls.key" --tls-cert "$k/tls.crt" --trust-cert "$SW/certs/tls.pem" \
		--sign-key "$sk/sign.key" --sign-cert "$sk/sign.crt" \
		--peer-sign-cert "$SW/certs/$2-signing.pem" --peer-enc-cert "$SW/certs/$2-encryption.pem" \
		--profile "$2" --payload "$IN/eco-intl.xml" --mime-type application/xml --from "$1" --to SW-B \
		--party-type "$PTYPE" --service "$SERVICE_ECO" --action "$ACTION_ECO" --agreement "$1" \
		"${@:4}" >"$IN/$3.out" 2>&1 || RC=$?
	MSGID=$(sed -n 's/^MessageId: //p' "$IN/$3.out")
}

for PROFILE in edelivery-2.0 edelivery-2.0-ecdsa edelivery-1.15; do
	t=$(tag "$PROFILE")
	for gz in plain gzip; do
		opt=""
		[ $gz = gzip ] && opt=--gzip
		p4send "$t" "$PROFILE" "$t-$gz" $opt
		if [ "$RC" = 0 ] && grep -q "^OK $MSGID" "$IN/$t-$gz.out"; then
			pass
		else
			fail "phase4 $PROFILE $gz -> swnode: no verified Receipt (exit $RC)"
			tail -20 "$IN/$t-$gz.out"; tail -5 "$SW.log"
			continue
		fi
		# The ledger: RECEIVED with both digests of the part, delivered.
		# plain: the decrypted digest is the document's; gzip'd: it is
		# the gzip member's (phase4's), signed as application/gzip.
		want="application/xml: received % bytes sha256:%, decrypted $(wc -c <"$IN/eco-intl.xml") bytes sha256:$(sha256sum "$IN/eco-intl.xml" | cut -d' ' -f1)"
		[ $gz = gzip ] && want="application/gzip: received % bytes sha256:%, decrypted % bytes sha256:%"
		[ "$(entries "$SW" "msgid='$MSGID' and event='RECEIVED' and reason like '%$want%'")" = 1 ] &&
			pass || fail "phase4 $PROFILE $gz: RECEIVED without the part's digests"
		[ "$(entries "$SW" "msgid='$MSGID' and event='DELIVERED_LOCAL'")" = 1 ] &&
			pass || fail "phase4 $PROFILE $gz: not delivered to the domestic side"
		f=$(placed_file "$SW" "$MSGID")
		if [ -f "$f" ] && canon "$f" | cmp -s - "$IN/eco-domestic.c14n"; then
			pass
		else
			fail "phase4 $PROFILE $gz: the domestic document is not the original's ($f)"
		fi
		# An auditor checks phase4's signature over the plaintext part
		# offline, from the bundle, as for swnode's own messages.
		bundle_checks "$IN/ev-$t-$gz" "phase4 $PROFILE $gz" "message.mime carries a valid signature by signing-$t+1.pem" \
			"part-1.bin is the plaintext of part 1"
	done
done

# placed_after_restart WHAT: with spool/in repaired, the node restarts and
# places message $MSGID from its evidence, equal to the original.
placed_after_restart() {
	rm "$SW/spool/in"
	mv "$SW/spool/in.away" "$SW/spool/in"
	stop_node "$SW"
	start_node "$SW"
	f=$(placed_file "$SW" "$MSGID")
	if [ -n "$f" ] && [ -f "$f" ] && canon "$f" | cmp -s - "$IN/eco-domestic.c14n"; then
		pass
	else
		fail "$1: not placed from the evidence after the restart"; tail -5 "$SW.log"
	fi
}

# A document that cannot be placed (spool/in broken) is placed at the next
# start: decrypted again from the evidence with the node's key.
mv "$SW/spool/in" "$SW/spool/in.away"
: >"$SW/spool/in"
p4send P4-20E edelivery-2.0-ecdsa later --gzip
grep -q "^OK $MSGID" "$IN/later.out" && pass || { fail "later: no verified Receipt"; tail -5 "$IN/later.out"; }
[ "$(entries "$SW" "msgid='$MSGID' and event='LOCAL_DELIVERY_FAILED'")" = 1 ] && pass || fail "later: failed delivery not recorded"
placed_after_restart "later"

# A retry that is encrypted again (a new content key, IVs and boundary:
# what a gateway does when it sends a message anew) is the same message:
# the same verified plaintext gets the original Receipt, stored once.
p4send P4-20 edelivery-2.0 retry1 --message-id retry-1@p4.invalid
p4send P4-20 edelivery-2.0 retry2 --message-id retry-1@p4.invalid
grep -q "^OK retry-1@p4.invalid" "$IN/retry2.out" && pass || { fail "a re-encrypted retry got no Receipt"; tail -5 "$IN/retry2.out"; }
[ "$(entries "$SW" "msgid='retry-1@p4.invalid' and event='RECEIVED'")" = 1 ] && pass || fail "the retry was stored twice"
[ "$(entries "$SW" "msgid='retry-1@p4.invalid' and event='REFUSED'")" = 0 ] && pass || fail "the retry was refused"
[ "$(entries "$SW" "msgid='retry-1@p4.invalid' and event='DELIVERED_LOCAL'")" = 1 ] && pass || fail "the retry was delivered twice"
# The same MessageId with another document: refused.
sed 's/<\/CertificateOfOrigin>/<!-- changed --><\/CertificateOfOrigin>/' "$IN/eco-intl.xml" >"$IN/eco-other.xml"
cp "$IN/eco-intl.xml" "$IN/eco-keep.xml"
cp "$IN/eco-other.xml" "$IN/eco-intl.xml"
p4send P4-20 edelivery-2.0 retry3 --message-id retry-1@p4.invalid
cp "$IN/eco-keep.xml" "$IN/eco-intl.xml"
[ "$RC" != 0 ] && pass || fail "the same MessageId with other content was accepted"
[ "$(entries "$SW" "msgid='retry-1@p4.invalid' and event='REFUSED' and reason like 'EBMS:0003%received before with other content%'")" = 1 ] &&
	pass || fail "other content under a known MessageId: no EBMS:0003"
# Refused, each with its reason: an impostor's signature (FailedAuthentication),
# signed but not encrypted (PolicyNoncompliance), a ciphertext byte
# changed (FailedDecryption), and the body form under an eDelivery agreement.
SIGNER=impostor p4send P4-20 edelivery-2.0 impostor
[ "$RC" != 0 ] && pass || fail "phase4 impostor: accepted"
[ "$(entries "$SW" "msgid='$MSGID' and event='REFUSED' and reason like 'EBMS:0101%'")" = 1 ] &&
	pass || fail "impostor: no REFUSED EBMS:0101"
[ "$(entries "$SW" "msgid='$MSGID' and event='DELIVERED_LOCAL'")" = 0 ] && pass || fail "impostor delivered"
# Three payloads in one message: the first is the document, delivered as
# always; the other two are attachments, placed beside it as
# DOCTYPE-SEQ.part-N.bin with the bytes sent (gunzipped) before it appears;
# taking the document takes them too.  Compressed and not.
head -c 300000 /dev/urandom >"$IN/att.bin"
printf 'a note on the consignment\n' >"$IN/att.txt"
for gz in plain gzip; do
	opt=""
	[ $gz = gzip ] && opt=--gzip
	p4send P4-20 edelivery-2.0 three-$gz --payload "$IN/att.bin" --payload "$IN/att.txt" \
		--payload-type application/xml --payload-type application/octet-stream \
		--payload-type text/plain $opt
	grep -q "^OK $MSGID" "$IN/three-$gz.out" && pass ||
		{ fail "three payloads $gz: no verified Receipt (exit $RC)"; grep -v INFO "$IN/three-$gz.out" | tail -30; tail -5 "$SW.log"; }
	f=$(placed_file "$SW" "$MSGID")
	if [ -n "$f" ] && canon "$f" | cmp -s - "$IN/eco-domestic.c14n"; then pass
	else fail "three payloads $gz: the document is not delivered"; fi
	if cmp -s "${f%.xml}.part-2.bin" "$IN/att.bin" && cmp -s "${f%.xml}.part-3.bin" "$IN/att.txt"; then pass
	else fail "three payloads $gz: the attachments are not beside the document as sent"; ls -la "$SW/spool/in"; fi
	[ "$(sql "$SW" "select count(*) from entries where msgid='$MSGID' and event='RECEIVED' and reason like '%; part 3 <%'")" = 1 ] &&
		pass || fail "three payloads $gz: RECEIVED does not name the three parts"
done
# Its evidence checks offline, every part's plaintext with it.
bundle_checks "$IN/ev-three" "three payloads" "message.mime carries a valid signature by signing-P4-20+1.pem" \
	"part-3.bin is the plaintext of part 3"
# GET /inbox names each document's attachments.
name=$(basename "$f")
curl -sS -H "Authorization: Bearer $(cat "$SW/local.token")" \
	"http://127.0.0.1:$(sed -n 's/^local //p' "$SW.out" | tail -1)/inbox" >"$T/inbox.json"
stem=${name%.xml}
att='{"file":"'$stem'\.part-[23]\.bin","part":[23],"present":true}'
grep -qE '"file":"'$name'",[^]]*"attachments":\['"$att,$att"'\]' "$T/inbox.json" && pass ||
	fail "GET /inbox does not list the two attachments: $(cat "$T/inbox.json")"
# The domestic side takes the last one: its attachments go with it.
code=$(curl -sS -H "Authorization: Bearer $(cat "$SW/local.token")" -o "$T/ack.json" -w '%{http_code}' \
	-X DELETE "http://127.0.0.1:$(sed -n 's/^local //p' "$SW.out" | tail -1)/inbox/$name")
if [ "$code" = 200 ] && [ ! -e "$f" ] && [ ! -e "${f%.xml}.part-2.bin" ] && [ ! -e "${f%.xml}.part-3.bin" ]; then pass
else fail "taking a document with attachments (HTTP $code): $(ls "$SW/spool/in" | grep "$(basename "${f%.xml}")")"; fi
# As if the node had died between the acknowledgement and the removal:
# the next start removes the taken document's attachment.
taken_att=${f%.xml}.part-2.bin
cp "$IN/att.txt" "$taken_att"
# A document placed while spool/in is broken is placed at the next start
# with its attachments, written anew from the payload store.
mv "$SW/spool/in" "$SW/spool/in.away"
: >"$SW/spool/in"
# A directory planted under the attachment's temporary name is moved
# aside, not taken for a reason to fail for ever.
p4send P4-20 edelivery-2.0 three-later --payload "$IN/att.bin" --gzip \
	--payload-type application/xml --payload-type application/octet-stream
grep -q "^OK $MSGID" "$IN/three-later.out" && pass || fail "three-later: no verified Receipt"
seq=$(sql "$SW" "select seq from entries where msgid='$MSGID' and event='RECEIVED'")
rm "$SW/spool/in"
mv "$SW/spool/in.away" "$SW/spool/in"
mkdir "$SW/spool/in/.placing-$seq-part-2"
mv "$SW/spool/in" "$SW/spool/in.away"
: >"$SW/spool/in"
placed_after_restart "a document with an attachment"
f=$(placed_file "$SW" "$MSGID")
cmp -s "${f%.xml}.part-2.bin" "$IN/att.bin" && pass || fail "the attachment is not placed after the restart"
[ ! -e "$taken_att" ] && pass || fail "the start left an attachment of an acknowledged document"
later_att=${f%.xml}.part-2.bin
[ -d "$SW/spool/in/.in-the-way-$seq-.placing-$seq-part-2" ] && pass ||
	fail "the directory planted under the attachment's temporary name was not moved aside: $(ls -a "$SW/spool/in")"
# 10 MB: an attachment of 10 MiB, within P4-20's limit raised to 16 MiB;
# over P4-20E's 10 MiB, refused and nothing delivered.
head -c 10485760 /dev/urandom >"$IN/ten.bin"
sed -i 's/maxMessageBytes="[0-9]*"/maxMessageBytes="16777216"/' "$SW/peers/P4-20.xml"
stop_node "$SW"
start_node "$SW"
p4send P4-20 edelivery-2.0 ten --payload "$IN/ten.bin" --gzip \
	--payload-type application/xml --payload-type application/octet-stream
grep -q "^OK $MSGID" "$IN/ten.out" && pass || { fail "10 MiB attachment: no verified Receipt (exit $RC)"; tail -5 "$IN/ten.out"; tail -5 "$SW.log"; }
f=$(placed_file "$SW" "$MSGID")
cmp -s "${f%.xml}.part-2.bin" "$IN/ten.bin" && pass || fail "the 10 MiB attachment is not delivered as sent"
cmp -s "$later_att" "$IN/att.bin" && pass || fail "a start removed the attachment of a document not acknowledged"
p4send P4-20E edelivery-2.0-ecdsa ten-over --payload "$IN/ten.bin" \
	--payload-type application/xml --payload-type application/octet-stream
[ "$RC" != 0 ] && pass || fail "10 MiB over a 10 MiB limit: accepted"
[ "$(entries "$SW" "msgid='$MSGID' and event='DELIVERED_LOCAL'")" = 0 ] && pass || fail "over the limit: delivered"
# swnode_post NAME: POST $IN/NAME.body as P4-20 with its Content-Type
swnode_post() {
	curl -sS --max-time 60 --cacert "$SW/certs/tls.pem" --cert "$IN/P4-20/tls.crt" --key "$IN/P4-20/tls.key" \
		-H "Content-Type: $(sed -n 's/^Content-Type: //p' "$IN/$1.txt")" --data-binary "@$IN/$1.body" \
		-o "$IN/$1.reply" "https://127.0.0.1:$SWPORT/as4" 2>"$IN/$1.curl"
	MSGID=$(sed -n 's/^MessageId: //p' "$IN/$1.txt")
}
compose_in() {
	SWA_COMPOSE_AGREEMENT=P4-20 SWA_COMPOSE_PARTY_TYPE=$PTYPE "$COMPOSE" compose edelivery-2.0 \
		"$IN/P4-20/sign.key" "$IN/P4-20/sign.crt" "$SW/certs/edelivery-2.0-encryption.pem" \
		P4-20 SW-B "$SERVICE_ECO" "$ACTION_ECO" application/xml "$IN/eco-intl.xml" "$IN/$1.body" >"$IN/$1.txt"
}
SWA_COMPOSE_PLAIN=1 compose_in plain
swnode_post plain
has "$IN/plain.reply" 'errorCode="EBMS:0103"' "unencrypted part: PolicyNoncompliance"
[ "$(entries "$SW" "msgid='$MSGID' and event='REFUSED' and reason like '%requires every payload part encrypted%'")" = 1 ] &&
	pass || fail "unencrypted part: no REFUSED with the reason"
compose_in good
swnode_post good
has "$IN/good.reply" "Receipt" "swa_compose's message to swnode: a Receipt"
compose_in tampered
flip_tag "$IN/tampered.body" "$IN/tampered.txt"
swnode_post tampered
has "$IN/tampered.reply" 'errorCode="EBMS:0102"' "a changed ciphertext byte: FailedDecryption"
[ "$(entries "$SW" "msgid='$MSGID' and event='DELIVERED_LOCAL'")" = 0 ] && pass || fail "tampered delivered"
# A Content-Type with a quoted backslash and quote, and a tab: recorded so
# that it reads back exactly, the document placed after a failed delivery.
mv "$SW/spool/in" "$SW/spool/in.away"
: >"$SW/spool/in"
compose_in odd
ct=$(sed -n 's/^Content-Type: //p' "$IN/odd.txt")
printf 'Content-Type: %s;\tx="a\\\\b\\"c"\n' "$ct" >"$IN/odd.ct"
sed -i '/^Content-Type: /d' "$IN/odd.txt"
cat "$IN/odd.ct" >>"$IN/odd.txt"
swnode_post odd
has "$IN/odd.reply" "Receipt" "an odd but valid Content-Type: a Receipt"
placed_after_restart "odd Content-Type"

# A signed MimeType holding the words of the ledger's description of a
# part cannot make another document under a known MessageId pass for a
# retry: the description keeps the media type alone.
tricky='application/xml; a=": received 0 bytes sha256:0, decrypted 1 bytes sha256:0;"'
compose_mt() {
	SWA_COMPOSE_MSGID=tricky-1@p4.invalid SWA_COMPOSE_AGREEMENT=P4-20 SWA_COMPOSE_PARTY_TYPE=$PTYPE \
		"$COMPOSE" compose edelivery-2.0 "$IN/P4-20/sign.key" "$IN/P4-20/sign.crt" \
		"$SW/certs/edelivery-2.0-encryption.pem" P4-20 SW-B "$SERVICE_ECO" "$ACTION_ECO" "$tricky" \
		"$2" "$IN/$1.body" >"$IN/$1.txt"
}
compose_mt tricky1 "$IN/eco-intl.xml"
swnode_post tricky1
has "$IN/tricky1.reply" "Receipt" "a part with a MimeType holding quoted words: received"
compose_mt tricky2 "$IN/eco-other.xml"
swnode_post tricky2
has "$IN/tricky2.reply" 'errorCode="EBMS:0003"' "another document under its MessageId: EBMS:0003, not taken for a retry"
[ "$(entries "$SW" "msgid='tricky-1@p4.invalid' and event='RECEIPT_SENT'")" = 1 ] && pass ||
	fail "a second Receipt was signed for another document"

# A part signed as application/gzip spelt otherwise is refused before a
# Receipt (EBMS:0001): no reader may take it for gzip'd and another not.
SWA_COMPOSE_AGREEMENT=P4-20 SWA_COMPOSE_PARTY_TYPE=$PTYPE "$COMPOSE" compose edelivery-2.0 \
	"$IN/P4-20/sign.key" "$IN/P4-20/sign.crt" "$SW/certs/edelivery-2.0-encryption.pem" P4-20 SW-B \
	"$SERVICE_ECO" "$ACTION_ECO" "Application/Gzip" "$IN/eco-intl.xml" "$IN/oddgz.body" >"$IN/oddgz.txt"
swnode_post oddgz
has "$IN/oddgz.reply" 'errorCode="EBMS:0001"' "a part signed as Application/Gzip: refused"
[ "$(entries "$SW" "msgid='$MSGID' and event='REFUSED' and reason like '%part 1 is signed as ''Application/Gzip''%'")" = 1 ] &&
	pass || fail "Application/Gzip: no REFUSED with the reason: $(sql "$SW" "select reason from entries where msgid='$MSGID'")"
# A Content-Type over 1024 bytes is refused before anything is read.
compose_in long
ct=$(sed -n 's/^Content-Type: //p' "$IN/long.txt")
pad=$(head -c 1100 /dev/zero | tr '\0' 'p')
sed -i '/^Content-Type: /d' "$IN/long.txt"
echo "Content-Type: $ct; x=\"$pad\"" >>"$IN/long.txt"
swnode_post long
has "$IN/long.reply" 'errorCode="EBMS:0004"' "a Content-Type over 1024 bytes: refused"
[ "$(entries "$SW" "event='REFUSED' and reason like '%the Content-Type is % bytes; this node takes at most 1024%'")" = 1 ] &&
	pass || fail "the long Content-Type's refusal is not recorded with its reason"

# ---- swnode sends to phase4 ----
# The node itself (send, then serve's delivery) under each profile: the
# document gzip'd, signed with the profile's key, encrypted to phase4's
# certificate; phase4 checks the signature, stores the payload, and its
# Receipt is checked by swnode as any (signature, RefToMessageId, NRI).
for PROFILE in edelivery-2.0 edelivery-2.0-ecdsa edelivery-1.15; do
	t=$(tag "$PROFILE")B
	D=$IN/$t
	mkdir -p "$D/out"
	"$P4/make-keys.sh" "$D/k" "$PROFILE" "$t" >"$T/keys.log" 2>&1 || { cat "$T/keys.log"; fail "keys $t"; continue; }
	p4serve "$PROFILE" "$D/k" "$SW/certs/tls.pem" "$SW/certs/$PROFILE-signing.pem" "$D"
	P4PORT=$PORT
	"$P4/make-bundle.sh" "$D/k" "$PROFILE" "$t" "https://127.0.0.1:$P4PORT/as4" >"$D.bundle"
	expect 0 "peer import of phase4 $PROFILE (receiver)" "$SWNODE" --home "$SW" peer import "$D.bundle" \
		--agreement-id "$t" --profile "$PROFILE"
	sed -i -e 's/status="draft"/status="active"/' -e 's/intervals="[^"]*"/intervals="1 1"/' "$SW/peers/$t.xml"
	reload_node "$SW"
	run "$SWNODE" --home "$SW" send "$IN/eco-intl.xml" --to "$t" --wait 60
	MSGID=$(head -1 "$T/out")
	if [ "$RC" = 0 ]; then
		pass
	else
		fail "swnode -> phase4 $PROFILE: not DELIVERED"; cat "$T/err"; tail -20 "$D/serve.log"
	fi
	[ "$(entries "$SW" "msgid='$MSGID' and event='DELIVERED'")" = 1 ] && pass || fail "swnode -> phase4 $PROFILE: no DELIVERED entry"
	f=$(ls "$D/out" 2>/dev/null | grep -v '\.json$' | head -1)
	if [ -n "$f" ] && cmp -s "$D/out/$f" "$IN/eco-intl.xml"; then
		pass
	else
		fail "swnode -> phase4 $PROFILE: phase4 did not store the document as sent"; ls -la "$D/out"
	fi
	has "$D/out/$MSGID.json" "\"Compressed\": true" "swnode -> phase4 $PROFILE: the part was gzip'd"
	has "$D/out/$MSGID.json" "\"SigningCertificate\": \"CN=SW-B,OU=swnode $PROFILE signing\"" \
		"swnode -> phase4 $PROFILE: signed with swnode's profile key"
	# The sender's evidence: our message over the plaintext kept by digest,
	# phase4's Receipt with phase4's pinned certificate.
	bundle_checks "$D/ev" "swnode -> phase4 $PROFILE" "message.mime carries a valid signature by signing-SW-B+" \
		"receipt.xml carries a valid signature by signing-$t+1.pem"
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
done

stop_node "$SW"
echo "swnode's inbound ledger entries:"
sql "$SW" "select seq, peer, event, substr(coalesce(reason, ''), 1, 200) from entries where direction = 'in'"
finish
