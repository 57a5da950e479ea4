#!/usr/bin/env bash
# SO_REUSEPORT hand-over under load: instance A serves a port with --reuse-port; wrk loads it;
# instance B binds the same port beside A; A gets SIGTERM and drains (its drain delay keeps it
# serving, every response saying Connection: close, so wrk's connections reconnect and the
# kernel spreads them over both listeners; then A's listener closes and B alone takes new
# connections). Passes only when wrk saw no socket error and no non-2xx answer.
#
#   deploy/reuseport-handover.sh [--duration SECONDS] [--no-build]
#
# Builds samples/target/weft-samples.jar first (--no-build: use the one there), installs wrk
# (Debian package) when missing and root, runs for about SECONDS (default 20, at least 8) plus
# start-up, stops everything it started, and prints as its last line
# "requests N, errors N, non-2xx N". Exit 0 only when errors and non-2xx are 0.
set -euo pipefail
source "$(dirname "$0")/common.sh"

USAGE="usage: deploy/reuseport-handover.sh [--duration SECONDS] [--no-build]"
DURATION=20
MIN_DURATION=8
NO_BUILD=0
parse_common "$@"

JAVA_HOME=$(pick_jdk); export JAVA_HOME; JAVA="$JAVA_HOME/bin/java"
need wrk wrk
need curl curl
[ "$(uname -s)" = Linux ] || die "SO_REUSEPORT load balancing across processes needs Linux (3.9+)"
build_jar

WORK=$(mktemp -d /tmp/weft-handover.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM

# The drain delay must outlast the time wrk's connections take to move: each one moves on its
# next response, so a second is plenty at this load; 2 s leaves room on a loaded machine.
DRAIN=2

start_demo a --port 0 --reuse-port --drain-delay "$DRAIN"; A=$LAST_PID
wait_log "$A" "$WORK/a.log" "listening on port" 120
PORT=$(port_of a)
wait_healthy "$A" "$PORT" 60 "$WORK/a.log"

log "wrk: ${DURATION}s against http://127.0.0.1:$PORT/plaintext"
wrk -t2 -c32 -d"${DURATION}s" --timeout 5s -s "$DEPLOY_DIR/count.lua" "http://127.0.0.1:$PORT/plaintext" >"$WORK/wrk.txt" 2>&1 &
WRK=$!
STARTED+=("$WRK")

sleep $((DURATION / 4)) # let the load run on A alone first
start_demo b --port "$PORT" --reuse-port --drain-delay "$DRAIN"; B=$LAST_PID
wait_log "$B" "$WORK/b.log" "listening on port $PORT" 120
sleep 1 # B now takes part of the new connections (none yet: wrk's are all kept alive on A)
stop_demo a "$A" $((DRAIN + 10 + 10)) # drain delay + the demo's 10 s grace + slack
grep -q "(drainDelay)" "$WORK/a.log" || die "A did not report its drain delay"

wait "$WRK" || log "wrk exited with $?"
forget "$WRK"
stop_demo b "$B" $((DRAIN + 10 + 10))
summary "$WORK/wrk.txt"
