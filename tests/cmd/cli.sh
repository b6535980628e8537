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
finish
