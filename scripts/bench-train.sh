#!/usr/bin/env bash
# Seconds per L-BFGS iteration of `train --loss softmax-ce` against MLlib's multinomial
# LogisticRegression, on Spark local[2], same data, same iteration count, same objective
# (mean cross-entropy + reg/2·||W||², standardization off), both evaluated by the same pass.
# MLlib's iterations are timed by a listener on its loss-function jobs (its fit also summarises
# and blocks the data first). spark-gemm runs float32 and float64 blocks (sums stay float64),
# 2x the iterations each, to also report the time it needs to reach MLlib's final objective.
# The last lines per shape are Markdown table rows:
# | shape | dtype | iterations | s/iter ours | s/iter MLlib | speedup | objective ours
# | objective MLlib | ours to MLlib's objective | MLlib's iterations | speedup at equal objective
# | ours read+block | MLlib fit before its first iteration |
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_OPTS="${JAVA_OPTS:--Xmx14g}"
dir="${BENCH_DIR:-/tmp/spark-gemm-bench-train}"
iterations="${ITERATIONS:-10}"
mkdir -p "$dir"
for shape in "500000 784 10" "200000 1024 256"; do
  read -r rows features classes <<<"$shape"
  data="$dir/${rows}x${features}x${classes}"
  if [ ! -d "$data" ]; then
    "$root/scripts/spark-gemm" generate --master 'local[2]' --rows "$rows" \
      --features "$features" --outputs "$classes" --task classification --format parquet \
      --partitions 4 --seed 1 --out "$data"
  fi
  "$root/scripts/spark-gemm" bench-train --master 'local[2]' --x "$data/X.parquet" \
    --classes "$classes" --iterations "$iterations"
done
