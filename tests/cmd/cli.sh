#!/bin/sh
# The command line: help for every command, usage errors exit 2.
. "$(dirname "$0")/lib.sh"

expect 0 "--help" "$SWNODE" --help
for c in init "cert show" "cert export" "cert install" "peer import" \
	 "peer check" validate map doctypes; do
	has "$T/out" "  $c " "--help lists $c"
done

# Every command of the table, as `swnode help` lists it (two spaces at
# least part a name from its summary).  Its setup (cli.h) comes after its
# options: --help and usage errors never depend on the node directory, be
# it missing or broken.
expect 0 "help" "$SWNODE" help
awk '/^commands:$/ { on = 1; next } on && /^$/ { exit } on { sub(/^  /, ""); sub(/  .*/, ""); print }' \
	"$T/out" >"$T/commands"
[ "$(wc -l <"$T/commands")" -ge 20 ] && pass || fail "help lists $(wc -l <"$T/commands") commands"
mkdir "$T/corrupt"
printf '<node xmlns="urn:swnode:node:1"><partyId>' >"$T/corrupt/node.xml"
numeric=0
while read -r c <&3; do
	for h in "$T/nonexistent" "$T/corrupt"; do
		# shellcheck disable=SC2086
		expect 0 "$c --help with SWNODE_HOME=$h" env SWNODE_HOME="$h" "$SWNODE" $c --help &&
			has "$T/out" "usage: swnode $c" "$c --help prints its usage"
		# shellcheck disable=SC2086
		expect 0 "$c --help --home $h" "$SWNODE" $c --home "$h" --help
		# shellcheck disable=SC2086
		expect 0 "help $c with SWNODE_HOME=$h" env SWNODE_HOME="$h" "$SWNODE" help $c &&
			has "$T/out" "usage: swnode $c" "help $c prints its usage"
	done
	# shellcheck disable=SC2086
	if expect 2 "$c --frobnicate" env SWNODE_HOME="$T/corrupt" "$SWNODE" $c --frobnicate; then
		has "$T/err" "swnode $c: unknown option '--frobnicate'" "$c names the unknown option"
		hasnt "$T/err" "node.xml" "$c: a usage error says nothing of node.xml"
		hasnt "$T/err" "$T/corrupt" "$c: a usage error says nothing of the node directory"
		[ "$(wc -l <"$T/err")" -eq 1 ] && pass || fail "$c --frobnicate: more than one line: $(cat "$T/err")"
	fi
	# shellcheck disable=SC2086
	expect 2 "$c --home (no value)" env SWNODE_HOME="$T/corrupt" "$SWNODE" $c --home &&
		hasnt "$T/err" "node.xml" "$c: a missing value says nothing of node.xml"
	# Its numeric options, from its usage: --OPTION N, M or SECONDS.
	# shellcheck disable=SC2086
	"$SWNODE" $c --help | grep -oE -- '--[a-z][a-z-]* (N|M|SECONDS)([^A-Za-z]|$)' |
		cut -d' ' -f1 | sort -u >"$T/numeric"
	while read -r o <&4; do
		numeric=$((numeric + 1))
		for v in 12x -5 99999999999999999999 ""; do
			# shellcheck disable=SC2086
			expect 2 "$c $o=$v" env SWNODE_HOME="$T/corrupt" "$SWNODE" $c "$o=$v" &&
				has "$T/err" "swnode $c: $o must be a whole number from " "$c $o=$v says what it takes" &&
				has "$T/err" ", not '$v'; see swnode $c --help" "$c $o=$v names the value" &&
				hasnt "$T/err" "node.xml" "$c $o=$v says nothing of node.xml"
		done
	done 4<"$T/numeric"
done 3<"$T/commands"
# serve 13, send 1, init 1, ledger query 1, ledger prove 4, cert add-profile 1
[ "$numeric" -eq 21 ] && pass || fail "only $numeric numeric options found in the usage texts"

# A command that needs a node directory and has none: exit 1, one clear
# error, whatever its arguments.  Every command whose usage takes --home
# is here.
cat >"$T/needs-home" <<'EOF2'
as4 pack --agreement A f.xml
as4 sign f.xml
cert add-profile edelivery-1.15
cert export
cert install --signing s.pem
cert show
init --party-id X
ledger audit-peer P
ledger checkpoint
ledger export --msgid m -o out
ledger prove --seq 0
ledger query
ledger verify
peer check
peer import b.xml --agreement-id A
resend M
send --to P f.xml
serve
status M
EOF2
while read -r c <&3; do
	# shellcheck disable=SC2086
	if expect 1 "$c without a node directory" "$SWNODE" $c; then
		has "$T/err" "swnode: no node directory: pass --home DIR or set SWNODE_HOME" \
			"$c: missing home is explained"
		[ "$(wc -l <"$T/err")" -eq 1 ] && pass || fail "$c: more than the one error: $(cat "$T/err")"
	fi
done 3<"$T/needs-home"
while read -r c <&3; do
	# shellcheck disable=SC2086
	if "$SWNODE" $c --help | grep -q -- "--home DIR"; then
		grep -q "^$c\( \|$\)" "$T/needs-home" && pass || fail "$c takes --home but is not checked without one"
	fi
done 3<"$T/commands"

expect 0 "--version" "$SWNODE" --version
has "$T/out" "swnode " "--version prints the version"
expect 2 "no command" "$SWNODE"
expect 2 "unknown command" "$SWNODE" frobnicate
has "$T/err" "'frobnicate' is not a swnode command" "unknown command is named"
expect 2 "group alone" "$SWNODE" cert
has "$T/err" "cert show" "group alone lists its subcommands"
expect 2 "unknown option" "$SWNODE" validate --frob x
has "$T/err" "unknown option '--frob'" "unknown option is named"
expect 2 "missing option value" "$SWNODE" map --to
expect 2 "map without --to" "$SWNODE" map "$TESTDATA/eco/01-simple.xml"
has "$T/err" "--to international or --to domestic is required" "map says --to is required"
expect 2 "map --to bogus" "$SWNODE" map --to elsewhere "$TESTDATA/eco/01-simple.xml"
expect 1 "home that is not a node" "$SWNODE" --home "$T" cert show
has "$T/err" "not a node directory" "a non-node directory is explained"

# Numbers on the command line: the whole value, in range, or a usage error
# naming the option and its range (checked before the node is opened, so
# that a directory that is no node does not matter).
# number_refused WHAT RANGE COMMAND...: exit 2 with "WHAT must be a whole
# number from RANGE, not '...'"
number_refused() {
	opt=$1 rng=$2
	shift 2
	expect 2 "$opt refused in: $*" "$SWNODE" --home "$T" "$@" &&
		has "$T/err" "$opt must be a whole number from $rng, not '" "$opt says what it takes"
}
number_refused --workers "1 to 256" serve --workers 4x
number_refused --workers "1 to 256" serve --workers 0
number_refused --workers "1 to 256" serve --workers 99999999999
number_refused --workers "1 to 256" serve --workers " 4"
number_refused --senders "1 to 256" serve --senders 16x
number_refused --local-workers "1 to 256" serve --local-workers 8.0
number_refused --local-max-connections "1 to 1000000" serve --local-max-connections 0
number_refused --checkpoint-every "0 to 86400" serve --checkpoint-every 10s
number_refused --checkpoint-every "0 to 86400" serve --checkpoint-every -1
number_refused --idle-timeout "1 to 1000000" serve --idle-timeout +30
number_refused --max-connections "2 to 1000000" serve --max-connections 18446744073709551617
number_refused --max-connections "2 to 1000000" serve --max-connections 1
number_refused --max-handshakes "1 to 1000000" serve --max-handshakes 0
number_refused --max-handshakes-per-ip "1 to 1000000" serve --max-handshakes-per-ip 8x
number_refused --handshake-timeout "1 to 1000000" serve --handshake-timeout 0
number_refused --wait "0 to 3600" send --to SG-NTP --wait 5m x.xml
number_refused --days "1 to 3650" init --party-id X --days 30d
number_refused --limit "1 to 9223372036854775807" ledger query --limit 10x
number_refused --seq "0 to 9223372036854775807" ledger prove --seq 1x
number_refused --to "0 to 9223372036854775807" ledger prove --from 1 --to 18446744073709551617

# Ports: all digits, at most 65535 (":99999" wrapped to another port and
# ":abc" listened on a random one).  serve takes port 0 for any free port;
# the addresses init writes into node.xml are fixed ones.
for a in 127.0.0.1:99999 127.0.0.1:abc 127.0.0.1: "127.0.0.1: 80" 127.0.0.1:+80 "[::1]:65536"; do
	for o in --listen --local; do
		expect 2 "serve $o $a" "$SWNODE" --home "$T" serve $o "$a" &&
			has "$T/err" "$o must be HOST:PORT with a port from 0 (any free port) to 65535, not '$a'" \
				"serve $o $a says what it takes"
	done
done
for a in 127.0.0.1:99999 127.0.0.1:abc 127.0.0.1:0; do
	for o in --listen --local; do
		expect 2 "init $o $a" "$SWNODE" init --home "$T/n" --party-id X $o "$a" &&
			has "$T/err" "$o must be HOST:PORT with a port from 1 to 65535, not '$a'" \
				"init $o $a says what it takes"
	done
done
for u in https://h:99999/as4 https://h:abc/as4 https://h:/as4 "https://[::1]:0/as4" https://h:443x; do
	expect 2 "init --endpoint $u" "$SWNODE" init --home "$T/n" --party-id X --endpoint "$u" &&
		has "$T/err" "--endpoint must be an https:// URL (with a port, if any, from 1 to 65535)" \
			"init --endpoint $u says what it takes"
done
[ ! -e "$T/n" ] && pass || fail "a refused init created its directory"
finish
