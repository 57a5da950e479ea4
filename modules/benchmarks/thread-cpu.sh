#!/usr/bin/env bash
# Per thread of the server: CPU time and context switches per HTTP request, for one or more builds
# (or settings) of HttpDemo. Each server in turn is started alone on CPU 0, warmed up with wrk
# (CPU 1) for 4 s, then /proc/PID/task/*/{stat,status} are read before and after an 8 s wrk run.
# It shows which threads besides the carriers run while the server serves, and how often they
# preempt the carrier (the carrier's involuntary switches): on one pinned CPU every wake-up of a
# helper thread (the JDK's delay scheduler, the poller) is a switch away from the connections.
#
#   modules/benchmarks/thread-cpu.sh [--rounds N] [--path /plaintext] [--connections 16] JAR[@JVMFLAGS[@ARGS]] JAR...
#
# JAR@JVMFLAGS@ARGS as for syscalls-per-request.sh (weft-samples.jar@@--hibernate-idle-after 1000).
# Prints per run: server, round, requests, wrk's p99; then one line per thread that used CPU or
# switched more than once per 1,000 requests: CPU µs per request, voluntary and involuntary
# context switches per request. Thread names are the JVM's (jcmd Thread.print), not the kernel's
# 15-character ones. Needs Linux, wrk, taskset, curl and a JDK 21+ (JAVA_HOME or
# /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
export LC_ALL=C  # sort and join agree on the order of the thread ids
ROUNDS=1; URL_PATH=/plaintext; CONNS=16
JARS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --path) URL_PATH=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    -*) echo "thread-cpu.sh: unknown option $1" >&2; exit 2 ;;
    *) JARS+=("$1"); shift ;;
  esac
done
[[ ${#JARS[@]} -ge 1 ]] || { echo "thread-cpu.sh: give at least one weft-samples.jar" >&2; exit 2; }
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"  # JAVA, HZ, split_spec
JCMD="$(dirname "$JAVA")/jcmd"
PORT=18386
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# tid, utime + stime (ticks), voluntary and involuntary switches of every thread of process $1.
snapshot() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" 'FNR == NR {sub(/^.*\) /, ""); split($0, f, " "); cpu = f[12] + f[13]; next}
      /^voluntary_ctxt_switches/ {v = $2} /^nonvoluntary_ctxt_switches/ {n = $2}
      END {print tid, cpu, v, n}' "$t/stat" "$t/status" 2> /dev/null || true
  done
}
for r in $(seq "$ROUNDS"); do
  for spec in "${JARS[@]}"; do
    split_spec "$spec"
    taskset -c 0 "$JAVA" "${jvm[@]}" -jar "$jar" --port "$PORT" "${args[@]}" > "$OUT/server.log" 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null || true; rm -rf "$OUT"' EXIT
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/plaintext" > /dev/null 2>&1 && break; sleep 0.1; done
    taskset -c 1 wrk -t1 -c"$CONNS" -d4s "http://127.0.0.1:$PORT$URL_PATH" > /dev/null
    snapshot "$pid" | sort > "$OUT/before"
    taskset -c 1 wrk -t1 -c"$CONNS" -d8s --latency "http://127.0.0.1:$PORT$URL_PATH" > "$OUT/wrk.out"
    snapshot "$pid" | sort > "$OUT/after"
    "$JCMD" "$pid" Thread.print 2> /dev/null | sed -n 's/^"\([^"]*\)".* nid=\([0-9]*\) .*/\2 \1/p' | tr ' ' '_' \
      | sed 's/_/ /' | sort > "$OUT/names" || true
    kill "$pid"; wait "$pid" 2>/dev/null || true
    n=$(awk '/requests in/ {print $1}' "$OUT/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk.out")
    echo "$spec round $r: $n requests, p99 $p99"
    join "$OUT/before" "$OUT/after" | join -a 1 - "$OUT/names" \
      | awk -v n="$n" -v hz="$HZ" '{c = ($5 - $2) * 1e6 / hz / n; v = ($6 - $3) / n; s = ($7 - $4) / n;
          name = (NF >= 8) ? $8 : "tid-" $1;
          if (c > 0 || v > 0.001 || s > 0.001) printf "  %-34s %6.2f us/req  voluntary %.3f  involuntary %.3f per request\n", name, c, v, s}' \
      | sort -k2 -nr
  done
done
