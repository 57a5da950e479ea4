# Sourced by the before/after scripts here (cpu-per-request.sh, h2-cpu-per-request.sh, tcp-stream.sh,
# syscalls-per-request.sh, thread-cpu.sh):
# the JDK they start servers with, the server CPU they read, and how a server spec splits.
# shellcheck shell=bash
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
HZ=$(getconf CLK_TCK)
# utime + stime of process $1 in clock ticks (USER_HZ), from /proc/PID/stat.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Splits a server spec JAR[@JVMFLAGS[@ARGS]] ($1) into jar, jvm (words before -jar) and args
# (HttpDemo flags after it), so one jar can be compared with itself under other settings.
split_spec() {
  local rest
  jar=${1%%@*}; jvm=(); args=()
  if [[ "$1" == *@* ]]; then
    rest=${1#*@}
    read -r -a jvm <<< "${rest%%@*}"
    [[ "$rest" == *@* ]] && read -r -a args <<< "${rest#*@}"
  fi
  return 0
}
