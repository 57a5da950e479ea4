#!/usr/bin/env bash
# Server CPU of idle connections: HttpDemo holds N idle connections (IdleHeap's client: N keep-alive
# GETs, or with --websocket PATH N WebSocket sessions that each echoed one message and never answer
# a ping), and this reads the server's utime+stime from /proc/PID/stat over --window seconds, from
# 8 s after the last connection opened (no warm-up: the JIT is still at work then), with the
# keep-alive timer's and the hibernator's threads apart. --profile FILE attaches async-profiler
# (collapsed stacks) for the window: give ASYNC_PROFILER=path/to/libasyncProfiler.so.
#
#   modules/benchmarks/idle-cpu.sh [--connections 18000] [--window 30] [--websocket PATH] [--profile FILE]
#                                  JAR [HTTPDEMO ARGS...]
#
# Needs Linux and a JDK 21+ (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64), and an open-files limit
# above the connection count. Last line: "JAR ARGS: N idle ..., server CPU over S s: ... ms ...".
set -euo pipefail
N=18000; WINDOW=30; WS=(); PROFILE=""
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --connections) N=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --websocket) WS=(--websocket "$2"); shift 2 ;;
    --profile) PROFILE=$2; shift 2 ;;
    *) echo "idle-cpu.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -ge 1 ]] || { echo "idle-cpu.sh: give a weft-samples.jar" >&2; exit 2; }
JAR=$1; shift
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"  # JAVA, HZ, cpu PID
JCMD="$(dirname "$JAVA")/jcmd"
SARGS=(); for a in "$@"; do SARGS+=(--server-arg "$a"); done
"$JAVA" "$(dirname "$0")/IdleHeap.java" --connections "$N" --settle $((WINDOW + 20)) --top 1 --warmup 0 "${WS[@]}" \
    "${SARGS[@]}" --server-arg --max-connections --server-arg 1000000 "$JAR" > /dev/null 2>&1 &
client=$!
pid=""
trap 'kill $client ${pid:-} 2> /dev/null || true' EXIT
for _ in $(seq 300); do
  pid=$(pgrep -f -- "-jar $JAR --port 18481" | head -1 || true)
  [[ -n "$pid" && $(ls "/proc/$pid/fd" 2> /dev/null | wc -l) -gt $N ]] && break
  sleep 1
done
[[ -n "$pid" ]] || { echo "idle-cpu.sh: the server did not come up" >&2; exit 1; }
sleep 8
# utime + stime of the threads whose name starts with $1 (0 if none).
thread() {
  local sum=0 t
  for t in /proc/"$pid"/task/*; do
    if [[ $(cat "$t/comm" 2> /dev/null) == "$1"* ]]; then sum=$((sum + $(awk '{print $14 + $15}' "$t/stat"))); fi
  done
  echo "$sum"
}
[[ -z "$PROFILE" ]] || "$JCMD" "$pid" JVMTI.agent_load "$ASYNC_PROFILER" '"start,event=cpu,interval=1ms"' > /dev/null
a=$(cpu "$pid"); k1=$(thread weft-ws-keepal); h1=$(thread weft-hibernat)
sleep "$WINDOW"
b=$(cpu "$pid"); k2=$(thread weft-ws-keepal); h2=$(thread weft-hibernat)
[[ -z "$PROFILE" ]] || "$JCMD" "$pid" JVMTI.agent_load "$ASYNC_PROFILER" "\"stop,file=$PROFILE,collapsed\"" > /dev/null
wait "$client" || true
ms() { echo $(( (${2:-0} - ${1:-0}) * 1000 / HZ )); }
echo "$JAR $*: $N idle ${WS[1]:-keep-alive connections}, server CPU over $WINDOW s: $(ms "$a" "$b") ms" \
     "(keep-alive timer $(ms "$k1" "$k2") ms, hibernator $(ms "$h1" "$h2") ms)"
