#!/usr/bin/env bash
# System calls per HTTP request of one or more builds of HttpDemo, with Netty 4.1 epoll beside them:
# each server in turn is started alone on CPU 0, warmed up with wrk (CPU 1) for 3 s, then counted
# for 5 s of a 6 s wrk run by `perf stat` on the kernel's syscall tracepoints (all threads of the
# server); each count over the requests wrk made in those 5 s is the figure. Unlike CPU time, the
# counts hardly move from run to run, and they tell where a server's kernel time goes: on this
# kind of virtual machine about two thirds of a keep-alive server's CPU is in system calls.
#
#   modules/benchmarks/syscalls-per-request.sh [--rounds N] [--path /json] [--connections 256] [--script FILE.lua]
#                                              JAR[@JVMFLAGS[@ARGS]] JAR...
#
# JAR is a weft-samples.jar; JAR@JVMFLAGS starts it with those words before -jar (e.g.
# @-Ddev.weft.core.yieldBeforeIdleRead=false), JAR@JVMFLAGS@ARGS also with those HttpDemo flags
# after it (e.g. JAR@@--hibernate-idle-after 1000), so one jar can be compared with itself. Prints one
# line per run: server, round, req/s, then syscalls per request in all and for each kind that
# occurred. Needs Linux, wrk, taskset, bc, perf (Debian's linux-perf) with tracepoints readable
# (root), a JDK 21+ (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64) and
# modules/benchmarks/target/weft-benchmarks.jar (./mvnw -Pbenchmarks -DskipTests package).
set -euo pipefail
ROUNDS=1; URL_PATH=/json; CONNS=256; SCRIPT=""
JARS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --path) URL_PATH=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --script) SCRIPT=$2; shift 2 ;;
    -*) echo "syscalls-per-request.sh: unknown option $1" >&2; exit 2 ;;
    *) JARS+=("$1"); shift ;;
  esac
done
[[ ${#JARS[@]} -ge 1 ]] || { echo "syscalls-per-request.sh: give at least one weft-samples.jar" >&2; exit 2; }
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"  # JAVA, split_spec
BENCH="$(cd "$(dirname "$0")" && pwd)/target/weft-benchmarks.jar"
[[ -f "$BENCH" ]] || { echo "syscalls-per-request.sh: $BENCH is missing (./mvnw -Pbenchmarks -DskipTests package)" >&2; exit 2; }
command -v perf > /dev/null || { echo "syscalls-per-request.sh: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
PORT=18385
SCRIPT_ARGS=(); [[ -n "$SCRIPT" ]] && SCRIPT_ARGS=(-s "$SCRIPT")
KINDS=(read write recvfrom sendto readv writev epoll_ctl epoll_wait epoll_pwait futex sched_yield ioctl fcntl)
EVENTS=raw_syscalls:sys_enter
for k in "${KINDS[@]}"; do EVENTS+=",syscalls:sys_enter_$k"; done
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for r in $(seq "$ROUNDS"); do
  for spec in netty-epoll "${JARS[@]}"; do
    if [[ "$spec" == netty-epoll ]]; then
      cmd=("$JAVA" -cp "$BENCH" dev.weft.benchmarks.peers.NettyHttpServer "$PORT" --epoll)
    else
      split_spec "$spec"
      cmd=("$JAVA" "${jvm[@]}" -jar "$jar" --port "$PORT" "${args[@]}")
    fi
    taskset -c 0 "${cmd[@]}" > "$OUT/server.log" 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null || true; rm -rf "$OUT"' EXIT
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/plaintext" > /dev/null 2>&1 && break; sleep 0.1; done
    taskset -c 1 wrk -t1 -c"$CONNS" -d3s "${SCRIPT_ARGS[@]}" "http://127.0.0.1:$PORT$URL_PATH" > /dev/null
    taskset -c 1 wrk -t1 -c"$CONNS" -d6s "${SCRIPT_ARGS[@]}" "http://127.0.0.1:$PORT$URL_PATH" > "$OUT/wrk.out" &
    w=$!
    sleep 0.5
    perf stat -x, -e "$EVENTS" -p "$pid" -- sleep 5 2> "$OUT/perf.out"
    wait "$w"
    rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk.out")
    n=$(echo "$rps * 5" | bc)
    # perf -x, lines: count,unit,event,...; kinds that never occurred are left out.
    counts=$(awk -F, -v n="$n" '$1 ~ /^[0-9]+$/ {e=$3; sub(/^.*sys_enter_?/, "", e); if (e == "") e = "all";
      if ($1 > 0) printf " %s %.2f", e, $1 / n}' "$OUT/perf.out")
    echo "$spec round $r: $rps req/s; syscalls/request:$counts"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
