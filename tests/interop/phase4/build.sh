#!/bin/sh
# build.sh: builds swnode's phase4 test peer into $PHASE4_WORK/target (thin jar +
# target/dependency/*.jar); PHASE4_WORK defaults to this directory.  Given another one (the
# tests give one in the build tree: make distcheck builds with the sources read-only), the
# sources (pom.xml, src/) are copied there first.
# The Maven local repository is $PHASE4_CACHE (default: tests/interop-cache/m2 at the top of
# the repository, ignored by git). A run with everything already in the cache works offline
# and downloads nothing; only a missing artifact makes it go to Maven Central.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$src/../../.." && pwd)
cache=${PHASE4_CACHE:-$top/tests/interop-cache/m2}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
here=${PHASE4_WORK:-$src}
mkdir -p "$here"
here=$(cd "$here" && pwd)
if [ "$here" != "$src" ]; then
    rm -rf "$here/src"
    cp -R "$src/src" "$here/src"
    cp "$src/pom.xml" "$here/pom.xml"
    chmod -R u+w "$here/src" "$here/pom.xml"
fi
log=$here/target/build.log
mkdir -p "$here/target"

command -v mvn >/dev/null || { echo "build.sh: mvn not found (apt-get install maven)" >&2; exit 1; }
command -v java >/dev/null || { echo "build.sh: java not found (Java 17 or newer)" >&2; exit 1; }

goals="-B -q -f $here/pom.xml -Dmaven.repo.local=$cache package dependency:copy-dependencies"
start=$(date +%s)
# shellcheck disable=SC2086
if mvn -o $goals >"$log" 2>&1; then
    how="offline, from the cache"
else
    echo "build.sh: the cache $cache lacks something; fetching from Maven Central"
    # shellcheck disable=SC2086
    if ! mvn $goals >"$log" 2>&1; then
        echo "build.sh: Maven failed; the end of $log:" >&2
        tail -40 "$log" >&2
        exit 1
    fi
    how="online"
fi
end=$(date +%s)
n=$(ls "$here"/target/dependency/*.jar | wc -l)
size=$(du -sh "$here/target/dependency" | cut -f1)
echo "build.sh: built $here/target/phase4-peer-1.jar and $n dependency jars ($size) in $((end - start)) s ($how; Maven cache $cache)"
