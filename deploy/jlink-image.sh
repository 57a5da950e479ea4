#!/usr/bin/env bash
# A trimmed Java runtime for the demo, built with jlink from the JDK: only the modules that
# jdeps finds the demo's jar to need, plus the jar itself.
#
#   deploy/jlink-image.sh [--no-build] [--output DIR] [--add-modules M1,M2] [--test]
#
#   DIR/bin/java             the runtime (default DIR: deploy/target/image)
#   DIR/app/weft-samples.jar the demo:  DIR/bin/java -jar DIR/app/weft-samples.jar --port 8080
#
# --add-modules adds modules jdeps cannot see (jdk.jfr for -XX:StartFlightRecording, say).
# --test then starts the demo from the image on a free port, checks GET /plaintext and /health
# with curl, sends SIGTERM, checks /health answers 503 during the drain delay and that the demo
# drained and exited with 143 (128 + SIGTERM); exit 0 only then.
# Works on a JDK with jmods/, and on one without them whose jlink can link from its own run-time
# image (JEP 493, JDK 24+, a build option: Temurin 25 ships no jmods and has it).
set -euo pipefail
source "$(dirname "$0")/common.sh"

OUT="$DEPLOY_DIR/target/image"
EXTRA=""
TEST=0
NO_BUILD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) NO_BUILD=1; shift ;;
    --output) [ $# -ge 2 ] || die "--output needs a directory"; OUT=$2; shift 2 ;;
    --add-modules) [ $# -ge 2 ] || die "--add-modules needs a list"; EXTRA=$2; shift 2 ;;
    --test) TEST=1; shift ;;
    -h|--help) sed -n '5,9p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (usage: deploy/jlink-image.sh [--no-build] [--output DIR] [--add-modules M1,M2] [--test])" ;;
  esac
done

JAVA_HOME=$(pick_jdk); export JAVA_HOME
[ -x "$JAVA_HOME/bin/jlink" ] && [ -x "$JAVA_HOME/bin/jdeps" ] || die "no jlink/jdeps in $JAVA_HOME (a JRE, not a JDK?)"
build_jar

# The shaded jar is not modular (its module-info files are filtered out): jdeps reads its
# classes, every multi-release version of them at the running release.
RELEASE=$(java_major "$JAVA_HOME/bin/java")
MODULES=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release "$RELEASE" "$JAR")
[ -n "$MODULES" ] || die "jdeps found no module dependencies in $JAR"
[ -z "$EXTRA" ] || MODULES="$MODULES,$EXTRA"
log "jlink: modules $MODULES"

rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
  --compress zip-6 --output "$OUT"
mkdir -p "$OUT/app"
cp "$JAR" "$OUT/app/weft-samples.jar"
log "image: $OUT, $(du -sh "$OUT" | cut -f1) ($(du -sh "$OUT/app" | cut -f1) of it the jar); $("$OUT/bin/java" --list-modules | tr '\n' ' ')"

[ "$TEST" = 1 ] || exit 0

# The image itself, as a container would run it: start, serve, SIGTERM, drained exit.
need curl curl
WORK=$(mktemp -d /tmp/weft-image.XXXXXX)
trap cleanup EXIT
"$OUT/bin/java" -Xmx64m -jar "$OUT/app/weft-samples.jar" --port 0 --drain-delay 1 >"$WORK/demo.log" 2>&1 &
PID=$!
STARTED+=("$PID")
wait_log "$PID" "$WORK/demo.log" "listening on port" 120
PORT=$(port_of demo)
body=$(curl -s --max-time 5 "http://127.0.0.1:$PORT/plaintext")
[ "$body" = "Hello, World!" ] || die "GET /plaintext from the image answered '$body'"
health=$(curl -s --max-time 5 "http://127.0.0.1:$PORT/health")
[ "$health" = ok ] || die "GET /health from the image answered '$health'"
kill -TERM "$PID"
# During the drain delay the readiness route says 503 (curl has no keep-alive here: a new connection).
sleep 0.3 # give the shutdown hook a moment to start; the check below retries anyway
for _ in $(seq 1 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/health" || true)
  [ "$code" = 503 ] && break
  sleep 0.05
done
[ "$code" = 503 ] || die "GET /health during the drain delay answered '$code', not 503"
rc=0; wait "$PID" || rc=$?
forget "$PID"
grep -q "shut down: ShutdownReport" "$WORK/demo.log" || { cat "$WORK/demo.log" >&2; die "no shutdown report"; }
[ "$rc" = 143 ] || { cat "$WORK/demo.log" >&2; die "exit status $rc, not 143 (SIGTERM)"; }
log "image test passed: served, 503 while draining, drained on SIGTERM, exit 143"
