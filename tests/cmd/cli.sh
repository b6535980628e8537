#!/bin/sh
# The command line: help for every command, usage errors exit 2.
. "$(dirname "$0")/lib.sh"

expect 0 "--help" "$SWNODE" --help
for c in init "cert show" "cert export" "cert install" "peer import" \
	 "peer check" validate map doctypes; do
	has "$T/out" "  $c " "--help lists $c"
	# shellcheck disable=SC2086
	expect 0 "$c --help" "$SWNODE" $c --help
	has "$T/out" "usage: swnode $c" "$c --help prints its usage"
	# shellcheck disable=SC2086
	expect 0 "help $c" "$SWNODE" help $c
	has "$T/out" "usage: swnode $c" "help $c prints its usage"
	"$SWNODE" --help >"$T/out"
done
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
expect 2 "command needing a node without one" "$SWNODE" cert show
has "$T/err" "no node directory: pass --home DIR or set SWNODE_HOME" "missing home is explained"
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
