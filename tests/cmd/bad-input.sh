#!/bin/sh
# Bad input: each kind gets its documented error (docs/errors.md), exit 1,
# never a crash, and `map -o` never leaves a file behind.
. "$(dirname "$0")/lib.sh"

# bad NAME EXPECTED-TEXT: validate and map both refuse $T/NAME with the text
bad() {
	expect 1 "validate $1" "$SWNODE" validate "$T/$1"
	has "$T/err" "$2" "validate $1 error"
	expect 1 "map $1" "$SWNODE" map --to international "$T/$1" -o "$T/$1.out"
	has "$T/err" "$2" "map $1 error"
	[ ! -e "$T/$1.out" ] && pass || fail "map $1 left an output file"
}

printf '<?xml version="1.0"?>\n<a>\n  <b>\n</a>\n' >"$T/malformed.xml"
bad malformed.xml "malformed.xml:4: malformed XML: Opening and ending tag mismatch"

eco=$(ls "$TESTDATA"/eco/*.xml | head -1)
sed 's/urn:swnode:domestic:eco:1/urn:example:eco/' "$eco" >"$T/wrong-ns.xml"
bad wrong-ns.xml "root element 'CertificateOfOrigin' is in namespace 'urn:example:eco', but swnode knows 'CertificateOfOrigin' only in 'urn:swnode:domestic:eco:1', 'urn:swnode:international:CertificateOfOrigin:1'"

printf '<Invoice xmlns="urn:example:invoice"><ID>1</ID></Invoice>\n' >"$T/unknown.xml"
bad unknown.xml "unknown document type: root element {urn:example:invoice}Invoice is not in the registry"

printf '%%PDF-1.7\n%%\342\343\317\323\n1 0 obj\n' >"$T/not-xml.pdf"
bad not-xml.pdf "not-xml.pdf: not an XML document"
head -c 4096 /dev/urandom | tr -d '<' >"$T/random.bin"
bad random.bin "random.bin: not an XML document"

: >"$T/empty.xml"
bad empty.xml "empty.xml: empty document"
printf '  \n\t\n' >"$T/blank.xml"
bad blank.xml "blank.xml: empty document"

printf '<?xml version="1.0" encoding="UTF-8"?>\n<a>caf\351</a>\n' >"$T/bad-utf8.xml"
bad bad-utf8.xml "malformed XML"

cat >"$T/xxe.xml" <<'X'
<?xml version="1.0"?>
<!DOCTYPE CertificateOfOrigin [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<CertificateOfOrigin xmlns="urn:swnode:domestic:eco:1">&x;</CertificateOfOrigin>
X
bad xxe.xml "xxe.xml:2: a DOCTYPE is not allowed"
hasnt "$T/err" "root:" "the external entity was not read"

{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE lolz [<!ENTITY lol "lol">'
	i=1
	prev=lol
	while [ $i -le 9 ]; do
		echo "<!ENTITY lol$i \"&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;\">"
		prev=lol$i
		i=$((i + 1))
	done
	echo ']><lolz>&lol9;</lolz>'
} >"$T/laughs.xml"
bad laughs.xml "a DOCTYPE is not allowed"

awk 'BEGIN { for (i = 0; i < 2000; i++) printf "<d>"; for (i = 0; i < 2000; i++) printf "</d>"; print "" }' >"$T/deep.xml"
bad deep.xml "deep.xml:1: elements nested deeper than 128 levels"
awk 'BEGIN { for (i = 0; i < 200; i++) printf "<d>"; for (i = 0; i < 200; i++) printf "</d>"; print "" }' >"$T/deep200.xml"
bad deep200.xml "elements nested deeper than 128 levels"

# A relative namespace URI: canonical XML (and so a signature over the
# document) cannot take it.
sed 's|<CertificateNumber>|<CertificateNumber xmlns:r="../rel">|' "$eco" >"$T/relative-ns.xml"
bad relative-ns.xml "relative-ns.xml:3: the namespace declaration xmlns:r=\"../rel\" has a relative URI"

printf '\377\376<\000a\000/\000>\000' >"$T/utf16.xml"
bad utf16.xml "UTF-16 is not supported"

# Size: a 1 GB file is refused from its size, without being read: under a
# 256 MB address-space limit, reading it would fail differently.  (A
# sanitizer build cannot start under that limit; it runs without it.)
truncate -s 1G "$T/huge.xml"
LIMIT="ulimit -v 262144;"
sh -c "$LIMIT exec \"$SWNODE\" --version" >/dev/null 2>&1 || LIMIT=
expect 1 "validate a 1 GB file" sh -c "$LIMIT exec \"$SWNODE\" validate \"$T/huge.xml\""
has "$T/err" "huge.xml: file is 1073741824 bytes, over the limit of 67108864 bytes; refused without reading it" "1 GB file refused by size"
expect 1 "map a 1 GB file" sh -c "$LIMIT exec \"$SWNODE\" map --to international \"$T/huge.xml\" -o \"$T/huge.out\""
has "$T/err" "refused without reading it" "map refuses the 1 GB file too"
# A stream of unknown size is cut off at the limit.
expect 1 "validate 70 MB on stdin" sh -c "head -c 70000000 /dev/zero | \"$SWNODE\" validate -"
has "$T/err" "<stdin>: data exceeds the limit of 67108864 bytes" "stream over the limit"

f=$(ls "$TESTDATA"/eco/*.xml | head -1)
mkfifo "$T/fifo.out"
expect 1 "map -o onto a FIFO" "$SWNODE" map --to international "$f" -o "$T/fifo.out"
has "$T/err" "fifo.out: exists and is not a regular file; refusing to replace it" "FIFO target named"
ln -s /etc/hostname "$T/link.out"
expect 1 "map -o onto a symlink" "$SWNODE" map --to international "$f" -o "$T/link.out"
has "$T/err" "is not a regular file" "symlink target refused"

expect 1 "missing file" "$SWNODE" validate "$T/no-such-file.xml"
has "$T/err" "no-such-file.xml: cannot open: No such file or directory" "missing file"
expect 1 "directory" "$SWNODE" validate "$T"
has "$T/err" "is a directory" "directory given as a file"

# Schema violations: each sample in tests/data/bad fails with its message,
# naming the file and the line.
for f in "$TESTDATA"/bad/*.xml; do
	b=$(basename "$f")
	expect 1 "validate $b" "$SWNODE" validate "$f" || continue
	has "$T/err" "$(cat "$f.expect")" "$b error text"
	grep -qE "^swnode: .*$b:[0-9]+: element '[A-Za-z]+': " "$T/err" &&
		pass || fail "$b error lacks FILE:LINE: element"
	has "$T/out" "$b: invalid (schema)" "$b summary"
	expect 1 "map $b" "$SWNODE" map --to international "$f" -o "$T/$b.out"
	[ ! -e "$T/$b.out" ] && pass || fail "map $b left an output file"
done
finish
