#!/usr/bin/env bash
# Issue 12: SIGKILL of `tiergate server` (embedded store) three times at random moments under a realistic stream of
# signed GitHub deliveries (pushes over 200 branches; 50 PRs opened, synchronized, marked ready, merged or closed; CI
# statuses and check runs; approvals), against a stand-in GitHub that knows those branches and PRs. The same seed is
# run twice, without kills and with them; after each run settles (workers drained, two reconcile passes) it checks:
#   - every delivery answered 2xx is in the inbox as done with exactly one audit record;
#   - no half-made database branch: each live record's database exists, no tg_* database or login without a record;
#   - the branch records (state, head, database, verdict) and the last tiergate status on each open PR's head are
#     those of the run without kills.
# Deliveries the dead server refused are not sent again (GitHub does not redeliver by itself): the reconciler repairs.
#   bench/crash-mix.sh [--seed N] [--deliveries 5000] [--branches 200] [--prs 50] [--rate 40] [--kills 3] [--quick] [--no-build]
# --quick: 800 deliveries over 40 branches and 10 PRs. Needs a JDK 17+ and Maven (the build writes the test class path).
# Prints a summary and exits 1 on any mismatch. KEEP=1 keeps the runs' files (logs, stores, outputs) and says where.
set -euo pipefail
cd "$(dirname "$0")/.."
seed="$(( $(date +%s) % 100000 ))"; deliveries=5000; branches=200; prs=50; rate=40; kills=3; build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --deliveries) deliveries="$2"; shift 2 ;;
    --branches) branches="$2"; shift 2 ;;
    --prs) prs="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --kills) kills="$2"; shift 2 ;;
    --quick) deliveries=800; branches=40; prs=10; shift ;;
    --no-build) build=0; shift ;;
    *) echo "crash-mix.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
cpfile=gate-server/target/crash-mix.classpath
if [ "$build" = 1 ]; then
  mvn -B -q -Dstyle.color=never -DskipTests -pl state-schemas,core,gate-server -am package dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cpfile" >/dev/null
fi
[ -f "$cpfile" ] || { echo "crash-mix.sh: no $cpfile; run once without --no-build" >&2; exit 2; }
jar="$(ls gate-server/target/tiergate-gate-server-*.jar | head -1)"
server_cp="$jar:gate-server/target/lib/*"
driver_cp="gate-server/target/test-classes:gate-server/target/classes:$(cat "$cpfile")"
work="$(mktemp -d)"
cleanup() { # every process a run started (their pids are in the runs' *.pid files), then the runs' files
  for f in "$work"/*/*.pid; do
    [ -f "$f" ] || continue
    p="$(cat "$f")"; if kill "$p" 2>/dev/null; then wait "$p" 2>/dev/null || true; fi
  done
  for f in "$work"/*/home/pg/data/postmaster.pid "$work"/*/home/branch-pg/data/postmaster.pid; do # an embedded PostgreSQL a killed server left running
    [ -f "$f" ] && kill "$(head -1 "$f")" 2>/dev/null || true
  done
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
port="${PORT:-18091}"
head -c 24 /dev/urandom | base64 | tr -d '\n' > "$work/secret"
# /metrics needs the API token; the server and the driver (which reads /metrics and /api/v1) both get it
TIERGATE_API_TOKEN="$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')"
export TIERGATE_API_TOKEN
echo "crash-mix: seed $seed, $deliveries deliveries over $branches branches and $prs PRs at $rate/s, $kills kill(s); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

start_server() { # $1 = run dir, $2 = port; sets server_pid (not in a subshell) and writes it to $1/server.pid
  TIERGATE_HOME="$1/home" TIERGATE_GITHUB_WEBHOOK_SECRET_FILE="$work/secret" TIERGATE_GITHUB_TOKEN=stand-in \
  TIERGATE_GITHUB_API_URL="$(cat "$1/forge-url")" TIERGATE_RECONCILE_SECONDS=10 TIERGATE_RETRY_BASE_MS=200 \
    java -Xmx512m -cp "$server_cp" dev.tiergate.server.cli.ServerMain server --port "$2" >>"$1/server.log" 2>&1 &
  server_pid=$!
  echo "$server_pid" > "$1/server.pid"
}

progress() { local p; p="$(cat "$1/progress" 2>/dev/null || true)"; echo "${p:-0}"; }

run() { # $1 = name, $2 = kills, $3 = port; writes $work/$1/{summary,branches,...}.txt, or $work/$1/failed
  local dir="$work/$1" t0 killed=0 server_pid driver_pid
  mkdir -p "$dir"
  t0=$(date +%s)
  java -Xmx384m -cp "$driver_cp" dev.tiergate.server.bench.CrashMix --seed "$seed" --deliveries "$deliveries" \
    --branches "$branches" --prs "$prs" --rate "$rate" --server "http://127.0.0.1:$3" --secret-file "$work/secret" \
    --home "$dir/home" --out "$dir" >"$dir/driver.log" 2>&1 &
  driver_pid=$!
  echo "$driver_pid" > "$dir/driver.pid"
  for _ in $(seq 1 300); do [ -s "$dir/forge-url" ] && break; sleep 0.1; done
  [ -s "$dir/forge-url" ] || { echo "the stand-in forge did not start: $(tail -5 "$dir/driver.log")" > "$dir/failed"; return; }
  start_server "$dir" "$3"
  # kill points: $2 delivery counts drawn from the seed in the middle 80 % of the stream, each plus 0-999 ms
  RANDOM=$seed  # drawn in this shell: a subshell would reseed RANDOM, and the points would not follow the seed
  local points="" _
  for _ in $(seq 1 "$2"); do points+="$(( deliveries / 10 + (RANDOM * 32768 + RANDOM) % (deliveries * 8 / 10) )) "; done
  points="$(tr ' ' '\n' <<<"$points" | sort -n)"
  for at in $points; do
    while [ "$(progress "$dir")" -lt "$at" ]; do
      kill -0 "$driver_pid" 2>/dev/null || break 2
      sleep 0.05
    done
    sleep "0.$(printf '%03d' $((RANDOM % 1000)))"
    kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
    killed=$((killed + 1))
    echo "  $1: SIGKILL $killed after delivery $(progress "$dir")" >> "$dir/kills.txt"
    start_server "$dir" "$3"
  done
  local rc=0; wait "$driver_pid" || rc=$?
  if [ "$rc" != 0 ]; then { echo "$1: the driver failed: $(tail -5 "$dir/driver.log")"; tail -5 "$dir/server.log"; } > "$dir/failed"; return; fi
  TIERGATE_HOME="$dir/home" java -cp "$server_cp" dev.tiergate.server.cli.ServerMain audit verify >"$dir/verify.txt" 2>&1 || true
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  echo "kills=$killed" >> "$dir/summary.txt"
  echo "wall_seconds=$(( $(date +%s) - t0 ))" >> "$dir/summary.txt"
  echo "audit_verify=$(grep -m1 'audit trail' "$dir/verify.txt" || echo "failed: $(tail -1 "$dir/verify.txt")")" >> "$dir/summary.txt"
}

# both runs at once (each its own stand-in, server and store): what is compared does not depend on timing
run calm 0 "$port" &
run killed "$kills" "$((port + 1))" &
wait
for r in calm killed; do
  if [ -f "$work/$r/failed" ]; then cat "$work/$r/failed" >&2; exit 1; fi
  echo "$r:"; sed 's/^/  /' "$work/$r/summary.txt"
done
cat "$work/killed/kills.txt" 2>/dev/null || true

v() { grep "^$2=" "$work/$1/summary.txt" | cut -d= -f2-; }
mismatches=0
for f in branches statuses-heads databases; do
  if ! diff -q "$work/calm/$f.txt" "$work/killed/$f.txt" >/dev/null; then
    n=$(diff "$work/calm/$f.txt" "$work/killed/$f.txt" | grep -c '^[<>]' || true)
    echo "MISMATCH $f.txt ($n lines differ; < without kills, > with kills):"
    { diff "$work/calm/$f.txt" "$work/killed/$f.txt" || true; } | grep '^[<>]' | head -20 || true
    mismatches=$((mismatches + n))
  fi
done
for r in calm killed; do
  for k in audit_lost audit_doubled not_done records_missing_db; do
    [ "$(v $r $k)" = 0 ] || { echo "MISMATCH $r: $k=$(v $r $k)"; head -5 "$work/$r/problems.txt"; mismatches=$((mismatches + 1)); }
  done
  [ "$(v $r orphans)" = 0 ] || { echo "MISMATCH $r: orphans=$(v $r orphans)"; mismatches=$((mismatches + 1)); }
  case "$(v $r audit_verify)" in *intact*) ;; *) echo "MISMATCH $r: audit verify: $(v $r audit_verify)"; mismatches=$((mismatches + 1)) ;; esac
done
other=$({ diff "$work/calm/statuses-other.txt" "$work/killed/statuses-other.txt" || true; } | grep -c '^>' || true)
echo "summary: seed $seed; sent $(v killed sent), 2xx $(v killed acknowledged), answers $(v killed answers); kills $(v killed kills);" \
     "processed again after a kill $(v killed processed_again_after_kill); branch records $(v killed branch_records), open PRs $(v killed open_prs);" \
     "statuses posted twice in a row $(v calm status_posted_twice_in_a_row)/$(v killed status_posted_twice_in_a_row);" \
     "last status differs on $other superseded SHA(s) (timing, not counted); mismatches $mismatches"
[ "$mismatches" = 0 ] || { echo "FAILED (repeat with --seed $seed)"; exit 1; }
echo "OK: the killed run ended where the calm one did"
