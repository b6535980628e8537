#!/usr/bin/env bash
# Regenerates the committed seed corpus (tests/fuzz/corpus/) and the peer
# bundle the as4 and inbound targets pin (tests/fuzz/peer-bundle.xml) and the
# ledger key the checkpoint target checks with (tests/fuzz/checkpoint.vkey), with
# the built swnode: two nodes exchange messages, and what they produce is
# kept.  Only public material is kept; the nodes' keys stay in the
# temporary directory and are removed with it.
#   SWNODE=./swnode SWNODE_SCHEMAS=schemas TESTDATA=tests/data bash tests/fuzz/make-corpus.sh
# Run it when a format changes; then commit the result.  The seeds of part
# and gzip are written by hand, not made here: they are left as they are.
. "$(dirname "$0")/../cmd/lib.sh"
F=$(cd "$(dirname "$0")" && pwd)
C=$F/corpus
for d in as4 doctype agreement bundle proof inbound checkpoint http mime xenc dsig; do
	rm -rf "${C:?}/$d"
	mkdir -p "$C/$d"
done

CN=$T/cn SG=$T/sg
pa=$(free_port 0) pb=$(free_port 1)
# Ten years: the pinned certificates must outlive the committed corpus.
newnode "$CN" CN-SW --days 3650 --key ec-p256 --endpoint "https://127.0.0.1:$pa/as4" --listen "127.0.0.1:$pa"
newnode "$SG" SG-NTP --days 3650 --key rsa-2048 --endpoint "https://127.0.0.1:$pb/as4" --listen "127.0.0.1:$pb"
"$SWNODE" --home "$CN" cert export -o "$F/peer-bundle.xml"
"$SWNODE" --home "$SG" cert export -o "$C/bundle/rsa.xml"
cp "$F/peer-bundle.xml" "$C/bundle/ec.xml"
"$SWNODE" --home "$CN" peer import "$C/bundle/rsa.xml" --agreement-id AB --profile body >/dev/null
"$SWNODE" --home "$SG" peer import "$F/peer-bundle.xml" --agreement-id AB --profile body >/dev/null
cp "$SG/peers/AB.xml" "$C/agreement/draft.xml"
for h in "$CN" "$SG"; do
	sed -i 's/status="draft"/status="active"/' "$h/peers/AB.xml"
done
cp "$CN/peers/AB.xml" "$C/agreement/active-rsa.xml"

# Messages from CN to SG: one per family, signed; one unsigned.
for type in ephyto eco customs-declaration; do
	f=$(ls "$TESTDATA/$type"/*.xml | head -1)
	"$SWNODE" --home "$CN" as4 pack --agreement AB --message-id "seed-$type@CN-SW" "$f" -o "$C/as4/$type.xml"
	cp "$f" "$C/doctype/$type-domestic.xml"
	"$SWNODE" map --to international "$f" -o "$C/doctype/$type-international.xml"
done
"$SWNODE" --home "$CN" as4 pack --agreement AB --unsigned --message-id seed-unsigned@CN-SW \
	"$(ls "$TESTDATA"/eco/*.xml | head -1)" -o "$C/as4/unsigned.xml"
cp "$TESTDATA/bad/ephyto-invalid-element-order.xml" "$C/doctype/"

# A receipt and an error signal, from SG's node over mutual TLS.
start_node "$SG"
post "$CN" "$SG" "$pb" "$C/as4/eco.xml"
cp "$T/reply" "$C/as4/receipt.xml"
"$SWNODE" --home "$SG" ledger checkpoint >"$C/checkpoint/first.txt"
sed 's/seed-eco@CN-SW/seed-changed@CN-SW/' "$C/as4/eco.xml" >"$T/changed.xml"
post "$CN" "$SG" "$pb" "$T/changed.xml"
cp "$T/reply" "$C/as4/error.xml"
stop_node "$SG"
"$SWNODE" --home "$SG" ledger checkpoint >"$C/checkpoint/second.txt"
"$SWNODE" --home "$SG" ledger checkpoint --vkey >"$F/checkpoint.vkey"
# Signals are refused before anything else inbound: user messages only.
cp "$C/as4/"{ephyto,eco,customs-declaration,unsigned}.xml "$C/inbound/"

# Values inside a signature (fuzz_dsig: one per line, set in as4/eco.xml):
# the seed's own, and the forms a verifier must refuse.
mkdir -p "$C/dsig"
M=$(sed -n 's|.*<eb:Messaging [^>]*wsu:Id="\([^"]*\)".*|\1|p' "$C/as4/eco.xml")
B=$(sed -n 's|.*<env:Body [^>]*wsu:Id="\([^"]*\)".*|\1|p' "$C/as4/eco.xml")
X=http://www.w3.org/2001/10/xml-exc-c14n#
printf '%s\n%s\n#%s\n#%s\n%s' "$M" "$B" "$M" "$B" "$X" >"$C/dsig/valid"
printf '%s\n%s\n#%s\n#%s\n%s\nenv eb #default' "$M" "$B" "$M" "$B" "$X" >"$C/dsig/prefixlist"
printf "xpointer(id('h'))\n%s\n#xpointer(id('h'))\n#%s\n%s" "$B" "$B" "$X" >"$C/dsig/xpointer-id"
printf "xpointer(//*[count(//*)>0])\n%s\n#xpointer(//*[count(//*)>0])\n#%s\n%s" "$B" "$B" "$X" >"$C/dsig/xpointer-count"
printf '%s\n%s\n\n#%s\n%s' "$M" "$B" "$B" "$X" >"$C/dsig/empty-uri"
printf '%s\n%s\n#%s\n#%s\nhttp://www.w3.org/TR/1999/REC-xslt-19991116' "$M" "$B" "$M" "$B" >"$C/dsig/xslt"
printf '%s\n%s\n#%s\n#%s\nhttp://www.w3.org/2000/09/xmldsig#enveloped-signature' "$M" "$B" "$B" "$M" >"$C/dsig/swapped-enveloped"
printf '1bad\n%s\n#1bad\n#%s\n%s' "$B" "$B" "$X" >"$C/dsig/not-ncname"
printf '%s\n%s\n#%s\n#%s\n%s\nxml:a b\tc\n#default' "$M" "$B" "$M" "$B" "$X" >"$C/dsig/prefix-bad"

# Requests to the listener (fuzz_http): every route, keep-alive, pipelining,
# a chunked body, a method it refuses.
crlf() { printf '%s\r\n' "$@"; }
{ crlf "GET /healthz HTTP/1.1" "Host: sg" ""; } >"$C/http/healthz"
{ crlf "GET /ledger/checkpoint HTTP/1.1" "Host: sg" "Connection: close" ""; } >"$C/http/checkpoint"
{ crlf "GET /ledger/consistency?from=1&to=4 HTTP/1.1" "Host: sg" "" \
       "GET /ledger/consistency?from=0&to=2 HTTP/1.1" "Host: sg" ""; } >"$C/http/consistency"
{ crlf "POST /as4 HTTP/1.1" "Host: sg" "Content-Type: application/soap+xml; charset=UTF-8" \
       "Content-Length: 5" "" "<a/>"; } >"$C/http/as4"
{ crlf "POST /as4 HTTP/1.1" "Host: sg" "Transfer-Encoding: chunked" "" "4" "<a/>" "0" ""; } >"$C/http/chunked"
{ crlf "PUT /as4 HTTP/1.0" "Content-Length: 0" "" "GET /other HTTP/1.0" ""; } >"$C/http/other"

# SOAP-with-Attachments messages (fuzz_mime): the HTTP Content-Type on the
# first line, then the body.  The samples of the unit test (RFC 2387's
# shape, a phase4 message), and a few more shapes.
cp "$TESTDATA"/mime/*.mime "$C/mime/"
# phase4's message as it wrote it: its Content-Type field first, the body after the empty line.
p4=$TESTDATA/mime/phase4-edelivery-2.0-2parts.http
{ sed -n '/^\r$/q; s/^Content-Type: \(.*\)\r$/\1/p' "$p4"; sed '1,/^\r$/d' "$p4"; } >"$C/mime/phase4-2parts"
# Encrypted messages (fuzz_xenc): phase4's captures of the three profiles
# (tests/data/phase4/), in fuzz_mime's form.
for p4 in edelivery-2.0/serve-002 edelivery-2.0-ecdsa/serve-003 edelivery-1.15/serve-004; do
	f=$TESTDATA/phase4/$p4-request.http
	{ sed -n '/^\r$/q; s/^Content-[Tt]ype: \(.*\)\r$/\1/p' "$f"; sed '1,/^\r$/d' "$f"; } \
		>"$C/xenc/${p4%%/*}"
done
MCT='multipart/related; type="application/soap+xml"; boundary="MIMEBoundary_1"; start="<root@swnode>"'
MROOT=("--MIMEBoundary_1" "Content-Type: application/soap+xml; charset=UTF-8" \
       "Content-Transfer-Encoding: binary" "Content-ID: <root@swnode>" "" \
       '<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Header/><S:Body/></S:Envelope>')
{ printf '%s\n' "$MCT"; crlf "${MROOT[@]}" "--MIMEBoundary_1" "Content-Type: application/gzip" \
	"Content-Transfer-Encoding: binary" "Content-ID: <p1@swnode>" "" "data--MIMEBoundary" \
	"--MIMEBoundary_1" "Content-Type: application/xml" "Content-ID: <p2@swnode>" "" "<a/>" \
	"--MIMEBoundary_1" "Content-Type: text/plain;" " charset=us-ascii" "Content-ID: <p3@swnode>" "" "" \
	"--MIMEBoundary_1--"; } >"$C/mime/three-parts"
{ printf '%s\n' "$MCT"; crlf "preamble" "${MROOT[@]}" "--MIMEBoundary_1-- " "epilogue"; } >"$C/mime/root-only"
{ printf '%s\n' 'multipart/related; boundary=BB; type="application/soap+xml"'; \
	crlf "--BB" "Content-Type: application/soap+xml" "" "<e/>" "--BB" "Content-Type: a/b" \
	"Content-ID: <a%40b@x>" "" "" "--BB--"; } >"$C/mime/no-start"

# Proofs from SG's ledger, which now holds a few entries.
"$SWNODE" --home "$SG" ledger prove --seq 1 >"$C/proof/inclusion.json"
n=$(sqlite3 "$SG/ledger.db" 'select count(*) from entries')
"$SWNODE" --home "$SG" ledger prove --from 1 --to "$n" >"$C/proof/consistency.json"
"$SWNODE" --home "$SG" ledger prove --from 2 --to "$n" >"$C/proof/consistency2.json"
ls -l "$C"/*
du -sh "$C"
