#!/usr/bin/env bash
# One fused forward + backward pass (dX included) over cached X on Spark local[2], against the
# single-process floor (the same GEMMs on the same blocks, 2 OpenBLAS threads, no Spark).
#   scripts/bench-pass.sh                 1,000,000 x 512 -> 256, float64 then float32
#   scripts/bench-pass.sh --rows 200000   any bench-pass option (see scripts/spark-gemm bench-pass --help)
# JAVA_OPTS defaults to -Xmx14g: X alone is rows x 512 x 8 bytes (4 GB at the default size).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_OPTS="${JAVA_OPTS:--Xmx14g}"
for dtype in float64 float32; do
  "$root/scripts/spark-gemm" bench-pass --master local[2] --dtype "$dtype" "$@"
done
