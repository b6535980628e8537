#!/bin/sh
# The spool never follows a link nor leaves its own tree (docs/security.md,
# The spool).  The node runs as root; an unprivileged user who may drop
# files, and so make party folders, plants links to a directory it cannot
# read and to the node's own home, a link to a file, a hard link to a file
# outside the spool and a FIFO.  The node takes none of them, touches none
# of their targets, logs each once with its path escaped, and goes on
# sending what is dropped the normal way.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root, to run the node as root and an attacker as nobody"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) not found"; exit 77; }
getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
	{ echo "SKIP: no user nobody or group nogroup"; exit 77; }

# as_attacker CMD...: CMD as an unprivileged user with no groups but nogroup
as_attacker() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# wait_log HOME TEXT: until TEXT is in HOME's log (at most 30 s)
wait_log() {
	i=0
	until grep -qF -- "$2" "$1.log"; do
		i=$((i + 1)); [ $i -gt 300 ] && return 1; sleep 0.1
	done
}

# drop NAME [FILE]: the attacker drops a document (FILE, or a valid one)
# the normal way: written under a hidden name, then renamed
drop() {
	as_attacker sh -c 'cp "$1" "$2/.incoming" && mv "$2/.incoming" "$2/$3"' sh \
		"${2:-$eco}" "$CN/spool/out/SG-NTP" "$1"
}

# sent NAME: NAME was claimed, submitted under its claim's token and delivered
sent() {
	wait_log "$CN" "$1 submitted as"
	id=$(grep -oE "\\.claim-[0-9a-f-]{36}-$1 submitted as [^ ]+" "$CN.log" | sed 's/.* submitted as //')
	tok=$(grep -oE "\\.claim-[0-9a-f-]{36}-$1 submitted" "$CN.log" | cut -c8-43)
	[ -n "$id" ] && [ "$id" = "$tok@CN-SW" ] && pass ||
		{ fail "$1 not submitted under its claim's token: '$id'"; grep -F "$1" "$CN.log"; return; }
	i=0
	until [ "$(entries "$CN" "msgid='$id' and event='DELIVERED'")" = 1 ]; do
		i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
	done
	[ "$(entries "$CN" "msgid='$id' and event='DELIVERED'")" = 1 ] && pass || fail "$1 ($id) not delivered"
	[ -z "$(ls -A "$CN/spool/out/SG-NTP" | grep -F -- "$1")" ] && pass || fail "$1 left in spool/out"
}

MOUNTED=
trap 'for p in $NODE_PIDS; do kill -TERM "$p" 2>/dev/null; done; for p in $NODE_PIDS; do wait "$p" 2>/dev/null; done
      [ -z "$MOUNTED" ] || umount "$MOUNTED"; rm -rf "$T"' EXIT

CN=$T/cn SG=$T/sg
pair "$CN" CN-SW "$SG" SG-NTP
# A document the attacker may read (the source tree may not be readable
# to other users: CI builds in a private temporary directory).
cp "$(ls "$TESTDATA"/eco/*.xml | head -1)" "$T/doc.xml"
chmod 644 "$T/doc.xml"
eco=$T/doc.xml

# The domestic systems' group (nogroup here) may pass through the node
# directory and the spool and write spool/out only (docs/node-directory.md).
chmod 711 "$T"
chgrp nogroup "$CN" "$CN/spool" "$CN/spool/out"
chmod 710 "$CN" "$CN/spool"
chmod 2770 "$CN/spool/out"
mkdir "$CN/spool/out/SG-NTP"
chgrp nogroup "$CN/spool/out/SG-NTP"
chmod 2770 "$CN/spool/out/SG-NTP"

# What the attacker must not reach: a directory it cannot read, with a
# file, and a file outside the spool it may not read either.
mkdir -m 700 "$T/private"
printf 'SECRET-IN-DIRECTORY\n' >"$T/private/secret.xml"
printf 'SECRET-HARD-LINKED\n' >"$T/victim.xml"
chmod 600 "$T/victim.xml"
cp "$T/private/secret.xml" "$T/secret.before"
cp "$T/victim.xml" "$T/victim.before"
cp "$CN/node.xml" "$T/node.before"
start_node "$CN"
start_node "$SG"
cp "$CN/local.token" "$T/token.before"
ledger_inode=$(stat -c %i "$CN/ledger.db")
as_attacker ls "$T/private" >/dev/null 2>&1 && fail "the attacker can read the private directory" || pass

# The attack, made while the node serves.
xname="X$(printf '\033')[1m"
nl=$(printf '\nx') && nl=${nl%x}
lname="link${nl}forged.xml"
as_attacker ln -s "$T/private" "$CN/spool/out/$xname" || fail "attacker: link to the private directory"
as_attacker ln -s "$CN" "$CN/spool/out/home" || fail "attacker: link to the node's home"
as_attacker ln -s "$T/private/secret.xml" "$CN/spool/out/SG-NTP/$lname" || fail "attacker: link to a file"
as_attacker mkfifo "$CN/spool/out/SG-NTP/pipe.xml" || fail "attacker: FIFO"
# fs.protected_hardlinks forbids the attacker a hard link to a file it
# cannot write; then root makes it, to show that the node refuses it anyway.
if as_attacker ln "$T/victim.xml" "$CN/spool/out/SG-NTP/hard.xml" 2>/dev/null; then
	echo "the attacker made the hard link"
else
	echo "the attacker may not make the hard link (fs.protected_hardlinks); made by root"
	ln "$T/victim.xml" "$CN/spool/out/SG-NTP/hard.xml"
fi

# Each is refused, its path escaped in the log.
L="$CN/spool/out"
for line in \
	"$L/X\\x1b[1m: is a symbolic link, which swnode does not follow; left where it is, not sent" \
	"$L/home: is a symbolic link, which swnode does not follow; left where it is, not sent" \
	"$L/SG-NTP/link\\x0aforged.xml: is a symbolic link, which swnode does not follow; left where it is, not sent" \
	"$L/SG-NTP/pipe.xml: is a FIFO (named pipe), not a regular file; left where it is, not sent" \
	"$L/SG-NTP/hard.xml: has 2 names (hard links); only a file with one name is taken; left where it is, not sent"
do
	wait_log "$CN" "$line" && pass || fail "not logged: $line"
done

# The scan did not stop at the FIFO: documents dropped the normal way next
# to it are claimed, submitted under their claim's token and delivered.
drop dropped.xml
sent dropped.xml
drop dropped2.xml
sent dropped2.xml

# Each refusal was logged once, though every pass since met it again.
for what in "X\\x1b[1m: " "/home: " "link\\x0aforged.xml: " "pipe.xml: " "hard.xml: "; do
	n=$(grep -cF -- "$what" "$CN.log")
	[ "$n" = 1 ] && pass || fail "'$what' logged $n times"
done
LC_ALL=C grep -q "$(printf '\033')" "$CN.log" && fail "ESC raw in the log" || pass
grep -q '^forged.xml' "$CN.log" && fail "a line forged by a file name" || pass

# Nothing was taken: the targets are untouched where they were, the
# planted entries are where the attacker put them, spool/failed is empty.
same "$T/secret.before" "$T/private/secret.xml" "the file in the private directory changed"
[ "$(ls -A "$T/private")" = secret.xml ] && pass || { fail "the private directory changed"; ls -A "$T/private"; }
same "$T/victim.before" "$T/victim.xml" "the hard-linked file changed"
[ "$(stat -c %h "$T/victim.xml")" = 2 ] && pass || fail "the hard link was taken"
[ -L "$L/$xname" ] && [ -L "$L/home" ] && [ -L "$L/SG-NTP/$lname" ] && [ -p "$L/SG-NTP/pipe.xml" ] &&
	pass || { fail "a planted entry was moved"; ls -lA "$L" "$L/SG-NTP"; }
[ -z "$(ls -A "$CN/spool/failed")" ] && pass || { fail "spool/failed is not empty"; ls -lA "$CN/spool/failed"; }
grep -rq SECRET "$CN/spool/failed" "$CN/spool/in" "$SG/spool" && fail "a secret reached a spool" || pass

# A refused document that cannot be moved into spool/failed (here another
# file system) is never deleted: it stays in its directory under a name no
# pass takes, and the log says where.
if mount -t tmpfs -o size=1m,mode=0750 swnode-test "$CN/spool/failed" 2>"$T/mount.err"; then
	MOUNTED=$CN/spool/failed
	printf 'not xml\n' >"$T/bad.xml"
	chmod 644 "$T/bad.xml"
	drop bad.xml "$T/bad.xml"
	wait_log "$CN" "-bad.xml cannot be moved into spool/failed (Invalid cross-device link); kept beside it as .refused-" &&
		pass || fail "no log of the document that could not be moved"
	kept=$(ls -A "$L/SG-NTP" | grep -E '^\.refused-[0-9a-f-]{36}-bad\.xml$')
	[ -n "$kept" ] && pass || { fail "the refused document was not kept"; ls -lA "$L/SG-NTP"; }
	[ -n "$kept" ] && same "$T/bad.xml" "$L/SG-NTP/$kept" "the kept document changed"
	[ -z "$(ls -A "$CN/spool/failed")" ] && pass || fail "a reason without its document in spool/failed"
	drop dropped3.xml
	sent dropped3.xml
	[ "$(grep -c 'bad.xml refused' "$CN.log")" = 1 ] && pass || fail "the kept document was taken again"
	umount "$MOUNTED" && MOUNTED=
else
	echo "not tested here: a move into spool/failed across file systems (cannot mount a tmpfs: $(cat "$T/mount.err"))"
fi

# A flood of refused entries is named up to 1024 and counted past that,
# once.  (The entries above go first, so that the flood alone is refused;
# it appears at once, by renaming a hidden folder the scan skips.)
rm -f "$L/$xname" "$L/home" "$L/SG-NTP/$lname" "$L/SG-NTP/pipe.xml" "$L/SG-NTP/hard.xml"
as_attacker sh -c 'mkdir "$1/.flood" && i=0 && while [ $i -lt 1030 ]; do
	ln -s /etc/hostname "$1/.flood/l$i" || exit 1; i=$((i + 1)); done && mv "$1/.flood" "$1/FLOOD"' sh "$L" ||
	fail "attacker: the flood"
wait_log "$CN" "spool: 6 more entries left where they are, not sent, for the reasons above (only 1024 are named)" &&
	pass || fail "the flood past 1024 not counted"
drop dropped4.xml
sent dropped4.xml
n=$(grep -cF "$L/FLOOD/" "$CN.log")
[ "$n" = 1024 ] && pass || fail "$n entries of the flood named, not 1024"
n=$(grep -c "more entries left where they are" "$CN.log")
[ "$n" = 1 ] && pass || fail "the flood counted $n times"

# The node's own files are where they were and it still serves.
same "$T/node.before" "$CN/node.xml" "node.xml moved or changed"
same "$T/token.before" "$CN/local.token" "local.token moved or changed"
[ "$(stat -c %i "$CN/ledger.db" 2>/dev/null)" = "$ledger_inode" ] && pass || fail "ledger.db moved"
LP=$(sed -n 's/^local //p' "$CN.out")
expect 0 "healthz on the local API" curl -sS --max-time 10 "http://127.0.0.1:$LP/healthz"
expect 0 "ledger verify" "$SWNODE" --home "$CN" ledger verify
stop_node "$CN"
[ "$RC" -eq 0 ] && pass || fail "SIGTERM exit code $RC"
start_node "$CN"
pass
finish
