# Sourced by the before/after scripts here (cpu-per-request.sh, h2-cpu-per-request.sh, tcp-stream.sh):
# the JDK they start servers with and the server CPU they read.
# shellcheck shell=bash
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
HZ=$(getconf CLK_TCK)
# utime + stime of process $1 in clock ticks (USER_HZ), from /proc/PID/stat.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
