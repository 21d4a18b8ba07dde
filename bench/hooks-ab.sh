#!/usr/bin/env bash
# A/B of the full-path hook overhead between tiergate installs (or launcher variants), interleaved: each round commits
# once in a repository without hooks and once per install, so a machine that drifts moves every column alike
# (bench/hooks-bench.sh times each figure in a block of its own). Prints the median overhead per install.
#   bench/hooks-ab.sh [--mode mig|full] [--runs N] NAME=/path/to/bin/tiergate ...
#   --mode mig (default): a commit adding one migration (hooks-bench's (b')); full: plus a kit state-file change ((b)).
# Each install gets its own repository, set up as hooks-bench sets one up, with that install's hooks.
# Needs bash, git, python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODE=mig RUNS=25
while [ $# -gt 0 ]; do
    case $1 in
        --mode) MODE=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        *=*) break ;;
        *) echo "hooks-ab.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: bench/hooks-ab.sh [--mode mig|full] [--runs N] NAME=/path/to/bin/tiergate ..." >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tiergate-hooks-ab.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
new_repo() {
    git init -q "$1"
    (
        cd "$1"
        echo "# bench" >README.md
        mkdir -p db/migration
        printf -- '-- refactoring: Introduce New Table\n-- phase: expand\nCREATE TABLE bench (id integer);\n' \
            >db/migration/V20250101000000__create_bench.sql
        git add -A && git commit -q --no-verify -m initial && git branch staging
    )
}
new_repo "$WORK/plain"
(cd "$WORK/plain" && git checkout -q -b feature/bench staging)
names=()
for spec in "$@"; do
    name=${spec%%=*} launcher=${spec#*=}
    [ -x "$launcher" ] || { echo "hooks-ab.sh: $launcher is not executable" >&2; exit 2; }
    new_repo "$WORK/$name"
    (
        cd "$WORK/$name"
        "$launcher" init >/dev/null
        git add -A && { git commit -q --no-verify -m "tiergate policy" >/dev/null || true; }
        git branch -f staging HEAD
        "$launcher" install >/dev/null
        "$launcher" claim bench >/dev/null
    )
    names+=("$name")
done
python3 - "$ROOT/bench/lib/new-migration.sh" "$WORK" "$MODE" "$RUNS" "${names[@]}" <<'PY'
import statistics, subprocess, sys, time
new_migration, work, mode, runs, names = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
extra = ["--migration-only"] if mode == "mig" else []
def commit(repo):
    subprocess.run(["bash", new_migration, f"{work}/{repo}"] + extra, check=True)
    t = time.perf_counter()
    subprocess.run(["git", "-C", f"{work}/{repo}", "commit", "-q", "-m", "bench commit"], check=True)
    return (time.perf_counter() - t) * 1000
times = {r: [] for r in ["plain"] + names}
for i in range(runs + 3):  # three warm-up rounds
    for r in times:
        ms = commit(r)
        if i >= 3:
            times[r].append(ms)
none = statistics.median(times["plain"])
print(f"# hooks-ab: mode {mode}, {runs} interleaved rounds; no hooks: {none:.1f} ms")
for r in names:
    m = statistics.median(times[r])
    print(f"{r}: {m:.1f} ms, overhead {m - none:.1f} ms")
PY
