# Shared helpers for the command tests (sourced).  Each test script runs
# the real swnode binary ($SWNODE) in a temporary directory that is removed
# on exit, and exits 0 (pass), 1 (fail) or 77 (skip).
set -u

: "${SWNODE:?SWNODE must point at the swnode binary}"
: "${SWNODE_SCHEMAS:?SWNODE_SCHEMAS must point at the schemas directory}"
: "${TESTDATA:?TESTDATA must point at tests/data}"
unset SWNODE_HOME

T=$(mktemp -d "${TMPDIR:-/tmp}/swnode-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILED=0
CHECKS=0

fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
pass() { CHECKS=$((CHECKS + 1)); }

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err, code in $RC
run() {
	RC=0
	"$@" >"$T/out" 2>"$T/err" || RC=$?
}

# expect CODE DESCRIPTION CMD...: the command must exit with CODE
expect() {
	want=$1 what=$2
	shift 2
	run "$@"
	if [ "$RC" -ne "$want" ]; then
		fail "$what: exit $RC, expected $want"
		sed 's/^/  stdout: /' "$T/out" | head -20
		sed 's/^/  stderr: /' "$T/err" | head -20
		return 1
	fi
	pass
	return 0
}

# refused DESCRIPTION CMD...: the command must fail (any non-zero exit)
refused() {
	what=$1
	shift
	run "$@"
	if [ "$RC" -eq 0 ]; then fail "$what: succeeded"; return 1; fi
	pass
}

# has FILE TEXT DESCRIPTION: FILE must contain TEXT (fixed string)
has() {
	if grep -qF -- "$2" "$1"; then
		pass
	else
		fail "$3: '$2' not in $(basename "$1")"
		sed 's/^/  | /' "$1" | head -20
	fi
}

# hasnt FILE TEXT DESCRIPTION
hasnt() {
	if grep -qF -- "$2" "$1"; then
		fail "$3: '$2' unexpectedly in $(basename "$1")"
	else
		pass
	fi
}

# same A B DESCRIPTION: byte-identical files
same() {
	if cmp -s "$1" "$2"; then pass; else fail "$3"; diff "$1" "$2" | head -20; fi
}

# canon FILE: canonical XML without ignorable whitespace, on stdout
canon() {
	xmllint --noblanks "$1" | xmllint --exc-c14n -
}

# newnode DIR PARTY [init options...]: a node for the test
newnode() {
	d=$1 p=$2
	shift 2
	"$SWNODE" init --home "$d" --party-id "$p" "$@" >"$T/init.out" 2>&1 ||
		{ cat "$T/init.out"; fail "init $p"; exit 1; }
}

# need_shared: skip the test when ../shared is not there
need_shared() {
	if [ -z "${SHARED:-}" ] || [ ! -d "$SHARED/reference" ]; then
		echo "SKIP: reference material (../shared) not found"
		exit 77
	fi
}

finish() {
	echo "$CHECKS checks passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# ---- running nodes (integration tests) ----
NODE_PIDS=""
trap 'for p in $NODE_PIDS; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# free_port N: a TCP port on 127.0.0.1 that nothing listens on now; N
# (0, 1, ...) keeps the ports of one test apart.  Taken below the kernel's
# ephemeral range, so that no outgoing connection can hold it by the time
# the node binds (or binds again after a restart).
free_port() {
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$lo" -gt 11024 ] 2>/dev/null || lo=32768
	p=$(( 10000 + ($$ * 16 + $1 * 997) % (lo - 10000 - 16) ))
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do
		p=$((p + 1))
	done
	echo "$p"
}

# start_node HOME [SERVE OPTIONS]: run swnode serve in the background;
# returns once it printed "ready PORT" (it listens), or fails after
# $START_WAIT seconds (20; more for a node under valgrind).
start_node() {
	h=$1
	shift
	set -- "$h" "$@"
	: >"$1.out"
	"$SWNODE" --home "$h" serve --workers 2 --local 127.0.0.1:0 "${@:2}" >"$1.out" 2>>"$1.log" &
	echo $! >"$1.pid"
	NODE_PIDS="$NODE_PIDS $!"
	i=0
	until grep -q '^ready ' "$1.out"; do
		i=$((i + 1))
		if [ $i -gt $(( ${START_WAIT:-20} * 20 )) ] || ! kill -0 "$(cat "$1.pid")" 2>/dev/null; then
			echo "FAIL: node $1 did not start"; cat "$1.out" "$1.log"; ls -la "$1"; exit 1
		fi
		sleep 0.05
	done
}

# stop_node HOME: SIGTERM, and wait for it to exit; its exit code in $RC
stop_node() {
	pid=$(cat "$1.pid")
	kill -TERM "$pid"
	RC=0
	wait "$pid" || RC=$?
}

# reload_node HOME: SIGHUP, and wait until the node logged the reload
reload_node() {
	before=$(grep -c 'reloaded:' "$1.log")
	kill -HUP "$(cat "$1.pid")"
	i=0
	until [ "$(grep -c 'reloaded:' "$1.log")" -gt "$before" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "FAIL: node $1 did not reload"; exit 1; }
		sleep 0.05
	done
}

# pair A PARTY-A B PARTY-B: two nodes on loopback with active agreements
# A-B both ways (ids AB), EC for A and RSA for B, a short retry schedule,
# under the body profile unless PAIR_PROFILE names another.
pair() {
	pa=$(free_port 0) pb=$(free_port 1)
	newnode "$1" "$2" --key ec-p256 --endpoint "https://127.0.0.1:$pa/as4" --listen "127.0.0.1:$pa"
	newnode "$3" "$4" --key rsa-2048 --endpoint "https://127.0.0.1:$pb/as4" --listen "127.0.0.1:$pb"
	"$SWNODE" --home "$1" cert export -o "$1.bundle" 2>/dev/null
	"$SWNODE" --home "$3" cert export -o "$3.bundle" 2>/dev/null
	"$SWNODE" --home "$1" peer import "$3.bundle" --agreement-id AB --profile "${PAIR_PROFILE:-body}" >/dev/null
	"$SWNODE" --home "$3" peer import "$1.bundle" --agreement-id AB --profile "${PAIR_PROFILE:-body}" >/dev/null
	for h in "$1" "$3"; do
		sed -i -e 's/status="draft"/status="active"/' \
		    -e 's/intervals="[^"]*"/intervals="1 1 1 1 2 2 2 2 2 2"/' "$h/peers/AB.xml"
	done
	PORT_A=$pa PORT_B=$pb
}

# post FROM-HOME TO-HOME PORT FILE: POST a message over mutual TLS with
# FROM's TLS identity; the reply in $T/reply, curl's exit code in $RC
post() {
	RC=0
	rm -f "$T/reply"
	curl -sS --max-time 30 --cert "$1/certs/tls.pem" --key "$1/keys/tls.key" \
		--cacert "$2/certs/tls.pem" -H 'Content-Type: application/soap+xml; charset=UTF-8' \
		--data-binary "@$4" -o "$T/reply" "https://127.0.0.1:$3/as4" 2>"$T/curl.err" || RC=$?
}

# sql HOME QUERY: run a query on HOME's ledger, waiting for a running
# node's write (or a killed one's recovery) to finish
sql() {
	sqlite3 -cmd '.timeout 10000' "$1/ledger.db" "$2"
}

# entries HOME SQL-WHERE: how many ledger entries match
entries() {
	sql "$1" "select count(*) from entries where $2"
}

# sample_type TYPE: the doctype whose samples in tests/data are TYPE's
# domestic documents: TYPE itself, or the first doctype sharing its domestic
# form (docs/documents.md), whose samples it sends in its own international
# form (map --to international --as TYPE).
sample_type() {
	"$SWNODE" doctypes | awk -v t="$1" -F'\t' '
		NF == 2 { cur = $1; next }
		/^  domestic/ { if (!($0 in first)) first[$0] = cur; if (cur == t) { print first[$0]; exit } }'
}

# placed_file HOME MSGID: the path in spool/in its DELIVERED_LOCAL entry
# names (the reason ends with it: "lost N, international sha256:..., loss
# report sha256:...: PATH"); empty if not placed.
placed_file() {
	sql "$1" "select reason from entries where msgid='$2' and event='DELIVERED_LOCAL'" |
		sed 's/^lost [0-9]*, international sha256:[0-9a-f]*, loss report sha256:[0-9a-f]*: //'
}
