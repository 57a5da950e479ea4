#!/usr/bin/env bash
# Server CPU per request of two or more builds of HttpDemo, side by side: each jar in turn is
# started alone on CPU 0, warmed up with wrk (CPU 1) for 3 s, then measured for 5 s; the server's
# utime+stime from /proc/PID/stat over wrk's request count is the figure. Alternates the jars for
# --rounds rounds (default 3), so drift in the machine falls on all of them.
#
#   modules/benchmarks/cpu-per-request.sh [--rounds N] [--path /plaintext] [--connections 256]
#                                         [--script FILE.lua] [--server-args "ARGS"] JAR JAR...
#
# --server-args: more HttpDemo flags for every jar (e.g. "--files DIR", "--hibernate-idle-after 1000");
# a jar given as JAR@ARGS gets ARGS on top of those, so one jar can be compared with itself under
# two settings. Prints one line per run: jar, round, req/s, µs of server CPU per request (user + system). Needs Linux, wrk,
# taskset, bc and a JDK 21+ (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
ROUNDS=3; URL_PATH=/plaintext; CONNS=256; SCRIPT=""; SERVER_ARGS=""
JARS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --path) URL_PATH=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --script) SCRIPT=$2; shift 2 ;;
    --server-args) SERVER_ARGS=$2; shift 2 ;;
    -*) echo "cpu-per-request.sh: unknown option $1" >&2; exit 2 ;;
    *) JARS+=("$1"); shift ;;
  esac
done
[[ ${#JARS[@]} -ge 1 ]] || { echo "cpu-per-request.sh: give at least one jar" >&2; exit 2; }
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"  # JAVA, HZ, cpu PID
PORT=18383
SCRIPT_ARGS=(); [[ -n "$SCRIPT" ]] && SCRIPT_ARGS=(-s "$SCRIPT")
for r in $(seq "$ROUNDS"); do
  for spec in "${JARS[@]}"; do
    jar=${spec%%@*}; extra=""; [[ "$spec" == *@* ]] && extra=${spec#*@}
    # shellcheck disable=SC2086 # the flags are words on purpose
    taskset -c 0 "$JAVA" -jar "$jar" --port "$PORT" $SERVER_ARGS $extra > /dev/null 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" > /dev/null 2>&1 && break; sleep 0.1; done
    taskset -c 1 wrk -t1 -c"$CONNS" -d3s "${SCRIPT_ARGS[@]}" "http://127.0.0.1:$PORT$URL_PATH" > /dev/null
    t0=$(cpu "$pid")
    out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d5s "${SCRIPT_ARGS[@]}" "http://127.0.0.1:$PORT$URL_PATH")
    t1=$(cpu "$pid")
    n=$(awk '/requests in/ {print $1}' <<< "$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    us=$(echo "scale=2; ($t1 - $t0) * 1000000 / $HZ / $n" | bc)
    echo "$spec round $r: $rps req/s, $us us CPU/request"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
