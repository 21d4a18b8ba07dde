#!/usr/bin/env bash
# Builds tiergate, puts the `tiergate` command on PATH and, with --repo, installs the hooks into a repository.
#   ./install.sh [--prefix DIR] [--repo DIR]
# Needs a JDK 17+, Maven and git. Idempotent: run it again after pulling.
set -euo pipefail

prefix="${HOME}/.local/bin"
repo=""
lib="${TIERGATE_LIB:-${HOME}/.local/share/tiergate}"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --repo) repo="$2"; shift 2 ;;
    --repo=*) repo="${1#*=}"; shift ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see ./install.sh --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit "${2:-3}"; }

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v "$java_bin" >/dev/null 2>&1 || die "java not found; install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk) or set JAVA_HOME"
java_bin="$(command -v "$java_bin")"
java_major="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
[ "${java_major:-0}" -ge 17 ] || die "java $java_major found at $java_bin; tiergate needs 17 or newer"
command -v mvn >/dev/null 2>&1 || die "mvn not found; install Apache Maven 3.8+ (e.g. apt-get install maven)"
command -v git >/dev/null 2>&1 || die "git not found; install git"

cd "$(dirname "$0")"
say "building (mvn -B -q -DskipTests package)..."
mvn -B -q -DskipTests package

stage="${lib}.new.$$"
rm -rf "$stage"
mkdir -p "$stage/hooks" "$stage/server"
cp hooks/target/tiergate-hooks-*.jar hooks/target/lib/*.jar "$stage/hooks/"
cp gate-server/target/tiergate-gate-server-*.jar gate-server/target/lib/*.jar "$stage/server/"
# Class-data sharing skips classes from signed jars, and JGit's jar is signed: keep an unsigned copy for the
# hooks (same classes; the signature only vouches for the download, which Maven already checked).
jar_bin="${JAVA_HOME:+$JAVA_HOME/bin/}jar"
if command -v "$jar_bin" >/dev/null 2>&1; then
  for signed in "$stage"/hooks/org.eclipse.jgit-*.jar; do
    unpack="$(mktemp -d)"
    (cd "$unpack" && "$jar_bin" xf "$signed" && rm -f META-INF/*.SF META-INF/*.RSA META-INF/*.DSA META-INF/*.EC \
      && "$jar_bin" cfm "$signed.unsigned" META-INF/MANIFEST.MF -C "$unpack" .) && mv "$signed.unsigned" "$signed"
    rm -rf "$unpack"
  done
fi
rm -rf "${lib}.old"
if [ -d "$lib" ]; then mv "$lib" "${lib}.old"; fi
mkdir -p "$(dirname "$lib")"
mv "$stage" "$lib"
rm -rf "${lib}.old"

# explicit jar list, our jar first: AppCDS checks the class path entry by entry, so no wildcard
hooks_cp="$(ls "$lib"/hooks/tiergate-hooks-*.jar)"
for f in "$lib"/hooks/*.jar; do
  case "$f" in */tiergate-hooks-*) ;; *) hooks_cp="$hooks_cp:$f" ;; esac
done

# AppCDS for the hooks: record the classes one pre-commit loads, then dump a static archive with this very JVM
# (an archive only fits the JVM and class path that made it, so it is made here, at install time).
say "making the class-data sharing archive for the hooks..."
train="$(mktemp -d)"
(
  cd "$train"
  git init -q -b main . && git config user.email trainer@example.com && git config user.name trainer
  printf 'x\n' > README.md && git add README.md && git commit -q -m init
  "$java_bin" -cp "$hooks_cp" dev.tiergate.hooks.Main init --no-commit >/dev/null
  git checkout -q -b feature/train
  "$java_bin" -cp "$hooks_cp" dev.tiergate.hooks.Main claim train --here >/dev/null
  mkdir -p db/migration .lakebase
  printf '{"version": 1, "state": "feature-claimed", "tier_topology": 2, "project_id": "p", "feature_id": "train", "branch": "feature/train", "parent_branch": "staging", "lakebase_branch_uid": "br-1", "claimed_at": "2026-01-01T00:00:00Z"}\n' > .lakebase/workflow-state.json
  printf -- '-- refactoring: Add Column\n-- phase: expand\nALTER TABLE t ADD COLUMN c int;\n' > db/migration/V20260101000000__train.sql
  git add -A .lakebase db .tiergate/policy.yaml
  "$java_bin" -XX:DumpLoadedClassList="$train/classes.lst" -cp "$hooks_cp" dev.tiergate.hooks.Main pre-commit >/dev/null 2>&1 || true
  # and the classes `tiergate lint` adds (its JSON output included), so a lint run starts as fast as a hook
  "$java_bin" -XX:DumpLoadedClassList="$train/lint.lst" -cp "$hooks_cp" dev.tiergate.hooks.Main lint --format json db/migration >/dev/null 2>&1 || true
  cat "$train/lint.lst" >> "$train/classes.lst" 2>/dev/null || true
)
rm -f "$lib/hooks.jsa"
if [ -s "$train/classes.lst" ]; then
  "$java_bin" -Xshare:dump -XX:SharedClassListFile="$train/classes.lst" -XX:SharedArchiveFile="$lib/hooks.jsa" \
    -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$hooks_cp" >/dev/null 2>&1 || true
fi
rm -rf "$train"
[ -f "$lib/hooks.jsa" ] || say "note: no class-data sharing archive was made; hooks still work, only slower to start"

mkdir -p "$prefix"
launcher="$prefix/tiergate"
cat > "$launcher.tmp" <<LAUNCHER
#!/bin/sh
# tiergate launcher, written by install.sh; run install.sh again to update it.
lib='$lib'
# the hooks 'tiergate install' writes call this very script: tell the JVM where it is
case \$0 in /*) self=\$0 ;; *) self=\$PWD/\$0 ;; esac
case "\$1" in
  server|demo|audit)
    # an explicit heap: request bodies are bounded (8 at a time, 25 MB each), so 512 MB is plenty; override with
    # TIERGATE_JAVA_OPTS, e.g. TIERGATE_JAVA_OPTS='-Xmx1g'
    exec '$java_bin' -Xmx512m \${TIERGATE_JAVA_OPTS:-} -cp "\$lib/server/*" dev.tiergate.server.cli.ServerMain "\$@" ;;
esac
# hooks live a quarter of a second: C1 only, one compiler thread (the second core warms Jackson, see HookWarmup)
exec '$java_bin' -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto \\
  -XX:SharedArchiveFile="\$lib/hooks.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -Dtiergate.launcher="\$self" \\
  -cp '$hooks_cp' dev.tiergate.hooks.Main "\$@"
LAUNCHER
chmod +x "$launcher.tmp"
mv "$launcher.tmp" "$launcher"
say "installed $launcher (libraries in $lib)"

if command -v npm >/dev/null 2>&1; then
  bash .ci/fetch-webhook-examples || say "note: could not fetch GitHub's webhook examples (used by the tests only)"
fi

if [ -n "$repo" ]; then
  TIERGATE_LAUNCHER="$launcher" "$launcher" install --repo "$repo" --launcher "$launcher"
fi

case ":$PATH:" in
  *":$prefix:"*) ;;
  *) say "add $prefix to your PATH, e.g.: echo 'export PATH=\"$prefix:\$PATH\"' >> ~/.profile" ;;
esac
