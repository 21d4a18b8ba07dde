#!/usr/bin/env bash
# Issue 30's figures: masking a production tier of about 100 MB and 1 GB once (copy + four rules + sampled
# verification, embedded PostgreSQL, the postgres backend), and a working branch made from the masked copy beside one
# made from the tier itself: masking is paid once per refresh, never per branch.
#   bench/masking-bench.sh [SIZES_MB]      e.g. bench/masking-bench.sh 100,1000 (default)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-100,1000}"
bash .ci/fetch-webhook-examples >/dev/null
mvn -B -q -pl state-schemas,core,testkit,gate-server -am test -Dtest=MaskingBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dtiergate.bench.sizes=$sizes" >/dev/null
echo "# masking ($(date -u +%F\ %H:%M) UTC, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(java -version 2>&1 | head -1))"
echo
cat gate-server/target/masking-bench.md
