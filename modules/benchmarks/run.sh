#!/usr/bin/env bash
# Weft benchmarks: build everything, then run every server through every workload and write
# docs/benchmarks.md (or, with --smoke, modules/benchmarks/target/benchmarks/benchmarks-smoke.md).
#
#   modules/benchmarks/run.sh [--smoke] [--no-build] [--rounds N] [--duration S] [--warmup S]
#                             [--idle N] [--idle-large N] [--static|--no-static] [--h2|--no-h2] [--stream-mib M]
#                             [--only weft,netty-epoll,...] [--report FILE]
#
# Defaults: 3 rounds, 10 s per workload after a 3 s warm-up, 10,000 and 100,000 idle connections,
# the static-file workloads, the HTTP/2 workload (h2load), a 1 GiB stream: about 70 minutes on 2 CPUs. --smoke: Weft alone,
# 1 round, 1 s per workload after a 1 s warm-up (a cold JIT on a busy CI box once measured zero
# requests), 200 idle connections, no large idle count, no static files, no HTTP/2, 64 MiB stream (well under
# a minute after the build); it exits non-zero if a workload fails to run, never because of a number.
# Needs Linux with at least 2 CPUs (servers run on CPU 0, the load on CPU 1), a JDK 21+
# (JAVA_HOME or /usr/lib/jvm/*), taskset and wrk (installed with apt-get when missing and root).
# The non-JVM references, Go's net/http (Debian golang-go) and nginx (Debian nginx-light), are
# installed the same way for full runs; without them those rows are skipped and the report says so.
# h2load (Debian nghttp2-client) drives the HTTP/2 workload: installed the same way whenever that
# workload is on (full runs, or --h2); without it the workload is skipped and the report says so.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
COMMAND="modules/benchmarks/run.sh${*:+ $*}"

die() { echo "run.sh: $*" >&2; exit 2; }

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]) }'
}

find_jdk() {
  local candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  for d in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V -r); do candidates+=("${d%/}"); done
  local best="" best_major=0
  for home in "${candidates[@]}"; do
    [[ -x "$home/bin/java" && -x "$home/bin/jcmd" ]] || continue
    local major
    major=$(java_major "$home/bin/java")
    if [[ -n "$major" && "$major" -ge 21 && "$major" -gt "$best_major" ]]; then
      best="$home"; best_major="$major"
      [[ "$home" == "${JAVA_HOME:-}" ]] && break  # an explicit JAVA_HOME of 21+ wins
    fi
  done
  [[ -n "$best" ]] || die "no JDK 21 or newer found: set JAVA_HOME to one (looked at \$JAVA_HOME and /usr/lib/jvm/*)"
  echo "$best"
}

BUILD=1
SMOKE=0
H2=""
ARGS=()
for a in "$@"; do
  if [[ "$a" == "--no-build" ]]; then BUILD=0; else ARGS+=("$a"); fi
  [[ "$a" == "--smoke" ]] && SMOKE=1
  [[ "$a" == "--h2" ]] && H2=1
  [[ "$a" == "--no-h2" ]] && H2=0
done
# The HTTP/2 workload is on for full runs and off for --smoke unless asked for, as in the runner.
[[ -n "$H2" ]] || H2=$(( SMOKE == 0 ? 1 : 0 ))

JAVA_HOME=$(find_jdk)
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
echo "JDK: $JAVA_HOME ($(java_major "$JAVA_HOME/bin/java"))"

[[ "$(uname -s)" == Linux ]] || die "Linux only: the runner reads /proc and pins with taskset"
[[ "$(nproc --all)" -ge 2 ]] || die "needs at least 2 CPUs: the server runs on CPU 0 and the load on CPU 1"
command -v taskset >/dev/null || die "taskset not found (Debian package util-linux)"
if ! command -v wrk >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "wrk not found: installing the Debian package"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    die "wrk not found: install it (Debian/Ubuntu: sudo apt-get install wrk) and rerun"
  fi
fi

# The references the smoke run does not use: installed like wrk, for full runs only (CI stays lean).
if [[ "$SMOKE" == 0 && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  need=()
  command -v go >/dev/null || need+=(golang-go)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
  if [[ ${#need[@]} -gt 0 ]]; then
    echo "installing the Debian packages ${need[*]} (the Go and nginx reference rows)"
    # nginx's package tries to start the service: nothing here runs one (no systemd), and a failed
    # start must not stop the run; the runner starts its own nginx on a port of its own.
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } \
      || echo "run.sh: could not install ${need[*]}: those rows will be skipped" >&2
  fi
fi

# The HTTP/2 workload's load client; for a smoke run only when --h2 asks for it (CI stays lean).
if [[ "$H2" == 1 ]] && ! command -v h2load >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "h2load not found: installing the Debian package nghttp2-client (the HTTP/2 rows)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null; } \
      || echo "run.sh: could not install nghttp2-client: the HTTP/2 workload will be skipped" >&2
  else
    echo "run.sh: h2load not found (Debian/Ubuntu: sudo apt-get install nghttp2-client): the HTTP/2 workload will be skipped" >&2
  fi
fi

# 100,000 idle connections need 100,000 descriptors in the server and as many in the runner: the
# soft limit goes up to the hard one, and as root the hard one up to the kernel's fs.nr_open.
if [[ "$(id -u)" == 0 ]]; then
  nr_open=$(cat /proc/sys/fs/nr_open 2>/dev/null || echo 1048576)
  want=$(( nr_open < 1048576 ? nr_open : 1048576 ))
  [[ "$(ulimit -Hn)" == unlimited || "$(ulimit -Hn)" -ge "$want" ]] || ulimit -Hn "$want" 2>/dev/null || true
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "open files limit: $(ulimit -n)"

if [[ "$BUILD" == 1 ]]; then
  # The benchmarks module is in the build only with its profile; the samples jar comes with it.
  echo "building: ./mvnw -B -q -Pbenchmarks -DskipTests package"
  ./mvnw -B -q -Pbenchmarks -DskipTests package
fi
# The Go peer: the standard library only, so it builds offline (no module proxy, no toolchain download).
GO_SRC=modules/benchmarks/src/main/go/httpserver
GO_BIN=modules/benchmarks/target/go-httpserver
# Not for the default smoke run, which runs Weft alone (with --only a smoke run may name go).
if command -v go >/dev/null && [[ "$SMOKE" == 0 || " ${ARGS[*]} " == *" --only "* ]]; then
  if [[ ! -x "$GO_BIN" || -n "$(find "$GO_SRC" -newer "$GO_BIN" -type f)" ]]; then
    echo "building the Go peer: go build -o $GO_BIN ($(go version))"
    mkdir -p modules/benchmarks/target
    (cd "$GO_SRC" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$ROOT/$GO_BIN" .) \
      || echo "run.sh: go build failed: the Go row will be skipped" >&2
  fi
fi

[[ -f samples/target/weft-samples.jar ]] || die "samples/target/weft-samples.jar missing: build without --no-build (or ./mvnw -B -Pbenchmarks -DskipTests package)"
[[ -f modules/benchmarks/target/weft-benchmarks.jar ]] || die "modules/benchmarks/target/weft-benchmarks.jar missing: build without --no-build (or ./mvnw -B -Pbenchmarks -DskipTests package)"

# The runner itself stays off the server's CPU.
exec taskset -c 1 "$JAVA_HOME/bin/java" -jar modules/benchmarks/target/weft-benchmarks.jar \
  --java "$JAVA_HOME/bin/java" --command "$COMMAND" "${ARGS[@]}"
