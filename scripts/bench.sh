#!/usr/bin/env bash
# spark-gemm against MLlib and the single-process floor, on the same seeded data (spark-gemm bench):
#   scripts/bench.sh                          the quick run (a few minutes), local[2], --out bench-results
#   scripts/bench.sh --full                   every shape, contender and pipe section (about 25 minutes)
#   scripts/bench.sh --shapes 200000x512x256 --reps 5 --out /tmp/b   any bench option (--help)
# Prints the table and writes OUT/bench.json and OUT/bench.png. JAVA_OPTS defaults to -Xmx18g:
# the floor holds X, G and labels on the driver, and each contender caches its own copy of X
# (one at a time) in the same JVM in local mode. OPENBLAS_NUM_THREADS stays 1: --blas-threads
# sets the threads per task.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_OPTS="${JAVA_OPTS:--Xmx18g}"
args=("$@")
has() { local o; for o in "${args[@]}"; do case "$o" in "$1" | "$1"=*) return 0 ;; esac; done; return 1; }
extra=()
has --master || extra+=(--master 'local[2]')
has --out || extra+=(--out "$root/bench-results" --overwrite)
exec "$root/scripts/spark-gemm" bench "${extra[@]}" "$@"
