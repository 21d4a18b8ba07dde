#!/usr/bin/env bash
# Where a full-path pre-commit spends its time: bench/probe/HookSteps.java runs the hook's steps one after the other
# (git's answers about the index: staged changes, paths, one blob; Jackson's first tree, the policy, tiergate's
# state file with its JSON Schema, the kit's state file, the lint of one migration) in a fresh JVM with the install's
# class path, JVM flags and start-up cache, in a repository set up as bench/hooks-bench.sh sets up its full path. Prints the median of each step.
#   bench/hook-steps.sh [--runs N] [--tiergate PATH/TO/tiergate]     (builds and installs one when not given)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=10
TIERGATE=""
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --tiergate) TIERGATE=$2; shift 2 ;;
        *) echo "hook-steps.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tiergate-hook-steps.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [ -z "$TIERGATE" ]; then
    "$ROOT/install.sh" --prefix "$WORK/prefix" >&2
    TIERGATE=$WORK/prefix/bin/tiergate
fi
# the hooks' JVM line of the launcher: its java, flags and class path (the probe runs as the hook would)
line=$(grep -E "^exec '[^']*' -XX:TieredStop" "$TIERGATE")
java_bin=$(sed -n "s/^exec '\([^']*\)'.*/\1/p" <<<"$line")
lib=$(sed -n "s/^lib='\(.*\)'$/\1/p" "$TIERGATE")
flags=$(sed -n "s/^exec '[^']*' \(.*\) -Dtiergate.launcher=.*/\1/p" <<<"$line" | sed "s|\"\$lib|\"$lib|g; s|\$cache|hooks|g; s|\"||g")
cp=$(grep "dev.tiergate.hooks.Main" "$TIERGATE" | sed -n "s/.* -cp '\([^']*\)'.*/\1/p")
javac -d "$WORK/probe" -cp "$cp" "$ROOT/bench/probe/HookSteps.java"

export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_CONFIG_GLOBAL=$WORK/gitconfig PATH="$(dirname "$TIERGATE"):$PATH"
git config --file "$GIT_CONFIG_GLOBAL" init.defaultBranch main
repo=$WORK/repo
git init -q "$repo"
(
    cd "$repo"
    mkdir -p db/migration
    printf -- '-- refactoring: Introduce New Table\n-- phase: expand\nCREATE TABLE bench (id integer);\n' \
        >db/migration/V20250101000000__create_bench.sql
    echo "# bench" >README.md
    git add -A && git commit -q --no-verify -m initial
    tiergate init >/dev/null
    git branch -f staging HEAD
    tiergate claim bench >/dev/null
    bash "$ROOT/bench/lib/new-migration.sh" "$repo"
)
migration=$(cd "$repo" && git diff --cached --name-only -- db/migration | head -1)
echo "== $RUNS runs: $java_bin $flags" >&2
for _ in $(seq "$RUNS"); do
    # shellcheck disable=SC2086
    (cd "$repo" && "$java_bin" $flags -cp "$cp:$WORK/probe" HookSteps "$repo" "$repo/$migration")
done | python3 -c '
import sys, statistics, collections
steps = collections.OrderedDict()
for line in sys.stdin:
    for part in line.split():
        k, v = part.split("=")
        steps.setdefault(k, []).append(float(v))
print("| step | median ms | min | max |")
print("|---|---|---|---|")
for k, v in steps.items():
    print(f"| {k} | {statistics.median(v):.1f} | {min(v):.1f} | {max(v):.1f} |")
print(f"| all steps | {sum(statistics.median(v) for v in steps.values()):.1f} | | |")
'
