#!/usr/bin/env bash
# Issue 12's "from delivery to commit status posted (stand-in forge)": a real server (ServerHarness, its store and
# the postgres backend in the embedded PostgreSQL, the server's default settings) and the GitHub stand-in; signed
# push / pull_request synchronize / CI status deliveries sent open loop at each rate over many PRs (DeliveryToStatusBench).
#   bench/delivery-to-status.sh [RATES] [SECONDS] [PRS] [MIX]   defaults: 5,10,25,50,100 10 100 commits
# MIX commits: pushes of new commits, their synchronize and CI's success, a third each; checks: only CI statuses that
# flip the verdict on the PRs' heads (no new commit, so no database branch is copied); actions: what GitHub sends when
# CI runs on GitHub Actions, one new commit in 19 deliveries (push, synchronize, check_run created and completed for
# 8 jobs, check_suite completed; JOBS=N changes the 8).
# MVN_ARGS=-o runs Maven offline. Prints a Markdown table; latency is from each delivery's planned moment to the stand-in recording the status.
set -euo pipefail
cd "$(dirname "$0")/.."
rates="${1:-5,10,25,50,100}"; seconds="${2:-10}"; prs="${3:-100}"; mix="${4:-commits}"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -q ${MVN_ARGS:-} -pl state-schemas,core,gate-server -am test -Dtest=DeliveryToStatusBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dtiergate.bench.rates=$rates -Dtiergate.bench.seconds=$seconds -Dtiergate.bench.prs=$prs -Dtiergate.bench.mix=$mix -Dtiergate.bench.jobs=${JOBS:-8}" >/dev/null
echo "# delivery → commit status ($(date -u +%FT%TZ), $(nproc) cores, $(java -version 2>&1 | head -1)," \
     "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg); $prs PRs, $seconds s per rate, mix $mix)"
echo
cat gate-server/target/delivery-to-status.md
