#!/usr/bin/env bash
# Data bigger than memory (a benchmark, not a test). Generates Parquet about twice the heap given
# to local mode (default: 730,000 x 512 float64 = 3.0 GB of X) and runs `backward --loss mse` on
# it twice: with a heap that holds the cached blocks (HEAP_FIT, default 12g) and with one that
# does not (HEAP, default 1500m: Spark's storage memory is then about 0.7 GB, so most blocks go
# to local disk under MEMORY_AND_DISK). Prints, for each, where the blocks were cached, the
# seconds per million rows of read+block and of the pass, the loss and ||dW|| (which must agree
# between the two runs), and the ratio of the times per row.
#   scripts/bench-memory.sh                         defaults
#   ROWS=1460000 HEAP=3g scripts/bench-memory.sh    other sizes
# Work folder: target/bench-memory (the data is kept, so reruns skip generating).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${ROWS:-730000}
features=${FEATURES:-512}
outputs=${OUTPUTS:-16}
heap=${HEAP:-1500m}
heap_fit=${HEAP_FIT:-12g}
work=${WORK:-$root/target/bench-memory}
mkdir -p "$work"
if [[ ! -d "$work/big" ]]; then
  JAVA_OPTS="-Xmx6g" "$root/scripts/spark-gemm" generate --rows "$rows" --features "$features" \
    --outputs "$outputs" --task regression --format parquet --master 'local[2]' --out "$work/big"
fi
echo "X on disk: $(du -sh "$work/big/X.parquet" | cut -f1)"
run() {
  local name=$1 mem=$2
  JAVA_OPTS="-Xmx$mem" "$root/scripts/spark-gemm" backward --x "$work/big/X.parquet" \
    --id-col id --labels-col targets --loss mse --init xavier --outputs "$outputs" \
    --master 'local[2]' --out "$work/out-$name" --overwrite 2>&1 \
    | grep -E "Cached blocks|loss \(" | sed -e 's/^.*INFO InputLoader: //' || true
  python3 - "$work/out-$name/report.json" "$name" "$mem" "$work/$name.perrow" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
rows = report["rows"]
s = report["seconds"]
c = report["cachedBlocks"]
per_m = lambda t: 1e6 * t / rows
busy = s["readAndBlock"] + s["pass"]
print(f"{sys.argv[2]} (heap {sys.argv[3]}): {rows} rows; blocks {c['memoryBytes']/1e6:.0f} MB in "
      f"memory + {c['diskBytes']/1e6:.0f} MB on disk; read+block {per_m(s['readAndBlock']):.1f} "
      f"s/M rows, pass {per_m(s['pass']):.1f} s/M rows, total {per_m(busy):.1f} s/M rows; "
      f"loss {report['lossValue']:.10g}, ||dW|| {report['gradientNorms']['dW']:.10g}")
open(sys.argv[4], "w").write(str(busy / rows))
PY
}
run fits "$heap_fit"
run spills "$heap"
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
fits = float(open(f"{w}/fits.perrow").read())
spills = float(open(f"{w}/spills.perrow").read())
print(f"time per row, bigger than memory / fits in memory: {spills / fits:.2f}x")
PY
