# Shared by deploy/*.sh (sourced, not run): the JDK, the demo jar, wrk, starting and stopping
# instances of the demo, and the one summary line every script ends with.

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DEPLOY_DIR/.." && pwd)"
JAR="$ROOT/samples/target/weft-samples.jar"

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 2; }

java_major() { # the feature version of the java binary $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1 || echo 0
}

# JAVA_HOME if it is a JDK >= 21, else the newest one under /usr/lib/jvm (the machine's java may be older).
pick_jdk() {
  local best="" best_v=0 home v
  for home in ${JAVA_HOME:-} /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/*; do
    [ -n "$home" ] && [ -x "$home/bin/javac" ] || continue
    v=$(java_major "$home/bin/java"); v=${v:-0}
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$home"; best_v="$v"; fi
  done
  [ -n "$best" ] || die "no JDK >= 21 found (looked at JAVA_HOME and /usr/lib/jvm/*)"
  echo "$best"
}

# Builds samples/target/weft-samples.jar (and what it depends on) unless --no-build was given.
build_jar() {
  if [ "${NO_BUILD:-0}" = 1 ]; then
    [ -f "$JAR" ] || die "--no-build, but $JAR is missing"
    return
  fi
  log "building $JAR"
  (cd "$ROOT" && ./mvnw -B -q -pl samples -am package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true) >&2
}

# Installs Debian packages when a command is missing, as root with apt-get; else says what is missing.
need() { # need COMMAND PACKAGE...
  local cmd=$1; shift
  command -v "$cmd" >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing $*"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >/dev/null 2>&1 || true
  fi
  command -v "$cmd" >/dev/null || die "$cmd is missing (Debian: apt-get install $*) and cannot be installed here (not root or no apt-get)"
}

# A free TCP port on 127.0.0.1 for nginx (the kernel picks it; another process may take it before
# nginx binds it: then nginx exits and wait_healthy says so). The demo instances take --port 0
# and log the port they got instead.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# PIDs this script started and has not seen end; the EXIT trap stops whatever of them is still
# running. A PID is forgotten once its process was waited for: the number may be reused by then.
STARTED=()
forget() {
  local pid keep=()
  for pid in "${STARTED[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  STARTED=("${keep[@]}")
}
cleanup() {
  local pid
  for pid in "${STARTED[@]+"${STARTED[@]}"}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED[@]+"${STARTED[@]}"}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
}

# start_demo NAME ARGS...: starts the demo in the background; its PID in $LAST_PID, log in $WORK/NAME.log.
start_demo() {
  local name=$1; shift
  "$JAVA" -Xmx256m -jar "$JAR" "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  STARTED+=("$LAST_PID")
  log "$name: started (pid $LAST_PID) with $*"
}

# wait_log PID FILE PATTERN SECONDS: until FILE contains PATTERN; fails if PID ends or time runs out.
wait_log() {
  local pid=$1 file=$2 pattern=$3 secs=$4 end=$((SECONDS + $4))
  while [ "$SECONDS" -lt "$end" ]; do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$file" >&2; die "pid $pid ended before '$pattern'"; }
    sleep 0.1
  done
  cat "$file" >&2
  die "no '$pattern' in $file after ${secs}s"
}

# wait_healthy PID PORT SECONDS [LOG]: until GET /health on PORT answers 200; fails at once if PID ends.
wait_healthy() {
  local pid=$1 port=$2 secs=$3 file=${4:-} end=$((SECONDS + $3))
  while [ "$SECONDS" -lt "$end" ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/health" || true)" = 200 ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      [ -z "$file" ] || tail -n 20 "$file" >&2
      die "pid $pid ended before port $port was healthy"
    fi
    sleep 0.1
  done
  [ -z "$file" ] || tail -n 20 "$file" >&2
  die "port $port not healthy after ${secs}s"
}

# port_of NAME: the port the demo NAME logged ("listening on port N"), once it has.
port_of() {
  sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$WORK/$1.log" | head -n1
}

# stop_demo NAME PID SECONDS: SIGTERM, then wait for the process to exit (it drains first).
stop_demo() {
  local name=$1 pid=$2 secs=$3 end=$((SECONDS + $3))
  log "$name: SIGTERM (pid $pid)"
  kill -TERM "$pid"
  while [ "$SECONDS" -lt "$end" ]; do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; forget "$pid"; log "$name: exited; $(grep -o 'shut down: .*' "$WORK/$name.log" | tail -n1)"; return 0; }
    sleep 0.1
  done
  die "$name (pid $pid) still running ${secs}s after SIGTERM"
}

# summary WRK_OUTPUT: prints wrk's output, then the last line "requests N, errors N, non-2xx N";
# returns 0 only when errors and non-2xx are both 0 (and wrk made requests at all).
summary() {
  local out=$1 line requests errors non2xx
  cat "$out" >&2
  line=$(grep '^weft: requests' "$out" | tail -n1 || true)
  [ -n "$line" ] || { echo "requests 0, errors 1, non-2xx 0"; log "wrk printed no summary"; return 1; }
  requests=$(echo "$line" | sed -n 's/^weft: requests \([0-9]*\),.*/\1/p')
  errors=$(echo "$line" | sed -n 's/.*, errors \([0-9]*\) .*/\1/p')
  non2xx=$(echo "$line" | sed -n 's/.*, non-2xx \([0-9]*\)$/\1/p')
  echo "requests $requests, errors $errors, non-2xx $non2xx"
  [ "$errors" = 0 ] && [ "$non2xx" = 0 ] && [ "$requests" -gt 0 ]
}

# parse_common "$@": --duration SECONDS (default $DURATION), --no-build; sets DURATION, NO_BUILD.
parse_common() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --duration) [ $# -ge 2 ] || die "--duration needs a value in seconds"; DURATION=$2; shift 2 ;;
      --duration=*) DURATION=${1#--duration=}; shift ;;
      --no-build) NO_BUILD=1; shift ;;
      -h|--help) echo "$USAGE"; exit 0 ;;
      *) echo "$USAGE" >&2; die "unknown argument '$1'" ;;
    esac
  done
  [[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge "$MIN_DURATION" ] && [ "$DURATION" -le 600 ] \
    || die "--duration: '$DURATION' must be whole seconds, $MIN_DURATION-600"
}
