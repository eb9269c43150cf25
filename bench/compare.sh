#!/usr/bin/env bash
# Runs the same loads against Parley and its peers on this machine, in one run, and writes
# docs/performance.md. Usage: bench/compare.sh [--quick] [--no-build] [--out FILE]
#   --quick     N = 100 and 1,000 only, a few seconds each (development)
#   --no-build  use the existing $BUILD_DIR/parley
#   --out FILE  where the report goes (default docs/performance.md; --quick: stdout only)
# Environment: BUILD_DIR (default build), PORT_BASE (default 19000); TARGETS="parley-t1 ..."
# runs only those; ROOMS_TARGETS the same for the many-rooms load (default parley-t1 parley-t2
# uws ws), ROOMS=0 skips it; INSPECT_VIEWER=1 keeps one inspector page's stream (/inspect/stream) open and
# read on every Parley server, to state what an open inspector costs (docs/design.md). CLUSTER=0
# leaves out the 3-node load (bench/cluster.sh), appended last.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
PORT_BASE=${PORT_BASE:-19000}
QUICK=0
BUILD=1
OUT=""
COMMAND="bench/compare.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --out) OUT=$2; shift ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -z "$OUT" ] && [ "$QUICK" = 0 ] && OUT=$ROOT/docs/performance.md

PEERS=$ROOT/bench/peers
WORK=$(mktemp -d /tmp/parley-compare.XXXXXX)
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
STARTED=()  # process-group leaders started by this script

# Every server runs in its own session (setsid), so killing its group ends its children too.
stop_all() {
  local pid
  for pid in "${STARTED[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  sleep 0.5
  for pid in "${STARTED[@]}"; do
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  STARTED=()
}
# Waits (at most 30 s) until the cores are idle: a stopped server (the seed's architecture holds
# gigabytes) may still be exiting, and whoever runs next would pay for it.
quiesce() {
  local i busy
  for i in $(seq 30); do
    busy=$(read -r _ u1 n1 s1 i1 w1 q1 sq1 _ < /proc/stat; sleep 1
           read -r _ u2 n2 s2 i2 w2 q2 sq2 _ < /proc/stat
           total=$(( (u2+n2+s2+i2+w2+q2+sq2) - (u1+n1+s1+i1+w1+q1+sq1) ))
           echo $(( total > 0 ? 100 * (total - (i2 - i1) - (w2 - w1)) / total : 0 )))
    [ "$busy" -lt 10 ] && return 0
  done
  log "the cores stayed busy (${busy}%): figures after this may be skewed"
}
cleanup() {
  stop_all
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "compare: $*" >&2; }

# Each side of a connection holds a descriptor: take the hard limit (20,000 on these machines).
ulimit -n "$(ulimit -Hn)"

if [ "$BUILD" = 1 ]; then
  log "building Parley (Release) in $BUILD_DIR"
  [ -f "$BUILD_DIR/build.ninja" ] ||
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  ninja -C "$BUILD_DIR" -j2 parley >&2
fi
PARLEY=$BUILD_DIR/parley
[ -x "$PARLEY" ] || { log "no $PARLEY"; exit 1; }

# Peers at the versions pinned in package-lock.json; reinstalled only when the lock changed.
STAMP=$PEERS/node_modules/.lock-stamp
if ! cmp -s "$PEERS/package-lock.json" "$STAMP" 2>/dev/null; then
  log "installing the peers (npm ci)"
  (cd "$PEERS" && npm ci --no-audit --no-fund >&2)
  cp "$PEERS/package-lock.json" "$STAMP"
fi

# Waits until something accepts TCP connections on $1, at most 60 s.
wait_port() {
  local i
  for i in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "nothing listens on port $1"
  return 1
}

# start NAME PORT: starts a server; sets URL, PIDS (comma list for --server-pid) and PROTO_ARGS.
start() {
  local name=$1 port=$2 pid
  case "$name" in
    parley-t1|parley-t2)
      local threads=${name#parley-t}
      mkdir -p "$WORK/data-$port"
      setsid "$PARLEY" serve --port "$port" --bind 127.0.0.1 --data "$WORK/data-$port" \
        "${PARLEY_LIMIT_ARGS[@]}" --threads "$threads" --log-level warn > "$WORK/$name-$port.log" 2>&1 &
      pid=$!; STARTED+=("$pid"); PIDS=$pid
      URL=ws://127.0.0.1:$port/dev; PROTO_ARGS=(--peer-protocol parley --hello)
      if [ "${INSPECT_VIEWER:-0}" = 1 ]; then
        wait_port "$port" || return 1
        # On the management listener, --port + 1 by default (the public port answers 403).
        setsid curl -sN "http://127.0.0.1:$((port + 1))/inspect/stream" > /dev/null 2>&1 &
        STARTED+=("$!")
      fi ;;
    uws)
      setsid node "$PEERS/uws_broadcast.js" "$port" > "$WORK/$name-$port.log" 2>&1 &
      pid=$!; STARTED+=("$pid"); PIDS=$pid
      URL=ws://127.0.0.1:$port/; PROTO_ARGS=(--peer-protocol raw) ;;
    ws)
      setsid node "$PEERS/ws_broadcast.js" "$port" > "$WORK/$name-$port.log" 2>&1 &
      pid=$!; STARTED+=("$pid"); PIDS=$pid
      URL=ws://127.0.0.1:$port/; PROTO_ARGS=(--peer-protocol raw) ;;
    sls)
      # dynalite (in memory) + the table, then serverless-offline with the seed's handlers.
      local dyn=$((port + 1))
      setsid node "$PEERS/node_modules/dynalite/cli.js" --port "$dyn" > "$WORK/dynalite-$port.log" 2>&1 &
      local dpid=$!; STARTED+=("$dpid")
      wait_port "$dyn" || return 1
      NODE_NO_WARNINGS=1 DYNAMODB_ENDPOINT=http://127.0.0.1:$dyn WEBSOCKET_TABLE=connections \
        node "$PEERS/seed/create_table.js" >&2 || return 1
      (cd "$PEERS/seed" && NODE_NO_WARNINGS=1 SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
        SERVERLESS_PLATFORM_STAGE=none AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench \
        DYNAMODB_ENDPOINT=http://127.0.0.1:$dyn WEBSOCKET_TABLE=connections \
        APIGW_ENDPOINT=http://127.0.0.1:$port \
        exec setsid node ../node_modules/serverless/bin/serverless.js offline start \
          --websocketPort "$port" --httpPort $((port + 2)) \
          --lambdaPort $((port + 3)) --noTimeout > "$WORK/$name-$port.log" 2>&1) &
      pid=$!; STARTED+=("$pid"); PIDS=$pid,$dpid
      URL=ws://127.0.0.1:$port; PROTO_ARGS=(--peer-protocol parley) ;;
  esac
  wait_port "$port" || return 1
  # Sample every process of the groups started for this target (serverless may fork helpers).
  local groups=${PIDS} all
  all=$(pgrep -g "$groups" | paste -sd, -)
  [ -n "$all" ] && PIDS=$all
}

# run TARGET SCALE ARGS...: a fresh server, one load generator run against it, the server stopped.
run() {
  local target=$1 scale=$2
  port=$((port + 10))
  log "$target, $scale"
  if start "$target" "$port"; then
    bench "$@"
  else
    echo "{\"target\":\"$target\",\"scale\":\"$scale\",\"result\":{\"error\":\"the server did not start\"}}" >> "$RESULTS"
  fi
  stop_all
  quiesce
}

# bench TARGET SCALE ARGS...: one load generator run, its JSON line tagged and kept.
bench() {
  local target=$1 scale=$2; shift 2
  local line
  line=$("$PARLEY" bench --url "$URL" "${PROTO_ARGS[@]}" --server-pid "$PIDS" \
    --source-ips 127.0.0.1-127.0.0.20 --label "$target" --json "$@" | tail -1) || true
  if [ -z "$line" ]; then
    line='{"error":"the load generator failed"}'
  fi
  echo "{\"target\":\"$target\",\"scale\":\"$scale\",\"result\":$line}" >> "$RESULTS"
  log "$target $scale: $(echo "$line" | cut -c1-200)"
}

# The one-room loads measure the fan-out, not the limiter: Parley runs them with it off.
PARLEY_LIMIT_ARGS=(--rate-limit 0)

# The many-rooms load (issue 18): 10,000 connections in 1,000 rooms of 10 (--quick: 1,000 in 100),
# every connection sending to its own room; the peers subscribe each connection to the topic of
# its ?room=. Phase 1, steady: one message per connection every 2 s (5,000 messages/s, 50,000
# deliveries/s at 10,000: a busy evening in every room at once, far under Parley's default limit
# of 1,000 frames/s per connection). Phase 2, as fast as allowed: each connection keeps one
# message in flight and sends the next when its own copy comes back (10,000 in flight already
# saturate the server; more would only lengthen its queues). Parley runs with its default rate
# limit here, as users run it: a refused send is counted apart, never as a delivery. Not against
# the seed's architecture (sls): one HTTP request per recipient, 50,000 a second, would take
# forever.
many_rooms_load() {
  local n=$1 rooms=$2 duration=$3 target
  local -a saved=("${PARLEY_LIMIT_ARGS[@]}")
  PARLEY_LIMIT_ARGS=()
  for target in "${ROOMS_TARGETS[@]}"; do
    run "$target" "rooms-$n" --connections "$n" --rooms "$rooms" --mode rooms --interval 2 \
      --duration "$duration" --window 1 --connect-timeout 120 --settle-timeout 30
  done
  PARLEY_LIMIT_ARGS=("${saved[@]}")
}

read -r -a TARGETS <<< "${TARGETS:-parley-t1 parley-t2 uws ws sls}"
read -r -a ROOMS_TARGETS <<< "${ROOMS_TARGETS:-parley-t1 parley-t2 uws ws}"
if [ "$QUICK" = 1 ]; then
  SCALES=(100 1000); MESSAGES=20; DURATION=2; IDLE=""
else
  SCALES=(100 1000 10000); MESSAGES=100; DURATION=5; IDLE=15000
fi
port=$PORT_BASE
START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for n in "${SCALES[@]}"; do
  for target in "${TARGETS[@]}"; do
    messages=$MESSAGES; timeout=5; duration=$DURATION
    # At 10,000 a fan-out takes ~0.1 s and its p99 is a target: twice the messages, so that
    # the p99 is not simply the slowest of a few (it was the slowest of 20). The seed's
    # architecture posts one HTTP request per receiver, so it gets the fewest and the longest wait.
    if [ "$n" -ge 10000 ]; then messages=$((MESSAGES * 2)); fi
    if [ "$target" = sls ] && [ "$n" -ge 1000 ]; then messages=5; timeout=15; fi
    if [ "$target" = sls ] && [ "$n" -ge 10000 ]; then messages=2; timeout=20; duration=3; fi
    run "$target" "$n" --connections "$n" --mode fanout,throughput --messages "$messages" \
      --timeout "$timeout" --duration "$duration" --senders 4 --window 4 \
      --connect-timeout 90 --settle-timeout 30
  done
done
if [ -n "$IDLE" ]; then
  for target in "${TARGETS[@]}"; do
    # One room per connection: memory, not Parley's O(N^2) join announcements, is measured here.
    run "$target" "idle-$IDLE" --connections "$IDLE" --rooms "$IDLE" --mode idle --duration 5 \
      --connect-timeout 120 --settle-timeout 30
  done
fi
if [ "${ROOMS:-1}" = 1 ]; then
  if [ "$QUICK" = 1 ]; then many_rooms_load 1000 100 2; else many_rooms_load 10000 1000 6; fi
fi
# The generator's capacity: the fastest peer at the load that gave it the most frames per second
# here (more messages in flight only lengthen its queues), on the generator's own CPU use.
run uws capacity --connections 1000 --mode throughput --duration "$DURATION" --senders 4 \
  --window 4
ELAPSED=$(( $(date +%s) - START ))
cp "$RESULTS" "${RESULTS_COPY:-/tmp/parley-compare-results.jsonl}"

node "$ROOT/bench/report.mjs" "$RESULTS" --command "$COMMAND" --elapsed "$ELAPSED" \
  --load "at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)" \
  ${OUT:+--out "$OUT"}

# The 3-node load (issue 18): one room of 1,000 over three nodes sharing one dynalite against the
# same room on one node, by its own script (runnable alone), appended to the report as a section
# of its own. CLUSTER=0 leaves it out; --quick skips it.
if [ "${CLUSTER:-1}" = 1 ] && [ "$QUICK" = 0 ]; then
  log "3 nodes on dynalite, a room of 1,000 (bench/cluster.sh)"
  if section=$(BUILD_DIR=$BUILD_DIR PORT_BASE=$((PORT_BASE + 500)) "$ROOT/bench/cluster.sh" --no-build --markdown); then
    if [ -n "$OUT" ]; then printf '\n%s\n' "$section" >> "$OUT"; else printf '\n%s\n' "$section"; fi
  else
    log "bench/cluster.sh failed: no 3-node section"
  fi
fi
