#!/usr/bin/env bash
# The core's share of the full-path hook cost: a JVM that validates a kit state file and checks one migration
# (bench/probe/CoreProbe.java), against a JVM that does nothing, with and without an AppCDS archive.
# Needs a JDK and Maven; uses hyperfine when present (see lib/timing.sh). Usage: bench/core-startup.sh [--runs N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
[ "${1:-}" = "--runs" ] && RUNS=$2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tiergate-core-bench.XXXXXX")
RESULTS=$WORK
trap 'rm -rf "$WORK"' EXIT
. "$ROOT/bench/lib/timing.sh"
find_or_install_hyperfine

echo "== building core jars (mvn package, no install)" >&2
# One reactor run, so core resolves state-schemas from this build rather than from ~/.m2.
(cd "$ROOT" && mvn -B -q -pl core -am package dependency:copy-dependencies -DskipTests \
    -DincludeScope=runtime -DoutputDirectory="$WORK/lib") >&2
mkdir -p "$WORK/lib" "$WORK/classes"
cp "$ROOT"/core/target/tiergate-core-*.jar "$ROOT"/state-schemas/target/tiergate-state-schemas-*.jar "$WORK/lib/"
CP=$(ls "$WORK"/lib/*.jar | tr '\n' ':')
javac -d "$WORK/classes" -cp "$CP" "$ROOT/bench/probe/CoreProbe.java"
printf 'public class Noop { public static void main(String[] a) {} }\n' >"$WORK/Noop.java"
javac -d "$WORK/classes" "$WORK/Noop.java"
jar cf "$WORK/lib/probe.jar" -C "$WORK/classes" .
CP=$(ls "$WORK"/lib/*.jar | tr '\n' ':'); CP=${CP%:}

cat >"$WORK/state.json" <<'JSON'
{"version": 1, "state": "feature-claimed", "tier_topology": 2, "project_id": "bench", "feature_id": "F1",
 "branch": "feature/F1", "parent_branch": "staging", "lakebase_branch_uid": "br-1", "claimed_at": "2026-01-01T00:00:00Z"}
JSON
printf -- '-- refactoring: Add Column\n-- phase: expand\nALTER TABLE bench ADD COLUMN c integer;\n' \
    >"$WORK/V20260101000000__add_c.sql"
FLAGS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
PROBE="java $FLAGS -cp '$CP' CoreProbe '$WORK/state.json' '$WORK/V20260101000000__add_c.sql'"
bash -c "$PROBE" || { echo "the probe refused its own input" >&2; exit 3; }
# The archive is dumped by the JVM that will use it, as install.sh should do on the user's machine.
java $FLAGS -XX:ArchiveClassesAtExit="$WORK/probe.jsa" -cp "$CP" CoreProbe "$WORK/state.json" \
    "$WORK/V20260101000000__add_c.sql" 2>/dev/null

NOOP=$(measure noop true "java $FLAGS -cp '$CP' Noop")
PLAIN=$(measure probe-plain true "$PROBE")
CDS=$(measure probe-cds true "java $FLAGS -XX:SharedArchiveFile='$WORK/probe.jsa' -cp '$CP' CoreProbe '$WORK/state.json' '$WORK/V20260101000000__add_c.sql'")
cat <<REPORT

### core start-up (validate a kit state file + check one migration in a fresh JVM)

Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(java -version 2>&1 | head -1)
Timer: $([ -n "$HYPERFINE" ] && "$HYPERFINE" --version || echo "plain loop"); $RUNS runs after $WARMUP warm-up runs; JVM flags: $FLAGS
Command: bench/core-startup.sh --runs $RUNS

| JVM | median |
|---|---|
| empty main() | ${NOOP} ms |
| CoreProbe, default CDS only | ${PLAIN} ms |
| CoreProbe, AppCDS archive | ${CDS} ms |
REPORT
