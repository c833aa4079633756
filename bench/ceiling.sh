#!/usr/bin/env bash
# Our server against the machine's ceiling, in one run: kmip-canned (a
# do-nothing KMIP server answering canned bytes) and kmip-server, driven by
# the same neutral load generator (kmip-load), scenario by scenario. Prints
# each figure and the ratio ours/ceiling (README, "Performance").
#
#   bench/ceiling.sh [SECONDS] [CONNECTIONS]      (defaults 8 and 8)
#
# KMIP_BASELINE_BIN=path/to/an/older/kmip-server adds that build beside
# ours in the same run (before/after figures for a change).
#
# Needs ../shared/tools/kmip-canned beside the repository (or KMIP_CANNED
# pointing at it); builds it and the release server first. Absolute figures
# on a shared 2-core machine vary from run to run: compare the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
conns=${2:-8}
canned_src=${KMIP_CANNED:-../shared/tools/kmip-canned}
canned_target=${KMIP_CANNED_TARGET:-/tmp/kmip-canned-target}
(cd "$canned_src" && CARGO_TARGET_DIR="$canned_target" cargo build --release --quiet)
cargo build --release --quiet -p kmip-server -p kmip-client
work=$(mktemp -d)
# Every process started, one pid per line (start runs in a subshell).
cleanup() { kill $(cat "$work/pids" 2>/dev/null) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# Starts a kmip-server binary on its own fresh data directory; prints its port.
start() {
  local bin=$1 dir=$2
  KMIP_DATA_DIR=$dir KMIP_LISTEN=127.0.0.1:0 KMIP_METRICS_LISTEN=127.0.0.1:0 RUST_LOG=warn "$bin" serve > "$dir.out" 2>&1 &
  echo $! >> "$work/pids"
  for _ in $(seq 100); do grep -q "listening on" "$dir.out" && break; sleep 0.1; done
  sed -n 's/^KMIP server listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$dir.out"
}
data=$work/data
ours=$(start target/release/kmip-server "$data")
[ -n "$ours" ] || { cat "$data.out"; exit 1; }
base=""
if [ -n "${KMIP_BASELINE_BIN:-}" ]; then
  base=$(start "$KMIP_BASELINE_BIN" "$work/base")
  [ -n "$base" ] || { cat "$work/base.out"; exit 1; }
fi
# kmip-canned has no "port 0": take a free port from the kernel.
canned=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$canned_target/release/kmip-canned" --listen "127.0.0.1:$canned" --ca "$data/ca/ca.pem" \
  --cert "$data/server/server.pem" --key "$data/server/server.key" 2> "$work/canned.err" &
echo $! >> "$work/pids"
sleep 0.5
load() {
  local creds=$1/clients/default/admin
  "$canned_target/release/kmip-load" --host 127.0.0.1 --port "$2" --ca "$creds/ca.pem" \
    --cert "$creds/client.pem" --key "$creds/client.key" --ignore-hostname --kmip 1.4 \
    -c "$conns" -d "$secs" --warmup 1 "${@:3}" 2>/dev/null | tail -1
}
printf '%-30s %10s %10s %6s %7s %7s' scenario "ceiling/s" "ours/s" ratio "p50 us" "p99 us"
[ -n "$base" ] && printf ' %10s %6s' "before/s" ratio
echo
run() {
  local client=load
  [ "$1" = "--bench" ] && { client=bench; shift; }
  local name=$1; shift
  local a b c="null"
  a=$($client "$data" "$canned" "$@")
  b=$($client "$data" "$ours" "$@")
  [ -n "$base" ] && c=$($client "$work/base" "$base" "$@")
  python3 - "$name" "$a" "$b" "$c" <<'PY'
import json, sys
name, a, b, c = sys.argv[1], *(json.loads(x) for x in sys.argv[2:])
ceiling = a["ops_per_sec"]
line = f"{name:<30} {ceiling:>10.0f} {b['ops_per_sec']:>10.0f} {b['ops_per_sec'] / ceiling:>6.2f}"
line += f" {b['latency_us']['p50']:>7} {b['latency_us']['p99']:>7}"
if c:
    line += f" {c['ops_per_sec']:>10.0f} {c['ops_per_sec'] / ceiling:>6.2f}"
for r in (b, c):
    if r and r["errors"]:
        line += f"  ({r['errors']} errors: {r['error_reasons']})"
print(line)
PY
}
# kmip-load has no Get Attributes: this row is driven by our kmip-bench,
# against both servers alike (kmip-canned answers Get Attributes too).
bench() {
  local creds=$1/clients/default/admin
  target/release/kmip-bench --bundle "$creds" --server "127.0.0.1:$2" --server-name localhost \
    --connections "$conns" --duration "$secs" --warmup 1 --json "${@:3}" 2>/dev/null | tail -1 |
    python3 -c 'import json,sys; r=json.load(sys.stdin); r["ops_per_sec"]=r["ops_per_s"]; r["error_reasons"]=r["error_reasons"] or []; print(json.dumps(r))'
}
run "get AES-256" --scenario get
run --bench "get attributes (kmip-bench)" --scenario get-attributes
run "encrypt AES-256-GCM 1 KiB" --scenario encrypt --mode gcm --payload 1024
run "locate by name" --scenario locate
run "create (durable)" --scenario create
run "new TLS connection + 1 op" --scenario handshake
echo "($conns connections, $secs s each, $(nproc) cores, $(date -u +%F))"
