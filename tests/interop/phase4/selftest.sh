#!/bin/sh
# selftest.sh: phase4 test peer against itself, for every eDelivery profile.
# Builds (build.sh), makes key sets for a sender "a", a receiver "b" and an impostor "c",
# starts `serve` as b on a free 127.0.0.1 port, and runs `send` from a with one payload and with
# three payloads (gzip on and off) and with a 10 MB payload; every received payload must equal its
# original byte for byte. Then c sends with its own signing key in a's place: that must fail and
# deliver nothing. Exits non-zero on any failure; the servers it started are stopped on exit.
#   PROFILES="edelivery-2.0 ..."   profiles to run (default: all three)
#   SELFTEST_DUMP=DIR              also pass --dump DIR to send and serve (raw HTTP captures)
#   KEEP=1                         keep the work directory
set -eu
here=$(cd "$(dirname "$0")" && pwd)
profiles=${PROFILES:-"edelivery-2.0 edelivery-2.0-ecdsa edelivery-1.15"}
t0=$(date +%s)

"$here/build.sh"
cp="$here/target/phase4-peer-1.jar:$here/target/dependency/*"

work=$(mktemp -d "${TMPDIR:-/tmp}/phase4-selftest.XXXXXX")
server_pid=
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
cleanup() {
    stop_server
    if [ "${KEEP:-0}" = 1 ]; then echo "selftest: work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

dumpopt=
if [ -n "${SELFTEST_DUMP:-}" ]; then
    mkdir -p "$SELFTEST_DUMP"
    dumpopt="--dump $SELFTEST_DUMP"
fi

# Payloads: small XML, a small binary, a text file, and 10 MB of random bytes.
pl=$work/payloads
mkdir -p "$pl"
printf '<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:swnode:test"><ID>42</ID><Note>caf\303\251 &amp; co</Note></Invoice>\n' > "$pl/one.xml"
head -c 70000 /dev/urandom > "$pl/two.bin"
i=0; while [ $i -lt 2000 ]; do echo "line $i of a compressible text payload"; i=$((i + 1)); done > "$pl/three.txt"
head -c 10485760 /dev/urandom > "$pl/big.bin"

# wait_listening LOG PID: the server's "listening on" line, or its death, or 60 s.
wait_listening() {
    deadline=$(($(date +%s) + 60))
    while :; do
        if grep -q 'listening on https://127.0.0.1:' "$1" 2>/dev/null; then
            sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$1" | head -1
            return 0
        fi
        kill -0 "$2" 2>/dev/null || return 1
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# check_delivery NAME OUTDIR SENDLOG GZIP PAYLOAD...: the record and payload files match.
check_delivery() {
    name=$1 out=$2 log=$3 gz=$4
    shift 4
    id=$(sed -n 's/^OK //p' "$log")
    rec=$out/$(printf '%s' "$id" | sed 's/[^A-Za-z0-9._@+=-]/_/g').json
    if [ -z "$id" ] || [ ! -f "$rec" ]; then
        fail "$name: no record for '$id'"; return
    fi
    files=$(sed -n 's/.*"File": "\([^"]*\)".*/\1/p' "$rec")
    n=0
    for f in $files; do n=$((n + 1)); done
    if [ "$n" -ne $# ]; then
        fail "$name: $n parts received, $# sent"; return
    fi
    want=false; [ "$gz" = 1 ] && want=true
    if [ "$(grep -c "\"Compressed\": $want" "$rec")" -ne $# ]; then
        fail "$name: Compressed is not $want on every part"; return
    fi
    for f in $files; do
        if ! cmp -s "$1" "$out/$f"; then
            fail "$name: $out/$f differs from $1"; return
        fi
        shift
    done
    pass "$name ($id)"
}

for p in $profiles; do
    echo "=== $p"
    k=$work/$p
    for party in a b c; do "$here/make-keys.sh" "$k/$party" "$p" "$party" >/dev/null; done
    out=$k/received
    # shellcheck disable=SC2086
    java -cp "$cp" swnode.interop.Peer serve --port 0 \
        --tls-key "$k/b/tls.key" --tls-cert "$k/b/tls.crt" --trust-cert "$k/a/tls.crt" \
        --sign-key "$k/b/sign.key" --sign-cert "$k/b/sign.crt" --peer-sign-cert "$k/a/sign.crt" \
        --enc-key "$k/b/enc.key" --enc-cert "$k/b/enc.crt" \
        --profile "$p" --out "$out" $dumpopt >"$k/serve.log" 2>&1 &
    server_pid=$!
    if ! port=$(wait_listening "$k/serve.log" "$server_pid"); then
        fail "$p: server did not start"; tail -20 "$k/serve.log"; stop_server; continue
    fi
    url=https://127.0.0.1:$port/as4

    # send_as PARTY NAME GZIP PAYLOAD...: sender key set PARTY (TLS always a's)
    send_as() {
        sp=$1 sname=$2 sgz=$3
        shift 3
        set -- $(for f in "$@"; do printf -- '--payload %s ' "$f"; done)
        gzopt=; [ "$sgz" = 1 ] && gzopt=--gzip
        # shellcheck disable=SC2086
        java -cp "$cp" swnode.interop.Peer send --url "$url" \
            --tls-key "$k/a/tls.key" --tls-cert "$k/a/tls.crt" --trust-cert "$k/b/tls.crt" \
            --sign-key "$k/$sp/sign.key" --sign-cert "$k/$sp/sign.crt" \
            --peer-sign-cert "$k/b/sign.crt" --peer-enc-cert "$k/b/enc.crt" \
            --profile "$p" $gzopt "$@" --from urn:swnode:test:a --to urn:swnode:test:b \
            --service urn:swnode:test:service --action urn:swnode:test:Submit \
            ${SEND_EXTRA:-} >"$k/$sname.log" 2>&1
    }

    for gz in 0 1; do
        name="$p one payload gzip=$gz"
        SEND_EXTRA="$dumpopt --mime-type application/xml"
        if send_as a "one-$gz" "$gz" "$pl/one.xml"; then
            check_delivery "$name" "$out" "$k/one-$gz.log" "$gz" "$pl/one.xml"
        else
            fail "$name: send exited non-zero"; grep -E '^(FAIL|MessageId)' "$k/one-$gz.log" || tail -5 "$k/one-$gz.log"
        fi
        SEND_EXTRA=
        name="$p three payloads gzip=$gz"
        if send_as a "three-$gz" "$gz" "$pl/one.xml" "$pl/two.bin" "$pl/three.txt"; then
            check_delivery "$name" "$out" "$k/three-$gz.log" "$gz" "$pl/one.xml" "$pl/two.bin" "$pl/three.txt"
        else
            fail "$name: send exited non-zero"; grep -E '^(FAIL|MessageId)' "$k/three-$gz.log" || tail -5 "$k/three-$gz.log"
        fi
    done

    name="$p 10 MB payload gzip=1"
    if send_as a big 1 "$pl/big.bin"; then
        check_delivery "$name" "$out" "$k/big.log" 1 "$pl/big.bin"
    else
        fail "$name: send exited non-zero"; grep -E '^(FAIL|MessageId)' "$k/big.log" || tail -5 "$k/big.log"
    fi

    # Refusal: c's signing key where a's is pinned. Must fail, and nothing may be delivered.
    name="$p refusal: wrong signing key"
    before=$(ls "$out" | wc -l)
    if send_as c wrong 1 "$pl/one.xml"; then
        fail "$name: send succeeded"
    else
        after=$(ls "$out" | wc -l)
        if [ "$after" -ne "$before" ]; then
            fail "$name: the server stored something"
        elif grep -q '^FAIL: error signal EBMS:' "$k/wrong.log"; then
            # phase4 4.4.1 answers an untrusted signing certificate with EBMS:0102
            # FailedDecryption ("certificate path validation"), not EBMS:0101.
            pass "$name ($(grep -m1 '^FAIL: error signal' "$k/wrong.log" | cut -c1-60)...)"
        else
            fail "$name: failed, but without an ebMS error signal:"; grep '^FAIL' "$k/wrong.log" || tail -5 "$k/wrong.log"
        fi
    fi
    stop_server
done

echo "selftest: $(($(date +%s) - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
