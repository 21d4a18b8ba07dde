#!/usr/bin/env bash
# Stages one new expand-phase migration with a fresh, increasing version, plus a change to the Lakebase kit's
# state file (not with --migration-only as $2), in the repository given as $1. The migration is one the SQL lint passes without a finding (what a
# team that follows it writes), so the figure is the engine's, not the printing of warnings. The counter lives in the repository's .git so runs never collide.
set -euo pipefail
repo=$1
cd "$repo"
counter_file=$(git rev-parse --git-dir)/bench-counter
n=$(( $(cat "$counter_file" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$counter_file"
version=$(date -u -d "2026-01-01 00:00:00 UTC + $n seconds" +%Y%m%d%H%M%S)
mkdir -p db/migration
file="db/migration/V${version}__bench_add_c${n}.sql"
cat >"$file" <<SQL
-- refactoring: Add Column
-- phase: expand
SET lock_timeout = '2s';
ALTER TABLE bench ADD COLUMN IF NOT EXISTS c${n} integer;
SQL
if [ "${2:-}" = "--migration-only" ]; then
  git add "$file"
  exit 0
fi
branch=$(git symbolic-ref --short HEAD)
mkdir -p .lakebase
cat >.lakebase/workflow-state.json <<JSON
{
  "version": 1,
  "state": "feature-claimed",
  "tier_topology": 2,
  "project_id": "bench",
  "feature_id": "bench",
  "branch": "${branch}",
  "parent_branch": "staging",
  "lakebase_branch_uid": "br-bench-${n}",
  "claimed_at": "2026-01-01T00:00:00Z"
}
JSON
git add "$file" .lakebase/workflow-state.json
