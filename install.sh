#!/usr/bin/env bash
# Builds tiergate and installs it under a prefix: the command in PREFIX/bin/tiergate, its libraries in
# PREFIX/share/tiergate; with --repo, also installs the hooks into a repository.
#   ./install.sh [--prefix DIR] [--repo DIR] [--no-build]     (default prefix: ~/.local)
#   ./install.sh --uninstall [--prefix DIR]                    (removes exactly what an install there wrote)
# Needs a JDK 17+, Maven and git. The hooks run on the same JDK (TIERGATE_HOOKS_JAVA=/path/to/java chooses another),
# from an AppCDS archive, or from an ahead-of-time cache on JDK 25+. Idempotent: run it again after pulling. Two prefixes never touch each other.
set -euo pipefail

prefix="${HOME}/.local"
repo=""
build=1
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --repo) [ $# -ge 2 ] || { echo "install.sh: --repo needs a directory" >&2; exit 2; }; repo="$2"; shift 2 ;;
    --repo=*) repo="${1#*=}"; shift ;;
    --no-build) build=0; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see ./install.sh --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit "${2:-3}"; }

[ -n "$prefix" ] || die "--prefix is empty" 2
if [ "$uninstall" = 0 ]; then mkdir -p "$prefix" || die "cannot create $prefix"; fi
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
bin="$prefix/bin"
lib="$prefix/share/tiergate"
# every file an install writes outside $lib, one per line, so --uninstall removes exactly those
manifest="$lib/installed-files"
launcher_marker="# tiergate launcher, written by install.sh"

if [ "$uninstall" = 1 ]; then
  if [ ! -f "$manifest" ]; then
    die "nothing to uninstall: no tiergate install under $prefix ($manifest is missing)" 1
  fi
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    case "$f" in
      "$prefix"/*) ;;
      *) say "skipped $f: outside $prefix"; continue ;;
    esac
    if [ -f "$f" ]; then
      rm -f "$f" && say "removed $f"
    fi
  done < "$manifest"
  rm -rf "$lib" && say "removed $lib"
  # the folders an install created, deepest first, if nothing else lives in them now
  for d in "$prefix/share/zsh/site-functions" "$prefix/share/zsh" "$prefix/share/bash-completion/completions" \
           "$prefix/share/bash-completion" "$prefix/share" "$bin"; do
    rmdir "$d" 2>/dev/null || true
  done
  exit 0
fi

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v "$java_bin" >/dev/null 2>&1 || die "java not found; install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk) or set JAVA_HOME"
java_bin="$(command -v "$java_bin")"
java_major="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
[ "${java_major:-0}" -ge 17 ] || die "java $java_major found at $java_bin; tiergate needs 17 or newer"
command -v git >/dev/null 2>&1 || die "git not found; install git"

if [ -n "$repo" ]; then
  case "$repo" in /*) ;; *) repo="$PWD/$repo" ;; esac
fi
cd "$(dirname "$0")"
if [ "$build" = 1 ]; then
  command -v mvn >/dev/null 2>&1 || die "mvn not found; install Apache Maven 3.8+ (e.g. apt-get install maven)"
  say "building (mvn -B -q -DskipTests package)..."
  mvn -B -q -DskipTests package
fi
ls hooks/target/tiergate-hooks-*.jar gate-server/target/tiergate-gate-server-*.jar >/dev/null 2>&1 \
  || die "no build found in hooks/target and gate-server/target; run without --no-build"

# zonky ships the embedded PostgreSQL as one jar per platform; only this platform's is installed
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64|Linux-amd64) pg_platform=linux-amd64; [ -f /etc/alpine-release ] && pg_platform=linux-amd64-alpine ;;
  Linux-aarch64|Linux-arm64) pg_platform=linux-arm64v8; [ -f /etc/alpine-release ] && pg_platform=linux-arm64v8-alpine ;;
  Darwin-x86_64) pg_platform=darwin-amd64 ;;
  Darwin-arm64) pg_platform=darwin-arm64v8 ;;
  *) pg_platform="" ;;
esac

mkdir -p "$prefix/share"
stage="$(mktemp -d "$prefix/share/.tiergate-install.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib/hooks" "$stage/lib/server"
cp hooks/target/tiergate-hooks-*.jar hooks/target/lib/*.jar "$stage/lib/hooks/"
cp gate-server/target/tiergate-gate-server-*.jar "$stage/lib/server/"
pg_version=""
for f in gate-server/target/lib/*.jar; do
  case "${f##*/}" in
    embedded-postgres-binaries-*)
      name="${f##*/}"; name="${name%.jar}"; pg_version="${name##*-}"
      [ "$name" = "embedded-postgres-binaries-$pg_platform-$pg_version" ] && cp "$f" "$stage/lib/server/" ;;
    *) cp "$f" "$stage/lib/server/" ;;
  esac
done
if [ -n "$pg_platform" ] && ! ls "$stage"/lib/server/embedded-postgres-binaries-"$pg_platform"-*.jar >/dev/null 2>&1 \
   && [ -n "$pg_version" ] && command -v mvn >/dev/null 2>&1; then
  say "fetching the embedded PostgreSQL for $pg_platform..."
  mvn -B -q dependency:copy -Dartifact="io.zonky.test.postgres:embedded-postgres-binaries-$pg_platform:$pg_version" \
    -DoutputDirectory="$stage/lib/server" || true
fi
ls "$stage"/lib/server/embedded-postgres-binaries-*.jar >/dev/null 2>&1 \
  || say "note: no embedded PostgreSQL for this platform ($(uname -s) $(uname -m)); 'tiergate server' needs TIERGATE_DB_URL"

# Class-data sharing skips classes from signed jars, and JGit's jar is signed: keep an unsigned copy for the
# hooks (same classes; the signature only vouches for the download, which Maven already checked).
jar_bin="${JAVA_HOME:+$JAVA_HOME/bin/}jar"
if command -v "$jar_bin" >/dev/null 2>&1; then
  for signed in "$stage"/lib/hooks/org.eclipse.jgit-*.jar; do
    unpack="$(mktemp -d)"
    (cd "$unpack" && "$jar_bin" xf "$signed" && rm -f META-INF/*.SF META-INF/*.RSA META-INF/*.DSA META-INF/*.EC \
      && "$jar_bin" cfm "$signed.unsigned" META-INF/MANIFEST.MF -C "$unpack" .) && mv "$signed.unsigned" "$signed"
    rm -rf "$unpack"
  done
fi
rm -rf "${lib}.old"
if [ -d "$lib" ]; then mv "$lib" "${lib}.old"; fi
mkdir -p "$(dirname "$lib")"
mv "$stage/lib" "$lib"
rm -rf "${lib}.old"

# explicit jar list: AppCDS checks the class path entry by entry, so no wildcard. Classes come from the start-up
# cache, but a resource (a JSON Schema, the validator's meta-schemas) is looked up jar by jar, opening each jar it
# passes: the jars a commit reads resources from come first, JGit's large one (not on the commit path) later.
hooks_cp=""
for pattern in tiergate-hooks- tiergate-state-schemas- tiergate-core- json-schema-validator- jackson- snakeyaml-; do
  for f in "$lib"/hooks/"$pattern"*.jar; do
    [ -f "$f" ] && hooks_cp="${hooks_cp:+$hooks_cp:}$f"
  done
done
for f in "$lib"/hooks/*.jar; do
  case ":$hooks_cp:" in *":$f:"*) ;; *) hooks_cp="$hooks_cp:$f" ;; esac
done

# The hooks' JVM: the one above, or TIERGATE_HOOKS_JAVA. On JDK 25+ the hooks start from an ahead-of-time cache
# (loaded and linked classes and method profiles, JEPs 483, 514, 515), before that from an AppCDS archive. Measured
# on the build machines (BENCHMARKS.md), JDK 25 with its cache starts the hooks no faster than JDK 17 with AppCDS,
# so install.sh does not go looking for a newer JDK than the one it runs with.
java_major_of() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
hooks_java="$java_bin"; hooks_major="$java_major"
if [ -n "${TIERGATE_HOOKS_JAVA:-}" ]; then
  hooks_java="$(command -v "$TIERGATE_HOOKS_JAVA")" || die "TIERGATE_HOOKS_JAVA=$TIERGATE_HOOKS_JAVA is not a java executable"
  hooks_major="$(java_major_of "$hooks_java")"
  [ "${hooks_major:-0}" -ge 17 ] || die "TIERGATE_HOOKS_JAVA: java $hooks_major found at $hooks_java; the hooks need 17 or newer"
fi
# hooks live a quarter of a second: C1 only, one compiler thread (the second core warms Jackson, see HookWarmup);
# the training run uses the same flags, so the recorded profiles fit
hook_flags="-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -XX:-UsePerfData"
# a pre-commit starts a few git processes: up to JDK 20, vfork starts each with one exec instead of two (through
# jspawnhelper), 3-7 ms a commit; later JDKs deprecate it, so they keep their default
if [ "$hooks_major" -le 20 ]; then
  hook_flags="$hook_flags -Djdk.lang.Process.launchMechanism=VFORK"
fi

# Record what a pre-commit loads, and apart from it what lint and check load (hooks/.../StartupTraining.java), in a
# throw-away repository, with the very JVM and class path the launcher uses: a cache or archive only fits the JVM
# that made it, so it is made here. Two of them (hooks.*, cli.*): a JDK 25 cache loads every class it holds when the
# JVM starts, so a commit would pay for JGit and the lint's formats (13-15 ms measured; AppCDS 7 ms).
rm -f "$lib"/hooks.jsa "$lib"/hooks.aot "$lib"/hooks.jsa.jvm "$lib"/hooks.aot.jvm "$lib"/cli.jsa "$lib"/cli.aot "$lib"/cli.jsa.jvm "$lib"/cli.aot.jvm
if [ "$hooks_major" -ge 25 ]; then
  say "making the ahead-of-time cache for the hooks (JDK $hooks_major at $hooks_java)..."
else
  say "making the class-data sharing archive for the hooks (JDK $hooks_major at $hooks_java)..."
fi
train="$(mktemp -d)"
(
  cd "$train"
  export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
  git init -q -b main . && git config user.email trainer@example.com && git config user.name trainer
  printf 'x\n' > README.md && git add README.md && git commit -q -m init
  "$hooks_java" -cp "$hooks_cp" dev.tiergate.hooks.Main init --no-commit >/dev/null
  git checkout -q -b feature/train
  "$hooks_java" -cp "$hooks_cp" dev.tiergate.hooks.Main claim train --here >/dev/null
  mkdir -p db/migration .lakebase
  printf '{"version": 1, "state": "feature-claimed", "tier_topology": 2, "project_id": "p", "feature_id": "train", "branch": "feature/train", "parent_branch": "staging", "lakebase_branch_uid": "br-1", "claimed_at": "2026-01-01T00:00:00Z"}\n' > .lakebase/workflow-state.json
  # one migration the lint has findings on, one it passes (lock_timeout first, as a team that follows it writes):
  # a commit loads the classes of both paths
  printf -- '-- refactoring: Add Column\n-- phase: expand\nALTER TABLE t ADD COLUMN c int;\n' > db/migration/V20260101000000__train.sql
  printf -- "-- refactoring: Add Column\n-- phase: expand\nSET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN IF NOT EXISTS d int;\n" \
    > db/migration/V20260101000001__train_clean.sql
  git add -A .lakebase db .tiergate/policy.yaml
  for part in hooks cli; do
    if [ "$hooks_major" -ge 25 ]; then
      # one step (JEP 514): the JVM records at exit and then assembles the cache in a child JVM
      "$hooks_java" $hook_flags -XX:AOTCacheOutput="$lib/$part.aot" -Xlog:aot=off -Xlog:cds=off -cp "$hooks_cp" \
        dev.tiergate.hooks.StartupTraining "$part" >/dev/null 2>&1 || true
    else
      "$hooks_java" $hook_flags -XX:DumpLoadedClassList="$train/$part.lst" -cp "$hooks_cp" \
        dev.tiergate.hooks.StartupTraining "$part" >/dev/null 2>&1 || true
      if [ -s "$train/$part.lst" ]; then
        "$hooks_java" -Xshare:dump -XX:SharedClassListFile="$train/$part.lst" -XX:SharedArchiveFile="$lib/$part.jsa" \
          -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$hooks_cp" >/dev/null 2>&1 || true
      fi
    fi
  done
)
rm -rf "$train"
cache_ext=""
if [ -f "$lib/hooks.aot" ]; then
  cache_ext="aot"; cache_flags="-XX:AOTCache=\"\$lib/\$cache.aot\" -Xlog:aot=off -Xlog:cds=off"
elif [ -f "$lib/hooks.jsa" ]; then
  cache_ext="jsa"; cache_flags="-Xshare:auto -XX:SharedArchiveFile=\"\$lib/\$cache.jsa\" -Xlog:cds=off -Xlog:cds+dynamic=off"
else
  cache_flags=""
  say "note: no start-up cache was made for the hooks; they still work, only slower to start"
fi
hooks_cache="${cache_ext:+hooks.$cache_ext}"
# the commit hooks take the cache of what a commit loads, every other command the other one (when it was made)
if [ -n "$cache_ext" ] && [ -f "$lib/cli.$cache_ext" ]; then
  cache_choice='case "$1" in pre-commit|commit-msg) cache=hooks ;; *) cache=cli ;; esac'
else
  cache_choice='cache=hooks'
fi
# which JVM made the caches, for 'tiergate doctor'
for part in hooks cli; do
  [ -n "$cache_ext" ] && [ -f "$lib/$part.$cache_ext" ] && printf '%s\n' "$hooks_java" > "$lib/$part.$cache_ext.jvm"
done

mkdir -p "$bin"
launcher="$bin/tiergate"
if [ -e "$launcher" ] && ! grep -q "^$launcher_marker" "$launcher" 2>/dev/null; then
  die "$launcher exists and was not written by install.sh; move it away or choose another --prefix"
fi
cat > "$launcher.tmp" <<LAUNCHER
#!/bin/sh
$launcher_marker; run install.sh again to update it.
lib='$lib'
# the hooks 'tiergate install' writes call this very script: tell the JVM where it is
case \$0 in /*) self=\$0 ;; *) self=\$PWD/\$0 ;; esac
case "\$1" in
  server|demo|audit|rollback|release-tier|token)
    # an explicit heap: request bodies are bounded (8 at a time, 25 MB each), so 512 MB is plenty; override with
    # TIERGATE_JAVA_OPTS, e.g. TIERGATE_JAVA_OPTS='-Xmx1g'
    exec '$java_bin' -Xmx512m \${TIERGATE_JAVA_OPTS:-} -cp "\$lib/server/*" dev.tiergate.server.cli.ServerMain "\$@" ;;
esac
# the hooks and the CLI: $hooks_java, with the start-up caches install.sh made for it (${hooks_cache:-none})
$cache_choice
exec '$hooks_java' $hook_flags $cache_flags -Dtiergate.launcher="\$self" \\
  -Dtiergate.lib="\$lib" -cp '$hooks_cp' dev.tiergate.hooks.Main "\$@"
LAUNCHER
chmod +x "$launcher.tmp"
mv "$launcher.tmp" "$launcher"
printf '%s\n' "$launcher" > "$manifest"
# shell completion where bash-completion and zsh look under a prefix
bash_completion="$prefix/share/bash-completion/completions/tiergate"
zsh_completion="$prefix/share/zsh/site-functions/_tiergate"
mkdir -p "$(dirname "$bash_completion")" "$(dirname "$zsh_completion")"
if "$launcher" completion bash > "$bash_completion.tmp" && "$launcher" completion zsh > "$zsh_completion.tmp"; then
  mv "$bash_completion.tmp" "$bash_completion" && mv "$zsh_completion.tmp" "$zsh_completion"
  printf '%s\n%s\n' "$bash_completion" "$zsh_completion" >> "$manifest"
else
  rm -f "$bash_completion.tmp" "$zsh_completion.tmp"
  say "note: shell completion was not installed"
fi
say "installed $launcher $("$launcher" --version | sed 's/^tiergate //') (libraries in $lib)"

if command -v npm >/dev/null 2>&1; then
  bash .ci/fetch-webhook-examples || say "note: could not fetch GitHub's webhook examples (used by the tests only)"
fi

if [ -n "$repo" ]; then
  TIERGATE_LAUNCHER="$launcher" "$launcher" install --repo "$repo" --launcher "$launcher"
fi

case ":$PATH:" in
  *":$bin:"*) ;;
  *) say "add $bin to your PATH, e.g.: echo 'export PATH=\"$bin:\$PATH\"' >> ~/.profile" ;;
esac
