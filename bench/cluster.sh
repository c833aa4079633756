#!/usr/bin/env bash
# The store backends side by side, in one run: one node on SQLite, one
# node on PostgreSQL, and two nodes sharing that PostgreSQL database (the
# load split between them), driven by kmip-bench. Prints ops/s and p99
# (README, "Several nodes on PostgreSQL").
#
#   bench/cluster.sh [SECONDS] [CREATE_CONNECTIONS] [GET_CONNECTIONS]   (defaults 8, 32, 8)
#
# Needs Debian's postgresql package (initdb and pg_ctl under
# /usr/lib/postgresql); starts a throwaway cluster with PostgreSQL's own
# defaults (fsync on, synchronous_commit on), as the postgres user when run
# as root. Everything runs on this machine: on 2 cores, two nodes share the
# CPU with PostgreSQL and the load generators, so compare within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
create_conns=${2:-32}
get_conns=${3:-8}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed: apt-get install postgresql" >&2; exit 1; }
cargo build --release --quiet -p kmip-server -p kmip-client
work=$(mktemp -d /tmp/kmip-cluster.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$work"
  as_owner=(runuser -u postgres --)
fi
cleanup() {
  kill $(cat "$work/pids" 2>/dev/null) 2>/dev/null || true
  "${as_owner[@]}" "$bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"${as_owner[@]}" "$bin/initdb" -D "$work/pg" -U kmip -A trust -E UTF8 --locale=C >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$work/pg" -w -l "$work/pg.log" \
  -o "-c listen_addresses='' -k $work -c max_connections=200" start >/dev/null
url="postgres://kmip@${work//\//%2F}/postgres"

# Starts `kmip-server serve` on data directory $1 (more env after it); prints its port.
start() {
  local dir=$1; shift
  env "$@" KMIP_DATA_DIR="$dir" KMIP_LISTEN=127.0.0.1:0 KMIP_METRICS_LISTEN= RUST_LOG=warn \
    target/release/kmip-server serve > "$dir.out" 2>&1 &
  echo $! >> "$work/pids"
  for _ in $(seq 100); do grep -q "listening on" "$dir.out" 2>/dev/null && break; sleep 0.1; done
  sed -n 's/^KMIP server listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$dir.out"
}
sqlite=$(start "$work/sqlite")
KMIP_DATA_DIR="$work/a" KMIP_STORE="$url" KMIP_NODE_NAME=a RUST_LOG=warn target/release/kmip-server init >/dev/null
mkdir -m 700 "$work/b" && cp -p "$work/a/kek.key" "$work/b/"
node_a=$(start "$work/a" KMIP_STORE="$url" KMIP_NODE_NAME=a)
node_b=$(start "$work/b" KMIP_STORE="$url" KMIP_NODE_NAME=b)
for p in "$sqlite" "$node_a" "$node_b"; do [ -n "$p" ] || { cat "$work"/*.out; exit 1; }; done

# kmip-bench against port $1 with $2 connections, credentials of data dir $3; one JSON line.
bench() {
  target/release/kmip-bench --bundle "$3/clients/default/admin" --server "127.0.0.1:$1" --server-name localhost \
    --connections "$2" --duration "$secs" --warmup 1 --json "${@:4}" 2>/dev/null | tail -1
}
printf '%-22s %12s %10s %10s\n' scenario setup "ops/s" "p99 ms"
row() {
  python3 - "$@" <<'PY'
import json, sys
name, setup, *runs = sys.argv[1:]
runs = [json.loads(r) for r in runs]
ops = sum(r["ops_per_s"] for r in runs)
p99 = max(r["latency_us"]["p99"] for r in runs) / 1000
errors = sum(r["errors"] for r in runs)
print(f"{name:<22} {setup:>12} {ops:>10.0f} {p99:>10.2f}" + (f"  ({errors} errors)" if errors else ""))
PY
}
scenario() {
  local name=$1 conns=$2; shift 2
  row "$name" "sqlite x1" "$(bench "$sqlite" "$conns" "$work/sqlite" "$@")"
  row "$name" "postgres x1" "$(bench "$node_a" "$conns" "$work/a" "$@")"
  local half=$(( conns / 2 > 0 ? conns / 2 : 1 ))
  bench "$node_a" "$half" "$work/a" "$@" > "$work/left.json" &
  local left=$!
  bench "$node_b" "$half" "$work/a" "$@" > "$work/right.json"
  wait "$left"
  row "$name" "postgres x2" "$(cat "$work/left.json")" "$(cat "$work/right.json")"
}
scenario "create (durable) x$create_conns" "$create_conns" --scenario create
scenario "get AES-256 x$get_conns" "$get_conns" --scenario get
echo "($secs s each, $(nproc) cores, PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), $(date -u +%F))"
