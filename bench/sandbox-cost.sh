#!/usr/bin/env bash
# Issue 24's "what the sandbox costs per rehearsal": one migration run on a fresh copy of a tier, as before the sandbox
# (Flyway as the branch cluster's admin) and sandboxed (openRun, Flyway as the branch's migration login, close), in one
# run, interleaved (SandboxCostBench on the embedded branch cluster).
#   bench/sandbox-cost.sh [ROUNDS]      default 30
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-30}"
mvn -B -q ${MVN_ARGS:-} -pl state-schemas,core,gate-server -am test -Dtest=SandboxCostBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dtiergate.bench.rounds=$rounds" >/dev/null
echo "# the sandbox's cost per rehearsal ($(date -u +%FT%TZ), $(nproc) cores, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
cat gate-server/target/sandbox-cost.md
