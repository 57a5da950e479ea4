#!/usr/bin/env bash
# HTTP/2 server CPU per request of builds of HttpDemo (and Netty 4.1 epoll, for reference), side
# by side: each server in turn is started alone on CPU 0, warmed up with h2load (CPU 1, h2c prior
# knowledge, GET /plaintext) for 3 s, then measured for --duration s; the server's utime+stime
# from /proc/PID/stat over h2load's succeeded requests is the figure. Alternates the servers for
# --rounds rounds (default 3), so drift in the machine falls on all of them.
#
#   modules/benchmarks/h2-cpu-per-request.sh [--rounds N] [--connections 16] [--streams 100]
#                                            [--duration 5] [--bench-jar JAR] SERVER...
#
# SERVER is a weft-samples.jar, or `netty` (dev.weft.benchmarks.peers.NettyHttpServer --epoll
# from the benchmarks jar: `./mvnw -B -o -q -Pbenchmarks package -DskipTests`). Prints one line
# per run: server, round, req/s, µs of server CPU per request, failed and errored requests.
# Needs Linux, h2load (nghttp2-client), taskset, bc and a JDK 21+.
set -euo pipefail
ROUNDS=3; CONNS=16; STREAMS=100; DUR=5
BENCH="$(dirname "$0")/target/weft-benchmarks.jar"
SERVERS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --streams) STREAMS=$2; shift 2 ;;
    --duration) DUR=$2; shift 2 ;;
    --bench-jar) BENCH=$2; shift 2 ;;
    -*) echo "h2-cpu-per-request.sh: unknown option $1" >&2; exit 2 ;;
    *) SERVERS+=("$1"); shift ;;
  esac
done
[[ ${#SERVERS[@]} -ge 1 ]] || { echo "h2-cpu-per-request.sh: give at least one server" >&2; exit 2; }
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"  # JAVA, HZ, cpu PID
PORT=18484
URL="http://127.0.0.1:$PORT/plaintext"
for r in $(seq "$ROUNDS"); do
  for server in "${SERVERS[@]}"; do
    if [[ $server == netty ]]; then
      taskset -c 0 "$JAVA" -cp "$BENCH" dev.weft.benchmarks.peers.NettyHttpServer "$PORT" --epoll > /dev/null 2>&1 &
    else
      taskset -c 0 "$JAVA" -jar "$server" --port "$PORT" > /dev/null 2>&1 &
    fi
    pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    for _ in $(seq 100); do curl -fs "$URL" > /dev/null 2>&1 && break; sleep 0.1; done
    taskset -c 1 h2load -t1 -c"$CONNS" -m"$STREAMS" -D 3 "$URL" > /dev/null
    t0=$(cpu "$pid")
    out=$(taskset -c 1 h2load -t1 -c"$CONNS" -m"$STREAMS" -D "$DUR" "$URL")
    t1=$(cpu "$pid")
    # requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout
    n=$(awk '/^requests:/ {print $8}' <<< "$out")
    bad=$(awk '/^requests:/ {print $10 " failed, " $12 " errored"}' <<< "$out")
    rps=$(echo "$n / $DUR" | bc)
    us=$(echo "scale=2; ($t1 - $t0) * 1000000 / $HZ / $n" | bc)
    echo "$(basename "$server") round $r: $rps req/s, $us us CPU/request ($bad)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
