#!/usr/bin/env bash
# Issue 10's figures: rehearse and apply a 20-migration PR on a ~100 MB and a ~1 GB tier (embedded PostgreSQL, the
# postgres backend), and the peer (plain `flyway migrate` on a copy of the same tier) in the same run.
#   bench/migrations-bench.sh [SIZES_MB]      e.g. bench/migrations-bench.sh 100,1000 (default)
# Needs about 6 x the largest size in free disk (tier, its template, the copy, the snapshot, the peer's copy).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-100,1000}"
bash .ci/fetch-webhook-examples >/dev/null
mvn -B -q -pl state-schemas,core,gate-server -am test -Dtest=MigrationBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtiergate.bench.sizes="$sizes" -DargLine="-Dtiergate.bench.sizes=$sizes" >/dev/null
echo "# migrations on a tier ($(date -u +%F), $(nproc) cores, $(java -version 2>&1 | head -1))"
echo
cat gate-server/target/migration-bench.md
