#!/usr/bin/env bash
# A trimmed Java runtime for the demo, built with jlink from the JDK: only the modules that
# jdeps finds the demo's jar to need, plus the jar itself.
#
#   deploy/jlink-image.sh [--no-build] [--output DIR] [--add-modules M1,M2] [--no-aot-cache] [--test]
#
#   DIR/bin/java             the runtime (default DIR: deploy/target/image)
#   DIR/app/weft-samples.jar the demo:  DIR/bin/java -jar DIR/app/weft-samples.jar --port 8080
#   DIR/app/weft-samples.aot its AOT cache (JDK 25+): add -XX:AOTCache=DIR/app/weft-samples.aot
#
# --add-modules adds modules jdeps cannot see (jdk.jfr for -XX:StartFlightRecording, say).
# The AOT cache (JEP 483/514) holds the demo's classes loaded and linked, recorded by a training
# run of the image's own java that serves a few requests and is stopped with SIGTERM; a start
# with it skips loading, verifying and linking them again. It fits only that runtime and that jar.
# --no-aot-cache leaves it out; a JDK before 25 has no -XX:AOTCacheOutput and gets none.
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
AOT=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) NO_BUILD=1; shift ;;
    --output) [ $# -ge 2 ] || die "--output needs a directory"; OUT=$2; shift 2 ;;
    --add-modules) [ $# -ge 2 ] || die "--add-modules needs a list"; EXTRA=$2; shift 2 ;;
    --no-aot-cache) AOT=0; shift ;;
    --test) TEST=1; shift ;;
    -h|--help) sed -n '5,10p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (usage: deploy/jlink-image.sh [--no-build] [--output DIR] [--add-modules M1,M2] [--no-aot-cache] [--test])" ;;
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

if [ "$AOT" = 1 ] && [ "$RELEASE" -lt 25 ]; then
  log "no AOT cache: JDK $RELEASE has no -XX:AOTCacheOutput (25+)"
  AOT=0
fi
# Without an AOT cache, the runtime's own CDS archive of its JDK classes (a JDK ships one, a
# jlink image has none unless asked): the start reads them mapped instead of parsing them. With
# the cache it would be unused weight: the cache holds those classes too.
CDS=()
[ "$AOT" = 1 ] || CDS=(--generate-cds-archive)
rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
  --compress zip-6 "${CDS[@]+"${CDS[@]}"}" --output "$OUT"
mkdir -p "$OUT/app"
cp "$JAR" "$OUT/app/weft-samples.jar"
log "image: $OUT, $(du -sh "$OUT" | cut -f1) ($(du -sh "$OUT/app" | cut -f1) of it the jar); $("$OUT/bin/java" --list-modules | tr '\n' ' ')"

WORK=$(mktemp -d /tmp/weft-image.XXXXXX)
trap cleanup EXIT
CACHE="$OUT/app/weft-samples.aot"
if [ "$AOT" = 1 ]; then
  # The training run: what the demo loads to serve its common routes is what the cache holds.
  # It is written when the JVM exits, so after SIGTERM and the drain. The same heap size as
  # the test below; a different one at run time still uses the cache.
  need curl curl
  "$OUT/bin/java" -Xmx64m -XX:AOTCacheOutput="$CACHE" -jar "$OUT/app/weft-samples.jar" --port 0 >"$WORK/train.log" 2>&1 &
  PID=$!
  STARTED+=("$PID")
  wait_log "$PID" "$WORK/train.log" "listening on port" 120
  PORT=$(port_of train)
  for _ in 1 2 3; do
    for path in /plaintext /json /health /no-such-route; do
      curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT$path" || die "training request $path failed"
    done
    curl -s -o /dev/null --max-time 5 --data-binary 'training' "http://127.0.0.1:$PORT/echo" || die "training POST /echo failed"
  done
  kill -TERM "$PID"
  rc=0; wait "$PID" || rc=$?
  forget "$PID"
  [ -s "$CACHE" ] || { cat "$WORK/train.log" >&2; die "the training run (exit $rc) wrote no AOT cache $CACHE"; }
  log "AOT cache: $CACHE, $(du -sh "$CACHE" | cut -f1); start with -XX:AOTCache=$CACHE"
fi

[ "$TEST" = 1 ] || exit 0

# The image itself, as a container would run it: start, serve, SIGTERM, drained exit. With the
# AOT cache, -XX:AOTMode=on makes a cache the JVM cannot use an error instead of a silent miss.
need curl curl
AOT_FLAGS=()
[ "$AOT" = 1 ] && AOT_FLAGS=(-XX:AOTMode=on -XX:AOTCache="$CACHE")
"$OUT/bin/java" -Xmx64m "${AOT_FLAGS[@]+"${AOT_FLAGS[@]}"}" -jar "$OUT/app/weft-samples.jar" --port 0 --drain-delay 1 >"$WORK/demo.log" 2>&1 &
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
log "image test passed: served$([ "$AOT" = 1 ] && echo " with the AOT cache"), 503 while draining, drained on SIGTERM, exit 143"
