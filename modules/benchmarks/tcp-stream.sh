#!/usr/bin/env bash
# The 1 GiB TCP echo stream of two or more builds of the samples' EchoServer, with Netty 4.1 epoll
# and the selector sample (EventLoopEchoServer, from the first jar) beside them: each server in turn
# is started alone on CPU 0, warmed up with --warmup streams, then measured over --streams streams of
# --mib MiB each by load/TcpStream on CPU 1; the figures are GB/s and the server's utime+stime per
# GiB from /proc/PID/stat. Alternates the servers for --rounds rounds (default 3), so drift in the
# machine falls on all of them, and ends with the medians over every measured stream.
#
#   modules/benchmarks/tcp-stream.sh [--rounds N] [--warmup N] [--streams N] [--mib M] JAR[@JVMARGS] JAR...
#
# JAR is a weft-samples.jar; JAR@JVMARGS starts it with those JVM flags (e.g. @-Ddev.weft.core.yieldFairness=false),
# so one jar can be compared with itself under two settings. Needs Linux, taskset, bc, a JDK 21+
# (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64) and modules/benchmarks/target/weft-benchmarks.jar
# (./mvnw -Pbenchmarks -DskipTests package). Last line: "medians: …".
set -euo pipefail
ROUNDS=3; WARMUP=2; STREAMS=5; MIB=1024
JARS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --streams) STREAMS=$2; shift 2 ;;
    --mib) MIB=$2; shift 2 ;;
    -*) echo "tcp-stream.sh: unknown option $1" >&2; exit 2 ;;
    *) JARS+=("$1"); shift ;;
  esac
done
[[ ${#JARS[@]} -ge 1 ]] || { echo "tcp-stream.sh: give at least one weft-samples.jar" >&2; exit 2; }
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"  # JAVA, HZ, cpu PID
BENCH="$(cd "$(dirname "$0")" && pwd)/target/weft-benchmarks.jar"
[[ -f "$BENCH" ]] || { echo "tcp-stream.sh: $BENCH is missing (./mvnw -Pbenchmarks -DskipTests package)" >&2; exit 2; }
PORT=18384
BYTES=$((MIB << 20))
SERVERS=("netty-epoll" "selector" "${JARS[@]}")
declare -A GBS CPUS
stream() { taskset -c 1 "$JAVA" -cp "$BENCH" dev.weft.benchmarks.load.TcpStream 127.0.0.1 "$PORT" "$BYTES" 0 60; }
for r in $(seq "$ROUNDS"); do
  for spec in "${SERVERS[@]}"; do
    case "$spec" in
      netty-epoll) cmd=("$JAVA" -cp "$BENCH" dev.weft.benchmarks.peers.NettyEchoServer "$PORT" --epoll) ;;
      selector) cmd=("$JAVA" -cp "${JARS[0]%%@*}" dev.weft.samples.EventLoopEchoServer --port "$PORT") ;;
      *) jar=${spec%%@*}; flags=(); [[ "$spec" == *@* ]] && read -r -a flags <<< "${spec#*@}"
         cmd=("$JAVA" "${flags[@]}" -cp "$jar" dev.weft.samples.EchoServer --port "$PORT") ;;
    esac
    taskset -c 0 "${cmd[@]}" > /dev/null 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    for _ in $(seq 100); do (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && break; sleep 0.1; done
    for _ in $(seq "$WARMUP"); do stream > /dev/null; done
    line="$spec round $r:"
    for _ in $(seq "$STREAMS"); do
      t0=$(cpu "$pid"); out=$(stream); t1=$(cpu "$pid")
      grep -q "complete=true errors=0" <<< "$out" || { echo "tcp-stream.sh: $spec: $out" >&2; exit 1; }
      gbs=$(sed -n 's/.*gb_per_sec=\([0-9.]*\).*/\1/p' <<< "$out")
      s=$(echo "scale=3; ($t1 - $t0) * 1024 / ($HZ * $MIB)" | bc)  # CPU seconds per GiB
      GBS[$spec]+="$gbs "; CPUS[$spec]+="$s "
      line+=" $gbs GB/s ${s}s"
    done
    echo "$line"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
summary="medians:"
for spec in "${SERVERS[@]}"; do
  summary+=" $spec $(median <<< "${GBS[$spec]}") GB/s $(median <<< "${CPUS[$spec]}") s CPU/GiB;"
done
echo "${summary%;}"
