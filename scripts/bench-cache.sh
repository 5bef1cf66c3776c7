#!/usr/bin/env bash
# Which --storage-level for data bigger than memory (a benchmark, not a test). Generates X with
# regression targets as .npy and as Parquet (default 500,000 x 512 float64: 2.0 GB of X) and
# trains a linear model on each with 3 L-BFGS iterations in local[2]: once with a heap that holds
# the cached blocks (HEAP_FIT, default 8g) and then, with a heap that does not (HEAP, default
# 1500m), under each storage level in LEVELS. What does not fit is spilled to local disk
# (MEMORY_AND_DISK, DISK_ONLY) or read again from the input at every pass (MEMORY_ONLY). Prints,
# per run, where the blocks were cached, read+block seconds, passes, seconds per pass and the
# final objective (which must agree across runs of one format), and each run's seconds per pass
# over the fitting run's. A run that fails is reported and the others go on (exit 1 at the end).
#   scripts/bench-cache.sh                               defaults
#   ROWS=250000 LEVELS="MEMORY_ONLY" scripts/bench-cache.sh
# Work folder: target/bench-cache (the data is kept, so reruns skip generating).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${ROWS:-500000}
features=${FEATURES:-512}
outputs=${OUTPUTS:-16}
heap=${HEAP:-1500m}
heap_fit=${HEAP_FIT:-8g}
levels=${LEVELS:-MEMORY_AND_DISK MEMORY_ONLY DISK_ONLY}
formats=${FORMATS:-npy parquet}
work=${WORK:-$root/target/bench-cache}
mkdir -p "$work"
for format in $formats; do
  if [[ ! -f "$work/$format/_SPARK_GEMM" ]]; then
    JAVA_OPTS="-Xmx6g" "$root/scripts/spark-gemm" generate --rows "$rows" --features "$features" \
      --outputs "$outputs" --task regression --format "$format" --master 'local[2]' \
      --out "$work/$format" --overwrite >/dev/null 2>&1
  fi
done

# run NAME FORMAT HEAP LEVEL: one train, its report summarised on one line.
run() {
  local name=$1 format=$2 mem=$3 level=$4 input
  if [[ $format == npy ]]; then
    input=(--x "$work/npy/X.npy" --labels "$work/npy/targets.npy")
  else
    input=(--x "$work/parquet/X.parquet" --id-col id --labels-col targets)
  fi
  local log="$work/$name.log"
  if ! JAVA_OPTS="-Xmx$mem" "$root/scripts/spark-gemm" train "${input[@]}" --loss mse \
      --outputs "$outputs" --optimizer lbfgs --max-iter 3 --storage-level "$level" \
      --master 'local[2]' --out "$work/out-$name" --overwrite >"$log" 2>&1; then
    echo "$name: train failed ($(grep -m 1 -o 'OutOfMemoryError[^ ]*\|^error: .*' "$log" || echo "see $log"))"
    failed=1
    return
  fi
  local cached
  cached=$(grep -o 'Cached blocks of .*' "$log" | sed -e 's/^Cached blocks of [^(]*//' | head -n 1)
  python3 - "$work/out-$name/report.json" "$name" "$mem" "$work/$format.fit" "$cached" <<'PY'
import json, os, sys
report, name, mem, fit_file, cached = sys.argv[1:6]
r = json.load(open(report))
s = r["seconds"]
per_pass = s["passes"] / r["passes"]
if name.endswith("-fit"):
    open(fit_file, "w").write(str(per_pass))
base = float(open(fit_file).read()) if os.path.exists(fit_file) else per_pass
print(f"{name:26s} heap {mem:6s} read+block {s['readAndBlock']:6.1f} s  {r['passes']} passes "
      f"{per_pass:6.2f} s/pass ({per_pass / base:4.2f}x fit)  objective "
      f"{r['finalObjective']:.12e}  {cached}")
PY
}

echo "X: $rows x $features float64 ($(du -sh "$work/npy/X.npy" 2>/dev/null | cut -f1) as .npy," \
  "$(du -sh "$work/parquet/X.parquet" 2>/dev/null | cut -f1) as Parquet), k = $outputs, local[2]"
failed=0
for format in $formats; do
  rm -f "$work/$format.fit"
  run "$format-fit" "$format" "$heap_fit" MEMORY_AND_DISK
  for level in $levels; do
    run "$format-$level" "$format" "$heap" "$level"
  done
done
exit "$failed"
