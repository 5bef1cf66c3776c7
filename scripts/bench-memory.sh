#!/usr/bin/env bash
# Data bigger than memory (a benchmark, not a test). Generates Parquet about twice the heap given
# to local mode (default: 730,000 x 512 float64 = 3.0 GB of X, 1500m heap) and a small dataset
# of the same shape that fits (1/8 of the rows), runs `backward --loss mse` on both with the same
# heap, and prints seconds per million rows for each and their ratio. The big run's blocks are
# cached MEMORY_AND_DISK: what does not fit goes to local disk (the log line "Cached blocks ..."
# says how much went where). Each run's loss and allFinite (from report.json) are printed.
#   scripts/bench-memory.sh                         defaults
#   ROWS=1460000 HEAP=3g scripts/bench-memory.sh    other sizes
# Work folder: target/bench-memory (kept, so reruns skip generating). Remove it to start over.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${ROWS:-730000}
features=${FEATURES:-512}
outputs=${OUTPUTS:-16}
heap=${HEAP:-1500m}
work=${WORK:-$root/target/bench-memory}
small_rows=$((rows / 8))
mkdir -p "$work"
gen() {
  local name=$1 n=$2
  if [[ ! -d "$work/$name" ]]; then
    JAVA_OPTS="-Xmx6g" "$root/scripts/spark-gemm" generate --rows "$n" --features "$features" \
      --outputs "$outputs" --task regression --format parquet --master 'local[2]' \
      --out "$work/$name"
  fi
}
gen big "$rows"
gen small "$small_rows"
echo "X on disk: big $(du -sh "$work/big/X.parquet" | cut -f1), small $(du -sh "$work/small/X.parquet" | cut -f1); heap $heap"
run() {
  local name=$1
  local start end
  start=$(date +%s.%N)
  JAVA_OPTS="-Xmx$heap" "$root/scripts/spark-gemm" backward --x "$work/$name/X.parquet" \
    --id-col id --labels-col targets --loss mse --init xavier --outputs "$outputs" \
    --master 'local[2]' --out "$work/out-$name" --overwrite 2>&1 \
    | grep -E "Cached blocks|backend:|loss \(|read\+block|output:" || true
  end=$(date +%s.%N)
  python3 - "$work/out-$name/report.json" "$start" "$end" "$name" "$work/$name.perrow" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
rows = report["rows"]
s = report["seconds"]
busy = s["readAndBlock"] + s["pass"]
c = report["cachedBlocks"]
print(f"{sys.argv[4]}: {rows} rows, wall {wall:.1f} s, read+block {s['readAndBlock']:.1f} s, "
      f"pass {s['pass']:.1f} s, {1e6 * busy / rows:.2f} s per million rows (read+block+pass); "
      f"cache {c['memoryBytes']/1e6:.0f} MB memory + {c['diskBytes']/1e6:.0f} MB disk; "
      f"allFinite {report['allFinite']}")
open(sys.argv[5], "w").write(str(busy / rows))
PY
}
run small
run big
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
small = float(open(f"{w}/small.perrow").read())
big = float(open(f"{w}/big.perrow").read())
print(f"time per row, bigger than memory / fits in memory: {big / small:.2f}x")
PY
