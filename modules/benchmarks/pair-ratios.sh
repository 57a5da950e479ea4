#!/usr/bin/env bash
# Per-round ratios of two servers from one run's results.csv: for each workload both have, A's
# value over B's in the same round, then the median of those ratios, their range, and how many
# rounds are at or below --below (default 0.95). Servers measured back to back in a round
# (run.sh --only A,B) share the machine's state of that minute, which the medians of a full
# run's rounds do not.
#
#   modules/benchmarks/pair-ratios.sh [--below X] results.csv A B     # e.g. … results.csv weft netty-epoll
#
# Needs awk and sort.
set -euo pipefail
BELOW=0.95
if [[ "${1:-}" == "--below" ]]; then BELOW=$2; shift 2; fi
[[ $# -eq 3 ]] || { echo "usage: pair-ratios.sh [--below X] results.csv A B" >&2; exit 2; }
CSV=$1; A=$2; B=$3
[[ -f "$CSV" ]] || { echo "pair-ratios.sh: no such file: $CSV" >&2; exit 2; }
# The CSV's first four columns are round,server,workload,value (the detail column comes last, quoted).
awk -F, -v a="$A" -v b="$B" 'NR > 1 && ($2 == a || $2 == b) { v[$1 SUBSEP $2 SUBSEP $3] = $4; w[$3] = 1; r[$1] = 1 }
  END {
    for (k in w) for (i in r) {
      x = v[i SUBSEP a SUBSEP k]; y = v[i SUBSEP b SUBSEP k]
      if (x != "" && y != "" && y + 0 != 0) printf "%s %.4f\n", k, x / y
    }
  }' "$CSV" | sort -k1,1 -k2,2g | awk -v below="$BELOW" -v a="$A" -v b="$B" '
  function flush() {
    if (n == 0) return
    med = (n % 2) ? q[(n + 1) / 2] : (q[n / 2] + q[n / 2 + 1]) / 2
    printf "%-22s %6.2f× %6.2f–%.2f× %5d of %d\n", cur, med, q[1], q[n], le, n
  }
  BEGIN { printf "%-22s %7s %12s %13s\n", "workload (" a " / " b ")", "median", "range", "≤ " below "×" }
  $1 != cur { flush(); cur = $1; n = 0; le = 0 }
  { q[++n] = $2; if ($2 <= below) le++ }
  END { flush() }'
