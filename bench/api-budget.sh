#!/usr/bin/env bash
# Forge API calls per delivery (by event) and per idle reconcile pass, on GitHub and GitLab, counted by the test
# stand-ins that behave like the forges (status echo webhooks, ETags/304s, pipelines that fold statuses in).
# Runs the two budget tests and prints the tables they write to gate-server/target/. Loopback only.
#   bench/api-budget.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/fetch-webhook-examples >/dev/null
mvn -B -q -pl state-schemas,core,gate-server -am test \
  -Dtest='GateSettlesOnGitHubTest#apiBudget,GateSettlesOnGitLabTest#apiBudget' -Dsurefire.failIfNoSpecifiedTests=false >/dev/null
echo "# forge API budget ($(date -u +%F), $(nproc) cores, $(java -version 2>&1 | head -1))"
echo
cat gate-server/target/api-budget-github.md
echo
cat gate-server/target/api-budget-gitlab.md
