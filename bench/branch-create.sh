#!/usr/bin/env bash
# New database branch against tier size on the postgres backend: a ready clone claimed from the pool, the backend
# with the pool off, CREATE DATABASE … TEMPLATE with STRATEGY WAL_LOG and FILE_COPY, and pg_dump | pg_restore, for
# tiers of each size given (built once with generate_series). Runs its own PostgreSQL (Debian's postgresql-15
# server, since pg_dump must not be older than the server: `apt-get install -y postgresql-15`) in a temp dir with
# fsync on, on loopback; removes it at the end. Needs disk for about 6 copies of the largest tier.
#   bench/branch-create.sh [--sizes "10 1024"] [--runs 3] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="10 1024"; runs=3; build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "branch-create.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries in $bin (apt-get install -y postgresql-15, or set PG_BIN)" >&2; exit 2; }
[ "$build" = 1 ] && mvn -B -q -DskipTests -pl state-schemas,core,gate-server -am package
jar="$(ls gate-server/target/tiergate-gate-server-*.jar | head -1)"
work="$(mktemp -d)"
chmod 755 "$work"
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
port="${PORT:-18095}"
cleanup() {
  run "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
run "$bin/initdb" -D "$work/data" -U postgres -A trust >/dev/null
run "$bin/pg_ctl" -D "$work/data" -l "$work/pg.log" -w -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work -c fsync=on -c synchronous_commit=on -c max_wal_size=4GB" start >/dev/null
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port, fsync on; $(nproc) cores; $(date -u +%FT%TZ)"
java -Xmx512m -cp "$jar:gate-server/target/lib/*" bench/probe/BranchProbe.java "$port" "$bin" "$runs" $sizes
