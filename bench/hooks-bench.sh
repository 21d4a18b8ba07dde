#!/usr/bin/env bash
# Measures the three figures of issue 3 and prints them as a Markdown table:
#   (a) fast path: median wall time of `git commit` of a one-line change to a non-database file, with
#       tiergate's hooks vs no hooks vs lefthook (one-command pre-commit), in the same run, and the floor
#       of any two hooks (empty pre-commit and commit-msg; the same plus one `git diff --cached`), and the
#       same commit in a repository of 5,000 files;
#   (b) full path: `git commit` adding one migration plus a state-file change: median hook overhead
#       (tiergate minus no hooks), with and without the AppCDS archive, and with the warm-up thread off;
#   (b') the same commit without the state-file change (most migration commits): its overhead;
#   (c) `tiergate check` over a repository with 1,000 migrations.
# When the install's hooks run on a JDK 17-24 (AppCDS) and a JDK 25+ is under /usr/lib/jvm, (b) is also measured in
# the same run through a second install whose hooks run on that JDK with its ahead-of-time cache (TIERGATE_HOOKS_JAVA).
#
# Usage: bench/hooks-bench.sh [--runs N] [--tiergate PATH/TO/tiergate] [--without-tiergate] [--keep]
#   --without-tiergate measures only the peers (no hooks, lefthook), e.g. before the hooks are built.
#   RUNS (default 30) timed runs per figure after WARMUP (default 3) untimed ones; CHECK_RUNS (default 10);
#   the (a) commits: FAST_RUNS (default 200) runs each, in FAST_ROUNDS (default 10) interleaved rounds.
# Needs: bash, git, a JDK and Maven (to build tiergate when --tiergate is not given), npm (for lefthook).
# Installs hyperfine with apt-get when it is missing and the script runs as root; otherwise times with a loop.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
CHECK_RUNS=${CHECK_RUNS:-10}
FAST_RUNS=${FAST_RUNS:-200}     # (a) commits take milliseconds: many runs, interleaved against drift
FAST_ROUNDS=${FAST_ROUNDS:-10}
TIERGATE=${TIERGATE:-}
KEEP=0
WITH_TIERGATE=1
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --tiergate) TIERGATE=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --without-tiergate) WITH_TIERGATE=0; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tiergate-bench.XXXXXX")
RESULTS=$WORK/results
mkdir -p "$RESULTS"
if [ "$KEEP" = 0 ]; then trap 'rm -rf "$WORK"' EXIT; else echo "keeping $WORK" >&2; fi
# shellcheck source=lib/timing.sh
. "$ROOT/bench/lib/timing.sh"
NEW_MIGRATION=$ROOT/bench/lib/new-migration.sh

export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_CONFIG_GLOBAL=$WORK/gitconfig   # no user hooks, templates or aliases leak into the figures
git config --file "$GIT_CONFIG_GLOBAL" init.defaultBranch main
git config --file "$GIT_CONFIG_GLOBAL" commit.gpgsign false

log() { echo "== $*" >&2; }

# ---------------------------------------------------------------- tools
find_or_install_hyperfine

if [ "$WITH_TIERGATE" = 1 ]; then
    if [ -z "$TIERGATE" ]; then
        log "building and installing tiergate into $WORK/prefix"
        "$ROOT/install.sh" --prefix "$WORK/prefix" >&2
        TIERGATE=$WORK/prefix/bin/tiergate
    fi
    [ -x "$TIERGATE" ] || { echo "tiergate command not found (give --tiergate PATH)" >&2; exit 3; }
    TIERGATE=$(cd "$(dirname "$TIERGATE")" && pwd)/$(basename "$TIERGATE")
    export PATH="$(dirname "$TIERGATE"):$PATH"
fi
NA="n/a"
# the second install: the same build, hooks on a JDK 25+ with its ahead-of-time cache (TIERGATE_HOOKS_JAVA), to
# compare with the first install's JDK (17-24, AppCDS) in the same run
TIERGATE_AOT=""
if [ "$WITH_TIERGATE" = 1 ] && ! grep -q 'hooks.aot' "$TIERGATE"; then
    jdk25=""
    for j in /usr/lib/jvm/*/bin/java; do
        m=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
        [ "${m:-0}" -ge 25 ] && jdk25=$j
    done
    if [ -n "$jdk25" ]; then
        log "installing a second tiergate whose hooks run on $jdk25 with an ahead-of-time cache, into $WORK/prefix-aot"
        TIERGATE_HOOKS_JAVA=$jdk25 "$ROOT/install.sh" --no-build --prefix "$WORK/prefix-aot" >&2
        TIERGATE_AOT=$WORK/prefix-aot/bin/tiergate
    fi
fi
HOOKS_JVM=$(sed -n "s/^exec '\([^']*\)' -XX:TieredStop.*/\1/p" "${TIERGATE:-/dev/null}" 2>/dev/null || true)
HOOKS_JVM_VERSION=$([ -n "$HOOKS_JVM" ] && "$HOOKS_JVM" -version 2>&1 | head -1 || echo "$NA")
HOOKS_CACHE=$(grep -q 'hooks.aot' "${TIERGATE:-/dev/null}" 2>/dev/null && echo "AOT cache" || echo "AppCDS")

log "installing lefthook (npm package lefthook-linux-x64) into $WORK/lefthook"
npm install --silent --no-audit --no-fund --prefix "$WORK/lefthook" lefthook-linux-x64 >&2
LEFTHOOK=$(ls "$WORK"/lefthook/node_modules/lefthook-linux-x64/bin/lefthook* | head -1)

# ---------------------------------------------------------------- repositories
# new_repo DIR [N]: a small repository; with N, also N ordinary files in folders of 50 (a real project's size)
new_repo() {
    local dir=$1 files=${2:-0}
    git init -q "$dir"
    (
        cd "$dir"
        local i
        for ((i = 0; i < files; i++)); do
            [ $((i % 50)) = 0 ] && mkdir -p "src/m$((i / 50))"
            echo "file $i" >"src/m$((i / 50))/f$i.txt"
        done
        echo "# bench" >README.md
        echo "notes" >notes.txt
        mkdir -p db/migration
        printf -- '-- refactoring: Introduce New Table\n-- phase: expand\nCREATE TABLE bench (id integer);\n' \
            >db/migration/V20250101000000__create_bench.sql
        git add -A
        git commit -q --no-verify -m "initial"
        git branch staging
    )
}

tiergate_repo() {
    local dir=$1
    new_repo "$dir" "${2:-0}"
    (
        cd "$dir"
        tiergate init >&2
        git add -A
        git commit -q --no-verify -m "tiergate policy" || true
        git push -q . HEAD:staging 2>/dev/null || git branch -f staging HEAD
        tiergate install >&2
        tiergate claim bench >&2
    )
}

log "creating repositories"
new_repo "$WORK/plain"
(cd "$WORK/plain" && git checkout -q -b feature/bench staging)
[ "$WITH_TIERGATE" = 1 ] && tiergate_repo "$WORK/tiergate"
[ -n "$TIERGATE_AOT" ] && PATH="$(dirname "$TIERGATE_AOT"):$PATH" tiergate_repo "$WORK/tiergate-aot"
# the same two at the size of a real project (5,000 files): what the hooks' fixed cost is worth there
new_repo "$WORK/plain-big" 5000
(cd "$WORK/plain-big" && git checkout -q -b feature/bench staging)
[ "$WITH_TIERGATE" = 1 ] && tiergate_repo "$WORK/tiergate-big" 5000
new_repo "$WORK/lefthook-repo"
(
    cd "$WORK/lefthook-repo"
    printf 'pre-commit:\n  commands:\n    x:\n      run: "true"\n' >lefthook.yml
    git add lefthook.yml && git commit -q -m "lefthook config"
    "$LEFTHOOK" install >/dev/null
    git checkout -q -b feature/bench
)

# The floor of any pair of hooks: git must start two processes whatever they do. One repository with empty POSIX sh
# pre-commit and commit-msg hooks, one whose pre-commit also asks git what is staged (what tiergate's shim must do).
floor_repo() {
    local dir=$1 body=$2
    new_repo "$dir"
    (
        cd "$dir"
        printf '#!/bin/sh\n%s\nexit 0\n' "$body" >.git/hooks/pre-commit
        printf '#!/bin/sh\nexit 0\n' >.git/hooks/commit-msg
        chmod +x .git/hooks/pre-commit .git/hooks/commit-msg
        git checkout -q -b feature/bench staging
    )
}
floor_repo "$WORK/floor-empty" ":"
floor_repo "$WORK/floor-diff" "git diff --cached --name-status --no-renames >/dev/null"

one_line_change() { echo "cd '$1' && echo \"line \$RANDOM\" >>notes.txt && git add notes.txt"; }
commit_cmd() { echo "cd '$1' && git commit -q -m 'bench commit'"; }

# Sanity: every set-up commits (a refusal would make the figures meaningless).
REPOS="plain lefthook-repo floor-empty floor-diff plain-big"
[ "$WITH_TIERGATE" = 1 ] && REPOS="$REPOS tiergate tiergate-big"
for r in $REPOS; do
    bash -c "$(one_line_change "$WORK/$r")" && bash -c "$(commit_cmd "$WORK/$r")" \
        || { echo "a plain commit fails in $r; fix the set-up" >&2; exit 3; }
done
if [ "$WITH_TIERGATE" = 1 ]; then
    for r in tiergate $([ -n "$TIERGATE_AOT" ] && echo tiergate-aot); do
        bash "$NEW_MIGRATION" "$WORK/$r" && bash -c "$(commit_cmd "$WORK/$r")" \
            || { echo "a migration commit is refused in the $r repository; fix the set-up" >&2; exit 3; }
    done
fi

# ---------------------------------------------------------------- (a) fast path
log "(a) fast path, $FAST_RUNS runs each, interleaved in $FAST_ROUNDS rounds"
FAST_SET=(none "$(one_line_change "$WORK/plain")" "$(commit_cmd "$WORK/plain")"
    lefthook "$(one_line_change "$WORK/lefthook-repo")" "$(commit_cmd "$WORK/lefthook-repo")"
    floor-empty "$(one_line_change "$WORK/floor-empty")" "$(commit_cmd "$WORK/floor-empty")"
    floor-diff "$(one_line_change "$WORK/floor-diff")" "$(commit_cmd "$WORK/floor-diff")"
    big-none "$(one_line_change "$WORK/plain-big")" "$(commit_cmd "$WORK/plain-big")")
if [ "$WITH_TIERGATE" = 1 ]; then
    FAST_SET+=(tiergate "$(one_line_change "$WORK/tiergate")" "$(commit_cmd "$WORK/tiergate")"
        big-tiergate "$(one_line_change "$WORK/tiergate-big")" "$(commit_cmd "$WORK/tiergate-big")")
fi
FAST_TG=$NA FAST_BIG_TG=$NA
while read -r label median; do
    case $label in
        none) FAST_NONE=$median ;;
        lefthook) FAST_LH=$median ;;
        floor-empty) FAST_FLOOR=$median ;;
        floor-diff) FAST_FLOOR_DIFF=$median ;;
        big-none) FAST_BIG_NONE=$median ;;
        tiergate) FAST_TG=$median ;;
        big-tiergate) FAST_BIG_TG=$median ;;
    esac
done < <(RUNS=$FAST_RUNS measure_interleaved "$FAST_ROUNDS" "${FAST_SET[@]}")

# ---------------------------------------------------------------- (b) full path
# AppCDS is switched off by moving the archive(s) the installer made out of the way; the launcher then runs
# the JVM without them (see install.sh).
# the launcher names its library folder on the line lib='...'; the archive is <lib>/hooks.jsa
TG_LIB=$(sed -n "s/^lib='\(.*\)'$/\1/p" "${TIERGATE:-/dev/null}" 2>/dev/null || true)
cds_archives() { [ -n "$TG_LIB" ] && find "$TG_LIB" -maxdepth 1 \( -name '*.jsa' -o -name '*.aot' \) 2>/dev/null | sort -u; }
cds_off() { cds_archives | while read -r f; do mv "$f" "$f.off"; done; }
cds_on() { [ -n "$TG_LIB" ] && find "$TG_LIB" -maxdepth 1 \( -name '*.jsa.off' -o -name '*.aot.off' \) | while read -r f; do mv "$f" "${f%.off}"; done; }
log "(b) full path, $RUNS runs each"
FULL_NONE=$(measure full-none "bash '$NEW_MIGRATION' '$WORK/plain'" "$(commit_cmd "$WORK/plain")")
FULL_TG=$NA FULL_TG_AOT=$NA FULL_TG_NOCDS=$NA FULL_TG_NOWARM=$NA CDS_FILES=0 CHECK=$NA MIG_NONE=$NA MIG_TG=$NA MIG_TG_AOT=$NA
if [ "$WITH_TIERGATE" = 1 ]; then
    FULL_TG=$(measure full-tiergate-aot "bash '$NEW_MIGRATION' '$WORK/tiergate'" "$(commit_cmd "$WORK/tiergate")")
    if [ -n "$TIERGATE_AOT" ]; then
        FULL_TG_AOT=$(measure full-tiergate-jdk25-aot "bash '$NEW_MIGRATION' '$WORK/tiergate-aot'" "$(commit_cmd "$WORK/tiergate-aot")")
    fi
    # the same commit without the kit's state file: the common case, where no JSON Schema validator is started
    MIG_NONE=$(measure mig-none "bash '$NEW_MIGRATION' '$WORK/plain' --migration-only" "$(commit_cmd "$WORK/plain")")
    MIG_TG=$(measure mig-tiergate "bash '$NEW_MIGRATION' '$WORK/tiergate' --migration-only" "$(commit_cmd "$WORK/tiergate")")
    if [ -n "$TIERGATE_AOT" ]; then
        MIG_TG_AOT=$(measure mig-tiergate-jdk25-aot "bash '$NEW_MIGRATION' '$WORK/tiergate-aot' --migration-only" "$(commit_cmd "$WORK/tiergate-aot")")
    fi
    CDS_FILES=$(cds_archives | wc -l)
    # the warm-up thread (hooks/.../HookWarmup.java) switched off through the JVM's standard options variable
    FULL_TG_NOWARM=$(measure full-tiergate-nowarm "bash '$NEW_MIGRATION' '$WORK/tiergate'" \
        "cd '$WORK/tiergate' && JAVA_TOOL_OPTIONS=-Dtiergate.warmup=false git commit -q -m 'bench commit' 2>/dev/null")
    cds_off
    FULL_TG_NOCDS=$(measure full-tiergate-nocds "bash '$NEW_MIGRATION' '$WORK/tiergate'" "$(commit_cmd "$WORK/tiergate")")
    cds_on

    log "(c) tiergate check over 1,000 migrations, $CHECK_RUNS runs"
    MANY=$WORK/many
    tiergate_repo "$MANY"
    (
        cd "$MANY"
        for n in $(seq 1 1000); do
            v=$(date -u -d "2026-02-01 00:00:00 UTC + $n minutes" +%Y%m%d%H%M%S)
            # lint-clean, as in new-migration.sh: the figure is the rules', not the printing of 2,000 warnings
            printf -- "-- refactoring: Add Column\n-- phase: expand\nSET lock_timeout = '2s';\nALTER TABLE bench ADD COLUMN IF NOT EXISTS m%d integer;\n" "$n" \
                >"db/migration/V${v}__add_m${n}.sql"
        done
        git add db/migration
        # One commit through the hooks, so the ledger and trailers are what a real team would have.
        git commit -q -m "1,000 migrations" >&2
    )
    CHECK=$(RUNS=$CHECK_RUNS measure check-1000 "true" "cd '$MANY' && tiergate check --base staging")
fi

# ---------------------------------------------------------------- report
ratio() { [ "$1" = "$NA" ] && echo "$NA" || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
ms() { [ "$1" = "$NA" ] && echo "$NA" || echo "$1 ms"; }
minus() { [ "$1" = "$NA" ] && echo "$NA" || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
cat <<REPORT

### tiergate hook benchmarks

Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(git --version), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)
Hooks' JVM: $HOOKS_JVM_VERSION with its $HOOKS_CACHE$([ -n "$TIERGATE_AOT" ] && echo "; second install: $("$jdk25" -version 2>&1 | head -1) with its AOT cache")
Timer: $([ -n "$HYPERFINE" ] && "$HYPERFINE" --version || echo "plain loop (date +%s%N)"); $RUNS runs after $WARMUP warm-up runs (check: $CHECK_RUNS runs; (a): $FAST_RUNS runs in $FAST_ROUNDS interleaved rounds)
Command: bench/hooks-bench.sh --runs $RUNS$([ "$WITH_TIERGATE" = 1 ] || echo " --without-tiergate")

| figure | median | vs no hooks |
|---|---|---|
| (a) commit, one-line change to notes.txt, no hooks | $(ms "$FAST_NONE") | 1.00x |
| (a) same, tiergate hooks | $(ms "$FAST_TG") | $(ratio "$FAST_TG" "$FAST_NONE") |
| (a) same, lefthook (one-command pre-commit) | $(ms "$FAST_LH") | $(ratio "$FAST_LH" "$FAST_NONE") |
| (a) floor: two empty sh hooks (pre-commit, commit-msg) | $(ms "$FAST_FLOOR") | $(ratio "$FAST_FLOOR" "$FAST_NONE") |
| (a) floor: same, pre-commit also runs git diff --cached | $(ms "$FAST_FLOOR_DIFF") | $(ratio "$FAST_FLOOR_DIFF" "$FAST_NONE") |
| (a) 5,000-file repository, no hooks | $(ms "$FAST_BIG_NONE") | 1.00x |
| (a) 5,000-file repository, tiergate hooks | $(ms "$FAST_BIG_TG") | $(ratio "$FAST_BIG_TG" "$FAST_BIG_NONE") |
| (b) commit adding a migration + state-file change, no hooks | $(ms "$FULL_NONE") | |
| (b) same, tiergate hooks with the $HOOKS_CACHE ($CDS_FILES file(s)) | $(ms "$FULL_TG") | overhead $(ms "$(minus "$FULL_TG" "$FULL_NONE")") |
| (b) same, second install: hooks on JDK 25+ with its AOT cache | $(ms "$FULL_TG_AOT") | overhead $(ms "$(minus "$FULL_TG_AOT" "$FULL_NONE")") |
| (b) same, tiergate hooks with the $HOOKS_CACHE, warm-up thread off | $(ms "$FULL_TG_NOWARM") | overhead $(ms "$(minus "$FULL_TG_NOWARM" "$FULL_NONE")") |
| (b) same, tiergate hooks without a start-up cache | $(ms "$FULL_TG_NOCDS") | overhead $(ms "$(minus "$FULL_TG_NOCDS" "$FULL_NONE")") |
| (b') commit adding a migration only (no state-file change), no hooks | $(ms "$MIG_NONE") | |
| (b') same, tiergate hooks with the $HOOKS_CACHE | $(ms "$MIG_TG") | overhead $(ms "$(minus "$MIG_TG" "$MIG_NONE")") |
| (b') same, second install: hooks on JDK 25+ with its AOT cache | $(ms "$MIG_TG_AOT") | overhead $(ms "$(minus "$MIG_TG_AOT" "$MIG_NONE")") |
| (c) tiergate check --base staging, 1,000 migrations | $(ms "$CHECK") | |
REPORT
