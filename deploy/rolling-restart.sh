#!/usr/bin/env bash
# A rolling restart behind nginx under load: nginx (its own config in a temp dir, run in the
# foreground on a 127.0.0.1 port; no system config touched) proxies to two instances of the
# demo; wrk loads nginx; instance 1 gets SIGTERM (it drains: --drain-delay, then the graceful
# shutdown), is waited for, started again and waited for until healthy; then instance 2 the same.
# Passes only when wrk saw no socket error and no non-2xx answer.
#
#   deploy/rolling-restart.sh [--duration SECONDS] [--no-build]
#
# Builds samples/target/weft-samples.jar first (--no-build: use the one there), installs nginx
# (Debian nginx-light, else nginx) and wrk when missing and root, loads for SECONDS (default 30,
# at least 10; both restarts must fit in it), stops everything it started, and prints as its
# last line "requests N, errors N, non-2xx N". Exit 0 only when errors and non-2xx are 0.
# docs/deployment.md explains the nginx settings and the numbers.
set -euo pipefail
source "$(dirname "$0")/common.sh"

USAGE="usage: deploy/rolling-restart.sh [--duration SECONDS] [--no-build]"
DURATION=30
MIN_DURATION=10
NO_BUILD=0
parse_common "$@"

JAVA_HOME=$(pick_jdk); export JAVA_HOME; JAVA="$JAVA_HOME/bin/java"
PATH="$PATH:/usr/sbin" # where Debian puts nginx; a non-root PATH often lacks it
if ! command -v nginx >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "installing nginx-light (else nginx)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; } >/dev/null 2>&1 || true
fi
command -v nginx >/dev/null || die "nginx is missing (Debian: apt-get install nginx-light) and cannot be installed here (not root or no apt-get)"
need wrk wrk
need curl curl
build_jar

WORK=$(mktemp -d /tmp/weft-rolling.XXXXXX)
chmod 755 "$WORK" # nginx's workers may run as another user (nobody) when started as root
trap cleanup EXIT
trap 'exit 130' INT TERM

# The drain delay: long enough for nginx to stop using the instance. nginx (open source) has no
# active health checks: what moves it is each response's Connection: close (its keep-alive
# connection to the instance ends) and, once the listener closes, a refused connect, which
# proxy_next_upstream retries on the other instance and max_fails/fail_timeout remember.
# 1 s is enough for that; the short smoke uses it, the full run 3 s (k8s would use more, see the docs).
if [ "$DURATION" -ge 20 ]; then DRAIN=3; else DRAIN=1; fi
FAIL_TIMEOUT=1
start_demo i1 --port 0 --drain-delay "$DRAIN"; I1=$LAST_PID
start_demo i2 --port 0 --drain-delay "$DRAIN"; I2=$LAST_PID
wait_log "$I1" "$WORK/i1.log" "listening on port" 120
wait_log "$I2" "$WORK/i2.log" "listening on port" 120
P1=$(port_of i1); P2=$(port_of i2); PN=$(free_port)
wait_healthy "$I1" "$P1" 60 "$WORK/i1.log"
wait_healthy "$I2" "$P2" 60 "$WORK/i2.log"

cat >"$WORK/nginx.conf" <<EOF
# Written by deploy/rolling-restart.sh; see docs/deployment.md.
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/client_body;
  proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi;
  uwsgi_temp_path $WORK/uwsgi;
  scgi_temp_path $WORK/scgi;
  upstream weft {
    # One failure (a refused connect, a timeout, a 503) takes an instance out for
    # fail_timeout, then nginx tries it again with one request. The next restart waits longer
    # than that after this instance is healthy again: with both marked down nginx answers 502.
    server 127.0.0.1:$P1 max_fails=1 fail_timeout=${FAIL_TIMEOUT}s;
    server 127.0.0.1:$P2 max_fails=1 fail_timeout=${FAIL_TIMEOUT}s;
    keepalive 32;            # idle keep-alive connections to the instances, per worker
  }
  server {
    listen 127.0.0.1:$PN;
    location / {
      proxy_pass http://weft;
      proxy_http_version 1.1;          # keep-alive to the upstream needs 1.1 ...
      proxy_set_header Connection "";  # ... and no "Connection: close" passed on
      # Retry on the other instance when this one refuses, times out or answers 503. nginx
      # never retries a non-idempotent request (POST, PATCH, ...) once it was sent, unless
      # "non_idempotent" is added here: a POST that reached a dying instance is not replayed.
      proxy_next_upstream error timeout http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 1s;
      proxy_read_timeout 15s;
    }
  }
}
EOF


# -e: errors to our file from the start (before the config is read, nginx would open its
# compiled-in path); -p/-c: our prefix and config. Needs nginx >= 1.19.5 for -e.
nginx -e "$WORK/nginx-error.log" -p "$WORK" -c "$WORK/nginx.conf" &
NGINX=$!
STARTED+=("$NGINX")
log "nginx: started (pid $NGINX) on 127.0.0.1:$PN -> $P1, $P2"
wait_healthy "$NGINX" "$PN" 30 "$WORK/nginx-error.log"

log "wrk: ${DURATION}s against http://127.0.0.1:$PN/plaintext"
START=$(date +%s)
wrk -t2 -c32 -d"${DURATION}s" --timeout 5s -s "$DEPLOY_DIR/count.lua" "http://127.0.0.1:$PN/plaintext" >"$WORK/wrk.txt" 2>&1 &
WRK=$!
STARTED+=("$WRK")

sleep $((DURATION / 10)) # the load on both first
restart() { # restart NAME PID PORT: SIGTERM, wait for the exit, start again, wait until healthy
  local name=$1 pid=$2 port=$3
  stop_demo "$name" "$pid" $((DRAIN + 10 + 10)) # drain delay + the demo's 10 s grace + slack
  mv "$WORK/$name.log" "$WORK/$name-old.log"
  start_demo "$name" --port "$port" --drain-delay "$DRAIN"
  wait_healthy "$LAST_PID" "$port" 60 "$WORK/$name.log"
  log "$name: healthy again"
}
restart i1 "$I1" "$P1"; I1=$LAST_PID
# nginx marked i1 failed when its listener closed, and tries it again only fail_timeout after
# its last failure: restarting i2 before that leaves no live upstream (502s).
sleep $((FAIL_TIMEOUT + 1))
restart i2 "$I2" "$P2"; I2=$LAST_PID
ELAPSED=$(( $(date +%s) - START ))
[ "$ELAPSED" -lt "$DURATION" ] || log "warning: the restarts took ${ELAPSED}s, the load ran ${DURATION}s: use a longer --duration"

wait "$WRK" || log "wrk exited with $?"
forget "$WRK"
if [ -s "$WORK/nginx-error.log" ]; then
  # Each of these was one attempt at an instance that nginx then retried on the other.
  log "nginx: $(grep -c 'connect() failed (111' "$WORK/nginx-error.log" || true) refused connects," \
      "$(grep -c 'recv() failed (104' "$WORK/nginx-error.log" || true) resets while reading a response header," \
      "$(grep -c 'no live upstreams' "$WORK/nginx-error.log" || true) 'no live upstreams'; last lines of its error log:"
  grep -v '\[warn\]' "$WORK/nginx-error.log" | tail -n 5 | sed 's/^/  /' >&2
fi
FIT=0
[ "$ELAPSED" -lt "$DURATION" ] || { FIT=1; log "error: the restarts did not finish within the load"; }
summary "$WORK/wrk.txt" && exit "$FIT"
