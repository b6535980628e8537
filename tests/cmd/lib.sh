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
