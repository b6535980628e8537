#!/usr/bin/env bash
# make fuzz: build every libFuzzer target with clang, ASan and UBSan, then
# run each for FUZZ_SECONDS on a copy of its seed corpus (the committed
# corpus never grows).  One line per target:
#   fuzz TARGET: N execs, cov C of E edges, ft F: PASS
#   fuzz TARGET: N execs, cov C of E edges, ft F: FAIL (what) ARTEFACT
# (cov and ft are libFuzzer's edges and features of swnode's own code, the
# libraries not being instrumented; E counts every edge of node/*/*.c and
# the target.)
# Exits 1 if any target failed, 77 if clang or its libFuzzer is missing.
#
# Environment (the Makefile sets the first four from configure):
#   SRCDIR, BUILDDIR      source and build trees
#   FUZZ_CFLAGS           pkg-config cflags of the libraries swnode uses
#   FUZZ_LIBS             and their libs
#   FUZZ_SECONDS          time per target (default 30)
#   FUZZ_TARGETS          which targets (default all)
#   FUZZ_JOBS             parallel compiles (default 2)
#   CLANG                 the compiler (default clang)
set -uo pipefail

: "${SRCDIR:?}" "${BUILDDIR:?}"
SRCDIR=$(cd "$SRCDIR" && pwd)
BUILDDIR=$(cd "$BUILDDIR" && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-30}
TARGETS=${FUZZ_TARGETS:-as4 dsig part inbound http doctype agreement bundle proof checkpoint mime xenc gzip reason}
CLANG=${CLANG:-clang}
OUT=$BUILDDIR/fuzz-build
F=$SRCDIR/tests/fuzz

skip() { echo "SKIP: fuzzing: $*"; exit 77; }

command -v "$CLANG" >/dev/null 2>&1 || skip "$CLANG not found (Debian: apt-get install clang)"
mkdir -p "$OUT/obj" || exit 1
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$OUT/probe.c"
"$CLANG" -fsanitize=fuzzer,address,undefined "$OUT/probe.c" -o "$OUT/probe" 2>"$OUT/probe.err" ||
	skip "$CLANG cannot link libFuzzer with ASan and UBSan: $(head -1 "$OUT/probe.err") (Debian: apt-get install clang)"

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CPPFLAGS="-I$BUILDDIR -I$SRCDIR/node -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 \
	-DSWN_DEFAULT_SCHEMA_DIR=\"$SRCDIR/schemas\" -DSWN_FUZZ_SRCDIR=\"$SRCDIR\""
CFLAGS="-std=c11 -pthread -g -O1 -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wno-unused-parameter -Werror"

# compile SRC OBJ [FLAGS]: when the object is older than its source or any header
compile() {
	local src=$1 obj=$2
	shift 2
	if [ -f "$obj" ] && [ "$obj" -nt "$src" ] &&
	   [ -z "$(find "$SRCDIR/node" "$F" -name '*.h' -newer "$obj" | head -1)" ]; then
		return 0
	fi
	# shellcheck disable=SC2086
	"$CLANG" $CPPFLAGS $CFLAGS $SAN "$@" $FUZZ_CFLAGS -c "$src" -o "$obj" ||
		{ echo "fuzz: cannot compile $src"; return 1; }
}
export -f compile
export CLANG CPPFLAGS CFLAGS SAN FUZZ_CFLAGS SRCDIR F

echo "== fuzz: building in $OUT"
# The node's modules (all but main.c) with coverage for the fuzzer.
objs=() srcs=()
for c in "$SRCDIR"/node/*/*.c; do
	[ "$(basename "$c")" = main.c ] && continue
	srcs+=("$c")
	objs+=("$OUT/obj/$(basename "$c" .c).o")
done
for i in "${!objs[@]}"; do
	printf '%s\n%s\n' "${srcs[$i]}" "${objs[$i]}"
done | xargs -d '\n' -n 2 -P "${FUZZ_JOBS:-2}" bash -c 'compile "$0" "$1" -fsanitize=fuzzer-no-link' ||
	{ echo "fuzz: build failed"; exit 1; }
compile "$F/fuzz_common.c" "$OUT/obj/fuzz_common.o" -fsanitize=fuzzer-no-link || exit 1
for t in $TARGETS; do
	compile "$F/fuzz_$t.c" "$OUT/obj/fuzz_$t.o" -fsanitize=fuzzer-no-link || exit 1
	# shellcheck disable=SC2086
	"$CLANG" -fsanitize=fuzzer $SAN -pthread "$OUT/obj/fuzz_$t.o" "$OUT/obj/fuzz_common.o" \
		"${objs[@]}" $FUZZ_LIBS -o "$OUT/fuzz_$t" || { echo "fuzz: cannot link fuzz_$t"; exit 1; }
done

# Leaks fail the run; UBSan findings stop it with a stack.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
echo "== fuzz: $SECONDS_EACH s per target"
for t in $TARGETS; do
	work=$OUT/run-$t
	rm -rf "$work" && mkdir -p "$work/corpus" "$work/tmp"
	cp "$F/corpus/$t/"* "$work/corpus/"
	# Its own dictionary, else the XML one.
	dict=("-dict=$F/xml.dict")
	[ -f "$F/$t.dict" ] && dict=("-dict=$F/$t.dict")
	TMPDIR=$work/tmp "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" \
		"${dict[@]}" "$work/corpus" >"$work/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	status=$(grep -E '^#[0-9]+' "$work/log" | grep 'cov:' | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
	edges=$(sed -n 's/.*(\([0-9]*\) inline 8-bit counters).*/\1/p' "$work/log" | head -1)
	line="fuzz $t: ${execs:-?} execs, cov ${cov:-?} of ${edges:-?} edges, ft ${ft:-?}"
	if [ $rc -eq 0 ] && [ -n "$execs" ]; then
		echo "$line: PASS"
	else
		failed=$((failed + 1))
		what=$(grep -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+( [a-z]+)*|runtime error: .*|fuzz: .*' "$work/log" | head -1)
		art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$work/log" | head -1)
		echo "$line: FAIL (${what:-exit $rc}) ${art:-no artefact}"
		sed 's/^/    /' "$work/log" | grep -v '^    #[0-9]' | tail -40
		[ -n "$art" ] && echo "    reproduce: $OUT/fuzz_$t $art"
	fi
done
[ "$failed" -eq 0 ]
