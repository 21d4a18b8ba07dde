#!/usr/bin/env bash
# kill -9 of `tiergate server` (embedded store) in the middle of a stream of signed deliveries, then a restart:
# the restart must work the first time, and every delivery answered 202 must be in the audit trail exactly once.
#   bench/crash-restart.sh [--rounds 3] [--deliveries 300] [--no-build]
# Needs a JDK 17+, Maven (unless --no-build), curl, openssl. Prints one line per round and exits 1 on a loss.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3; deliveries=300; build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --deliveries) deliveries="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "crash-restart.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ "$build" = 1 ] && mvn -B -q -DskipTests -pl gate-server -am package
jar="$(ls gate-server/target/tiergate-gate-server-*.jar | head -1)"
cp="$jar:gate-server/target/lib/*"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; then wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export TIERGATE_HOME="$work/home" TIERGATE_GITHUB_WEBHOOK_SECRET_FILE="$work/secret"
head -c 24 /dev/urandom | base64 > "$work/secret"
secret="$(cat "$work/secret")"
port="${PORT:-18089}"

start() { # sets server_pid and start_ms (not in a subshell: the caller needs the pid)
  local t0; t0=$(date +%s%N)
  java -Xmx512m -cp "$cp" dev.tiergate.server.cli.ServerMain server --port "$port" >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      start_ms=$(( ($(date +%s%N) - t0) / 1000000 )); return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "server exited: $(tail -5 "$work/server.log")" >&2; return 1; }
    sleep 0.1
  done
  echo "server did not answer /healthz within 60 s" >&2; return 1
}

send() { # id -> HTTP status
  local body="{\"zen\":\"crash $1\",\"hook_id\":1}"
  local sig; sig="sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.*= //')"
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "http://127.0.0.1:$port/webhooks/github" \
    -H 'Content-Type: application/json' -H 'X-GitHub-Event: ping' -H "X-GitHub-Delivery: $1" \
    -H "X-Hub-Signature-256: $sig" --data-binary "$body" || true
}

: > "$work/acked"
start; echo "first start: ${start_ms} ms"
lost_total=0
for r in $(seq 1 "$rounds"); do
  for i in $(seq 1 "$deliveries"); do
    id="r$r-$i"
    [ "$(send "$id")" = 202 ] && echo "$id" >> "$work/acked"
    if [ "$i" = $((deliveries / 2)) ]; then   # kill -9 mid-stream; the rest are refused until the restart
      kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
      start || { echo "round $r: restart after kill -9 FAILED"; exit 1; }; restart_ms=$start_ms
    fi
  done
  java -cp "$cp" dev.tiergate.server.cli.ServerMain audit export --out "$work/audit.jsonl" 2>/dev/null
  lost=0; doubled=0
  while read -r id; do
    n=$(grep -c "\"subject\":\"github:$id\"" "$work/audit.jsonl" || true)
    [ "$n" = 0 ] && lost=$((lost + 1)); [ "$n" -gt 1 ] && doubled=$((doubled + 1))
  done < <(grep "^r$r-" "$work/acked")
  verify="$(java -cp "$cp" dev.tiergate.server.cli.ServerMain audit verify 2>/dev/null | grep "audit trail" || echo "audit verify failed")"
  echo "round $r: restart after kill -9 in ${restart_ms} ms; acknowledged $(grep -c "^r$r-" "$work/acked")/$deliveries;" \
       "lost $lost, doubled $doubled; $verify"
  lost_total=$((lost_total + lost + doubled))
done
[ "$lost_total" = 0 ] || { echo "LOST OR DOUBLED: $lost_total"; exit 1; }
echo "nothing acknowledged was lost"
