#!/usr/bin/env bash
# Ack latency against offered load: `tiergate server` on its embedded store (fsync and synchronous_commit on) in a
# fresh TIERGATE_HOME, and bench/load/LoadGen.java sending signed `star` deliveries (stored, audited, then ignored
# by the workers) at each offered rate in turn, open loop, loopback only. Client and server share the machine.
#   bench/ack-latency.sh [--rates "100 300 600 1000 1500 2000"] [--seconds 10] [--warmup 2] [--no-build] [--plot docs/ack-latency.png]
# Prints a Markdown table (latency from each request's planned moment to its answer) and, with gnuplot, a PNG.
set -euo pipefail
cd "$(dirname "$0")/.."
rates="100 300 600 1000 1500 2000"; seconds=10; warmup=2; build=1; plot=""; jvm="-Xmx512m"
while [ $# -gt 0 ]; do
  case "$1" in
    --rates) rates="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --plot) plot="$2"; shift 2 ;;
    *) echo "ack-latency.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ "$build" = 1 ] && mvn -B -q -DskipTests -pl state-schemas,core,gate-server -am package
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
head -c 24 /dev/urandom | base64 | tr -d '\n' > "$work/secret"
TIERGATE_API_TOKEN="$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')" # /metrics needs it
export TIERGATE_API_TOKEN
port="${PORT:-18090}"
java $jvm -cp "$cp" dev.tiergate.server.cli.ServerMain server --port "$port" >>"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "server exited: $(tail -5 "$work/server.log")" >&2; exit 1; }
  sleep 0.1
done
echo "| offered/s | achieved/s | sent | 2xx | non-2xx | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
: > "$work/data"
for rate in $rates; do
  line="$(java -Xmx256m bench/load/LoadGen.java --url "http://127.0.0.1:$port/webhooks/github" --secret "$(cat "$work/secret")" \
          --rate "$rate" --seconds "$seconds" --warmup "$warmup" --prefix "r$rate" ${LOADGEN_ARGS:-})"
  echo "$line" >> "$work/data"
  echo "$line" | awk '{printf "| %d | %d | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |\n", $1,$2,$3,$4,$5,$6,$7/1000,$8/1000,$9/1000,$10/1000,$11/1000}'
  [ "$rate" = "${rates##* }" ] && break   # the last rate: nothing follows it
  # let the workers drain what this rate left so the next rate starts from an empty inbox (bounded: 120 s)
  for _ in $(seq 1 1200); do
    depth="$(curl -fsS -H "Authorization: Bearer $TIERGATE_API_TOKEN" "http://127.0.0.1:$port/metrics" | awk '/^tiergate_inbox_depth /{print $2}')"
    [ "${depth%.*}" = 0 ] && break
    sleep 0.1
  done
done
if [ -n "$plot" ]; then
  cp "$work/data" "${plot%.png}.dat"   # offered achieved sent 2xx non-2xx errors, then p50 p90 p99 p99.9 max in µs
  bench/lib/plot-ack-latency.sh "${plot%.png}.dat" "$plot"
fi
