#!/usr/bin/env bash
# Issue 28's figures: one drift pass over a tier whose history holds 100 and 1,000 migrations (embedded PostgreSQL,
# the postgres backend): the first pass builds the history's schema on a scratch database, the second finds it
# unchanged; beside them a rehearsal on the same tier, which a pass should not outlast.
#   bench/drift-bench.sh [HISTORIES]      e.g. bench/drift-bench.sh 100,1000 (default)
set -euo pipefail
cd "$(dirname "$0")/.."
histories="${1:-100,1000}"
bash .ci/fetch-webhook-examples >/dev/null
mvn -B -q -pl state-schemas,core,testkit,gate-server -am test -Dtest=DriftBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dtiergate.bench.histories=$histories" >/dev/null
echo "# drift passes ($(date -u +%F\ %H:%M) UTC, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(java -version 2>&1 | head -1))"
echo
cat gate-server/target/drift-bench.md
