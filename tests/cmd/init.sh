#!/bin/sh
# swnode init: the node directory, its keys, certificates and ledger.
. "$(dirname "$0")/lib.sh"

H=$T/cn
expect 0 "init" "$SWNODE" init --home "$H" --party-id CN-SW --org "China SW" --country CN
for f in node.xml keys/signing.key keys/tls.key keys/ledger.key certs/signing.pem \
	 certs/tls.pem ledger.db; do
	[ -f "$H/$f" ] && pass || fail "init made no $f"
done
for d in peers spool/out spool/in spool/failed; do
	[ -d "$H/$d" ] && pass || fail "init made no $d/"
done
for k in signing tls ledger; do
	m=$(stat -c %a "$H/keys/$k.key")
	[ "$m" = 600 ] && pass || fail "keys/$k.key has mode $m, not 600"
done
has "$T/out" "mode 0600" "init says keys are 0600"
xmllint --noout --schema "$SWNODE_SCHEMAS/node.xsd" "$H/node.xml" 2>/dev/null &&
	pass || fail "node.xml does not validate against node.xsd"
openssl pkey -in "$H/keys/ledger.key" -noout -text 2>/dev/null | grep -q ED25519 &&
	pass || fail "ledger key is not Ed25519"
openssl x509 -in "$H/certs/signing.pem" -noout -subject | grep -q "CN = CN-SW" &&
	pass || fail "signing certificate subject lacks CN-SW"
openssl x509 -in "$H/certs/tls.pem" -noout -ext subjectAltName | grep -q "DNS:localhost" &&
	pass || fail "TLS certificate lacks the endpoint host in subjectAltName"
openssl verify -CAfile "$H/certs/signing.pem" "$H/certs/signing.pem" >/dev/null 2>&1 &&
	pass || fail "signing certificate is not self-signed"

# The ledger exists with its tables, and refuses UPDATE and DELETE.
[ "$(sqlite3 "$H/ledger.db" "select value from meta where key='party_id'")" = CN-SW ] &&
	pass || fail "ledger meta lacks the party id"
[ "$(sqlite3 "$H/ledger.db" "pragma journal_mode")" = wal ] && pass || fail "ledger not in WAL mode"
sqlite3 "$H/ledger.db" "insert into entries(time,direction,peer,agreement,doctype,msgid,event)
	values('2026-01-01T00:00:00Z','out','P','A','eco','m1','SUBMITTED')" || fail "insert refused"
refused "ledger UPDATE is refused" sqlite3 "$H/ledger.db" "update entries set event='X'"
has "$T/err" "append-only" "UPDATE refusal names the rule"
refused "ledger DELETE is refused" sqlite3 "$H/ledger.db" "delete from entries"

# Never over an existing node, nor into a directory with other files.
cp "$H/keys/signing.key" "$T/signing.before"
expect 1 "second init" "$SWNODE" init --home "$H" --party-id OTHER
has "$T/err" "already holds a node; refusing to overwrite it" "second init explains"
same "$T/signing.before" "$H/keys/signing.key" "second init left the key alone"
mkdir -m 0777 "$T/open"
expect 0 "init in an existing empty directory" "$SWNODE" init --home "$T/open" --party-id OPEN
[ "$(stat -c %a "$T/open")" = 750 ] && pass || fail "init left an existing directory open to others"
mkdir "$T/busy" && touch "$T/busy/x"
expect 1 "init in a non-empty directory" "$SWNODE" init --home "$T/busy" --party-id X
has "$T/err" "is not empty" "non-empty directory is explained"

# Options are checked before anything is written.
expect 2 "init without --party-id" "$SWNODE" init --home "$T/a"
has "$T/err" "--party-id is required" "missing party id is named"
expect 2 "init with a bad key type" "$SWNODE" init --home "$T/a" --party-id X --key dsa-1024
has "$T/err" "--key must be rsa-2048, rsa-3072 or ec-p256" "bad key type is explained"
expect 2 "init with an http endpoint" "$SWNODE" init --home "$T/a" --party-id X --endpoint http://x/as4
expect 2 "init with a bad country" "$SWNODE" init --home "$T/a" --party-id X --country china
expect 2 "init with a bad listen address" "$SWNODE" init --home "$T/a" --party-id X --listen nowhere
expect 2 "init with --days that wraps around" "$SWNODE" init --home "$T/a" --party-id X --days 4294967297
has "$T/err" "--days must be a whole number from 1 to 3650" "huge --days is refused"
long=$(printf 'p%.0s' $(seq 65))
expect 2 "init with a party id too long for a certificate" "$SWNODE" init --home "$T/a" --party-id "$long"
has "$T/err" "--party-id must be at most 64 characters: it is the certificates' CN" "long party id is explained"
# One rule for party ids (docs/agreements.md): '+' would break the ledger's
# verifier key ("PARTY/swnode-ledger"), '/' would reach file names.
for bad in 'CN+SW' 'CN/SW' '../x' 'CN SW' '' '-x' 'a"b' 'a\b'; do
	expect 2 "init with party id '$bad'" "$SWNODE" init --home "$T/a" --party-id "$bad"
	has "$T/err" "use 1-255 ASCII letters, digits, '.', '_', '-' or ':', starting with a letter or digit" \
		"the refusal of '$bad' names the rule"
done
nl='CN
SW'
expect 2 "init with a newline in the party id" "$SWNODE" init --home "$T/a" --party-id "$nl"
has "$T/err" "--party-id 'CN\x0aSW' is not allowed" "the refusal shows the id escaped"
expect 2 "init with --csr=1" "$SWNODE" init --home "$T/a" --party-id X --csr=1
has "$T/err" "option '--csr=1' takes no value" "a value on a flag is named"
[ ! -e "$T/a" ] && pass || fail "a refused init left $T/a behind"

# An ebCore party id (a URN, with ':') is a party id, and works as the
# ledger's key name.
U=$T/urn
expect 0 "init with an ebCore URN party id" "$SWNODE" init --home "$U" \
	--party-id urn:oasis:names:tc:ebcore:partyid-type:unregistered:C1
xmllint --noout --schema "$SWNODE_SCHEMAS/node.xsd" "$U/node.xml" 2>/dev/null &&
	pass || fail "node.xml with a URN party id does not validate"
expect 0 "ledger checkpoint of the URN node" "$SWNODE" --home "$U" ledger checkpoint --vkey
has "$T/out" "urn:oasis:names:tc:ebcore:partyid-type:unregistered:C1/swnode-ledger+" "the verifier key names the party"

# Key types, and SWNODE_HOME instead of --home.
for k in rsa-2048 rsa-3072 ec-p256; do
	expect 0 "init --key $k" env SWNODE_HOME="$T/k-$k" "$SWNODE" init --party-id K --key "$k"
	expect 0 "cert show ($k)" env SWNODE_HOME="$T/k-$k" "$SWNODE" cert show
	has "$T/out" "key:        $k" "cert show says $k"
done

# --csr: requests instead of certificates, then CA-issued ones installed.
C=$T/csr
expect 0 "init --csr" "$SWNODE" init --home "$C" --party-id CSR-NODE --csr --country SG
[ -f "$C/csr/signing.csr" ] && [ -f "$C/csr/tls.csr" ] && pass || fail "--csr wrote no requests"
[ ! -e "$C/certs/signing.pem" ] && pass || fail "--csr wrote a certificate"
openssl req -in "$C/csr/tls.csr" -noout -verify 2>&1 | grep -q "verify OK" &&
	pass || fail "TLS CSR does not verify"
expect 0 "cert show before install" "$SWNODE" --home "$C" cert show
has "$T/out" "not installed" "cert show says what is missing"
expect 1 "export before install" "$SWNODE" --home "$C" cert export
sh "$TOP_SRCDIR/certs/demo-ca.sh" new "$T/ca" >/dev/null
sh "$TOP_SRCDIR/certs/demo-ca.sh" sign "$T/ca" "$C/csr/signing.csr" "$T/signing.pem" >/dev/null
sh "$TOP_SRCDIR/certs/demo-ca.sh" sign "$T/ca" "$C/csr/tls.csr" "$T/tls.pem" tls >/dev/null
expect 1 "install a certificate for another key" "$SWNODE" --home "$C" cert install --signing "$T/tls.pem"
has "$T/err" "not for the node's signing key" "key mismatch is explained"
expect 0 "cert install" "$SWNODE" --home "$C" cert install --signing "$T/signing.pem" --tls "$T/tls.pem"
expect 0 "cert show after install" "$SWNODE" --home "$C" cert show
fp=$(openssl x509 -in "$T/signing.pem" -noout -fingerprint -sha256 | cut -d= -f2)
has "$T/out" "$fp" "cert show shows the CA-issued certificate"
hasnt "$T/out" "not installed" "nothing missing after install"
expect 0 "export after install" "$SWNODE" --home "$C" cert export -o "$T/csr-bundle.xml"
finish
