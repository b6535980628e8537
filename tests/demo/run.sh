#!/bin/sh
# The quick start's main job: initialise two nodes (two countries), let them
# exchange certificate bundles and draft agreements, and run the document
# pipeline on every sample document, printing what it did.
#
#   run.sh SWNODE SCHEMAS TESTDATA [WORKDIR]
#
# WORKDIR (default ./demo) is emptied first and left behind for inspection.
set -eu
SWNODE=$1
SWNODE_SCHEMAS=$2
DATA=$3
W=${4:-demo}
export SWNODE_SCHEMAS
unset SWNODE_HOME

rm -rf "$W"
mkdir -p "$W/international" "$W/domestic"
echo "== swnode demo: two nodes, their agreements, the document pipeline on $(ls "$DATA"/*/*.xml | grep -vc /bad/) sample documents"
echo
"$SWNODE" init --home "$W/node" --party-id CN-SW --org "China International Trade Single Window" \
	--country CN --endpoint https://localhost:8443/as4
echo
"$SWNODE" init --home "$W/peer" --party-id SG-NTP --org "Singapore TradeNet" --country SG \
	--key rsa-2048 --endpoint https://127.0.0.1:9443/as4 --listen 127.0.0.1:9443 --local 127.0.0.1:9080
echo
echo "== certificate bundles exchanged, draft agreements written and checked"
"$SWNODE" --home "$W/node" cert export -o "$W/CN-SW.bundle.xml"
"$SWNODE" --home "$W/peer" cert export -o "$W/SG-NTP.bundle.xml"
"$SWNODE" --home "$W/node" peer import "$W/SG-NTP.bundle.xml" --agreement-id CN-SG-DEMO
"$SWNODE" --home "$W/peer" peer import "$W/CN-SW.bundle.xml" --agreement-id CN-SG-DEMO
"$SWNODE" --home "$W/node" peer check
"$SWNODE" --home "$W/peer" peer check
echo
"$SWNODE" doctypes
echo
printf '%-22s %-36s %-14s %-14s %s\n' TYPE DOCUMENT INTERNATIONAL BACK ROUNDTRIP
ok=0 bad=0
for type in $("$SWNODE" doctypes | awk -F'\t' 'NF == 2 { print $1 }'); do
	for f in "$DATA/$type"/*.xml; do
		b=$(basename "$f" .xml)
		i=$W/international/$type-$b.xml
		d=$W/domestic/$type-$b.xml
		r1=refused r2=- r3=-
		if "$SWNODE" map --to international "$f" -o "$i" 2>"$W/err"; then
			r1="valid ($(wc -c <"$i")B)"
			if "$SWNODE" map --to domestic "$i" -o "$d" 2>>"$W/err"; then
				r2=valid
				a=$(xmllint --noblanks "$f" | xmllint --exc-c14n - | sha256sum)
				z=$(xmllint --noblanks "$d" | xmllint --exc-c14n - | sha256sum)
				if [ "$a" = "$z" ]; then r3=identical; else r3=DIFFERENT; fi
			fi
		fi
		printf '%-22s %-36s %-14s %-14s %s\n' "$type" "$b" "$r1" "$r2" "$r3"
		if [ "$r3" = identical ]; then ok=$((ok + 1)); else bad=$((bad + 1)); cat "$W/err"; fi
	done
done
echo
echo "$ok documents mapped to the international form and back unchanged, $bad failed"
echo "outputs are in $W/international and $W/domestic; the nodes are in $W/node and $W/peer"
[ "$bad" -eq 0 ]
