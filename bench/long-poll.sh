#!/usr/bin/env bash
# What `tiergate wait` costs the server: 32 long-polls held on one PR (the server's cap) against the store's committed
# transactions with none held, and the time from a write to the PR's row (by a connection of its own, as another
# server on the store would make it) to each held poll's answer (embedded PostgreSQL, the GitHub stand-in).
#   bench/long-poll.sh [ROUNDS]      e.g. bench/long-poll.sh 20 (default)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-20}"
bash .ci/fetch-webhook-examples >/dev/null
mvn -B -q -pl state-schemas,core,testkit,gate-server -am test -Dtest=LongPollBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dtiergate.bench.rounds=$rounds" >/dev/null
echo "# long-polls ($(date -u +%F\ %H:%M) UTC, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(java -version 2>&1 | head -1))"
echo
cat gate-server/target/long-poll-bench.md
