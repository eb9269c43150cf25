#!/usr/bin/env bash
# The 3-node load (issue 18): one room of N spread evenly over NODES `parley serve` nodes sharing
# one dynalite, throughput mode, against the same room on ONE node on dynalite; prints both and
# the ratio. Runnable alone, and called by compare.sh (its own section of the report).
# Usage: bench/cluster.sh [--no-build] [--connections N] [--nodes K] [--duration S] [--markdown]
#   --markdown  print the result as a markdown section (what compare.sh appends to its report)
# Environment: BUILD_DIR (default build), PORT_BASE (default 19500), PARLEY_SERVE_ARGS (extra
# options for every node), ORDER ("one,cluster" default; "cluster,one", or one of them alone);
# PARLEY_NODE_BATCH=0 makes the nodes post one request per remote recipient (the A/B's base).
# Needs dynalite from test/integration/node_modules (`make test-deps`).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
PORT_BASE=${PORT_BASE:-19500}
BUILD=1; N=1000; NODES=3; DURATION=5; MARKDOWN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    --connections) N=$2; shift ;;
    --nodes) NODES=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --markdown) MARKDOWN=1 ;;
    *) echo "cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "cluster: $*" >&2; }
DYNALITE=$ROOT/test/integration/node_modules/dynalite/cli.js
[ -f "$DYNALITE" ] || { log "no dynalite in test/integration/node_modules: run make test-deps"; exit 1; }
if [ "$BUILD" = 1 ]; then
  [ -f "$BUILD_DIR/build.ninja" ] || cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  ninja -C "$BUILD_DIR" -j2 parley >&2
fi
PARLEY=$BUILD_DIR/parley
ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d /tmp/parley-cluster.XXXXXX)
STARTED=()
stop_all() {
  local pid
  for pid in "${STARTED[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  # A node drains its handlers and leaves the cluster on SIGTERM: give it a few seconds.
  for _ in $(seq 50); do
    local alive=0
    for pid in "${STARTED[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${STARTED[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  STARTED=()
}
cleanup() { stop_all; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$PORT_BASE
# setup K: a fresh dynalite (in memory) with the tables, and K nodes on it; sets URLS and PIDS.
setup() {
  local k=$1 i dyn
  dyn=$port; port=$((port + 1))
  setsid node "$DYNALITE" --port "$dyn" --createTableMs 20 > "$WORK/dynalite-$dyn.log" 2>&1 &
  STARTED+=("$!"); PIDS=$!; disown
  # The tables, once dynalite answers (it prints nothing when it listens).
  for i in $(seq 1 300); do
    "$PARLEY" tables create --dynamodb-endpoint "http://127.0.0.1:$dyn" > "$WORK/tables-$dyn.log" 2>&1 && break
    [ "$i" = 300 ] && { log "dynalite did not answer: $(tail -3 "$WORK/tables-$dyn.log")"; return 1; }
    sleep 0.1
  done
  URLS=""
  local logs=()
  for i in $(seq 1 "$k"); do
    local p=$port; port=$((port + 2))
    mkdir -p "$WORK/data-$p"
    # One socket thread and two handler threads per node, whatever the node count; management
    # calls unthrottled (the base's one post per recipient would hit the 10,000/s default).
    # shellcheck disable=SC2086
    setsid "$PARLEY" serve --store dynamodb --dynamodb-endpoint "http://127.0.0.1:$dyn" \
      --port "$p" --management-port $((p + 1)) --bind 127.0.0.1 --data "$WORK/data-$p" \
      --threads 1 --handler-threads 2 --rate-limit 0 --management-rate-limit 0 --log-level warn \
      ${PARLEY_SERVE_ARGS:-} > "$WORK/node-$p.log" 2>&1 &
    STARTED+=("$!"); PIDS=$PIDS,$!; disown
    URLS=${URLS:+$URLS,}ws://127.0.0.1:$p/dev
    logs+=("$WORK/node-$p.log")
  done
  # A node prints its banner once it listens and its endpoint is verified: wait for all of them.
  for f in "${logs[@]}"; do
    for i in $(seq 1 600); do grep -qs "Press Ctrl" "$f" && break; sleep 0.1; done
    grep -qs "Press Ctrl" "$f" || { log "a node did not start: $(tail -3 "$f" 2>&1)"; return 1; }
  done
}

# measure NAME K: frames/s delivered for the room over K nodes.
measure() {
  local name=$1 k=$2 line
  log "$name: $N connections over $k node(s)"
  setup "$k"
  line=$("$PARLEY" bench --url "$URLS" --peer-protocol parley --hello --server-pid "$PIDS" \
    --connections "$N" --mode throughput --duration "$DURATION" --senders 4 --window 4 \
    --room "cluster-$k" --connect-timeout 120 --settle-timeout 60 --label "$name" --json | tail -1) || line='{}'
  log "$name: $line"
  echo "$line" > "$WORK/$name.json"
  stop_all
  rm -rf "$WORK"/data-* "$WORK"/node-*.log
}

IFS=, read -r -a ORDER <<< "${ORDER:-one,cluster}"
for what in "${ORDER[@]}"; do
  if [ "$what" = one ]; then measure one-node 1; else measure "$NODES-nodes" "$NODES"; fi
done

node - "$WORK/one-node.json" "$WORK/$NODES-nodes.json" "$N" "$NODES" "$MARKDOWN" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF'
const fs = require('node:fs');
const [one, many, n, k, markdown, load] = process.argv.slice(2);
const read = (f) => { try { return JSON.parse(fs.readFileSync(f, 'utf8')); } catch { return {}; } };
const a = read(one), b = read(many);
const fps = (r) => r.throughput?.frames_per_second ?? null;
const fa = fps(a), fb = fps(b);
const ratio = fa && fb ? fb / fa : null;
const f = (x) => (x == null ? 'n/a' : Math.round(x).toLocaleString('en-US'));
if (markdown === '1') {
  console.log(`## ${k} nodes on dynalite: one room of ${Number(n).toLocaleString('en-US')} spread evenly\n`);
  console.log(`\`bench/cluster.sh\`: the same room (throughput mode, 4 senders, window 4) on one node and on ${k} nodes sharing one dynalite; load ${load}.\n`);
  console.log('| | frames/s delivered |\n|---|---|');
  console.log(`| one node | ${f(fa)} |\n| ${k} nodes | ${f(fb)} |\n| ratio (target ≥ 0.5) | ${ratio == null ? 'n/a' : ratio.toFixed(2)} |`);
} else {
  console.log(`one node: ${f(fa)} frames/s; ${k} nodes: ${f(fb)} frames/s; ratio ${ratio == null ? 'n/a' : ratio.toFixed(2)} (load ${load})`);
  console.log(JSON.stringify({ connections: Number(n), nodes: Number(k), one_node_fps: fa, cluster_fps: fb, ratio }));
}
EOF
