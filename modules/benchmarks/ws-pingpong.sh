#!/usr/bin/env bash
# WebSocket ping-pong of two or more builds of HttpDemo: each build in turn is started alone on
# CPU 0 and load/WsPingPong runs on CPU 1 against each PATH (default /ws/echo; give
# --path /ws/listener-echo, more than once for several), --connections sessions sending
# --bytes-byte binary messages for --seconds, after a run of --warmup seconds; the figures are round
# trips/s and the server's utime+stime per round trip (µs) from /proc/PID/stat around the measured run. Alternates the builds for
# --rounds rounds (default 3), so drift in the machine falls on all of them, and ends with the
# medians.
#
#   modules/benchmarks/ws-pingpong.sh [--rounds N] [--connections N] [--bytes N] [--seconds S] [--warmup S]
#                                     [--path P]... JAR[@JVMARGS] JAR...
#
# Needs Linux, taskset, bc, a JDK 21+ (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64) and
# modules/benchmarks/target/weft-benchmarks.jar (./mvnw -Pbenchmarks -DskipTests package).
# Last line: "medians: …".
set -euo pipefail
ROUNDS=3; CONNECTIONS=64; BYTES=64; SECONDS_=5; WARMUP=2
PATHS=(); JARS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --bytes) BYTES=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --path) PATHS+=("$2"); shift 2 ;;
    -*) echo "ws-pingpong.sh: unknown option $1" >&2; exit 2 ;;
    *) JARS+=("$1"); shift ;;
  esac
done
[[ ${#JARS[@]} -ge 1 ]] || { echo "ws-pingpong.sh: give at least one weft-samples.jar" >&2; exit 2; }
[[ ${#PATHS[@]} -ge 1 ]] || PATHS=(/ws/echo)
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"  # JAVA, HZ, cpu PID
BENCH="$(cd "$(dirname "$0")" && pwd)/target/weft-benchmarks.jar"
[[ -f "$BENCH" ]] || { echo "ws-pingpong.sh: $BENCH is missing (./mvnw -Pbenchmarks -DskipTests package)" >&2; exit 2; }
PORT=18385
declare -A RTS CPUS
for r in $(seq "$ROUNDS"); do
  for spec in "${JARS[@]}"; do
    jar=${spec%%@*}; flags=(); [[ "$spec" == *@* ]] && read -r -a flags <<< "${spec#*@}"
    taskset -c 0 "$JAVA" "${flags[@]}" -jar "$jar" --port "$PORT" > /dev/null 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    for _ in $(seq 100); do (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && break; sleep 0.1; done
    for path in "${PATHS[@]}"; do
      load() { taskset -c 1 "$JAVA" -cp "$BENCH" dev.weft.benchmarks.load.WsPingPong 127.0.0.1 "$PORT" "$path" \
               "$CONNECTIONS" "$BYTES" 0 "$1"; }
      load "$WARMUP" > /dev/null  # a run of its own, so that the CPU read around the next is the measured run's
      t0=$(cpu "$pid"); out=$(load "$SECONDS_"); t1=$(cpu "$pid")
      grep -q "errors=0" <<< "$out" || { echo "ws-pingpong.sh: $spec $path: $out" >&2; exit 1; }
      rps=$(sed -n 's/.*round_trips_per_sec=\([0-9.]*\).*/\1/p' <<< "$out")
      n=$(sed -n 's/.* round_trips=\([0-9]*\).*/\1/p' <<< "$out")
      us=$(echo "scale=2; ($t1 - $t0) * 1000000 / $HZ / $n" | bc)  # the 64 handshakes are in it too
      RTS["$spec $path"]+="$rps "; CPUS["$spec $path"]+="$us "
      echo "$spec $path round $r: $rps round trips/s, ${us} µs CPU per round trip"
    done
    kill "$pid"; wait "$pid" 2> /dev/null || true
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
line="medians:"
for spec in "${JARS[@]}"; do
  for path in "${PATHS[@]}"; do
    line+=" $spec $path $(median <<< "${RTS["$spec $path"]}") rt/s $(median <<< "${CPUS["$spec $path"]}") µs;"
  done
done
echo "$line"
