#!/usr/bin/env bash
# A scale check (not a test, not in CI): does a pass over an X larger than the executors' memory
# run on small executors, at what rate against an X that fits, and what does it cost the driver?
# Starts its own loopback standalone cluster (scripts/cluster.sh: 127.0.0.1 only, 2 Workers of
# 1 core), generates two seeded regression datasets as .npy (X and targets.npy) with
# scripts/spark-gemm generate, then submits through scripts/submit, on each X: `backward --loss
# mse` (one pass), `forward` (one pass, Y written by the executors) and `train --loss mse
# --max-iter 3` (L-BFGS). Prints one table row per run.
#   scripts/scale-check.sh                              1 GB executors, 8 GB X, 0.5 GB X
#   scripts/scale-check.sh --executor-memory 512m --big 2g --fits 256m --features 128
# Options (or the environment variable named after each):
#   --executor-memory SIZE  spark.executor.memory of each of the 2 executors (SCALE_EXECUTOR_MEMORY, 1g)
#   --big SIZE              X that does not fit (SCALE_BIG; default 4 x both executors' memory)
#   --fits SIZE             X that fits (SCALE_FITS; default a quarter of both executors' memory)
#   --features D            columns of X (SCALE_FEATURES, 256); --outputs K (SCALE_OUTPUTS, 8)
#   --work DIR              where the data goes, removed at the end (SCALE_WORK; a new folder in
#                           ${TMPDIR:-/tmp}); needs about twice --big free (X, spilled blocks)
#   --port P                the Master's port (SCALE_MASTER_PORT, 7177; its UI port P + 1000)
# Sizes: 1g, 512m, 8G (binary units). The cluster stops (by PID) and the data goes on any exit,
# Ctrl-C included; a failed step prints its log's last lines and the script exits 1.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
executor_memory=${SCALE_EXECUTOR_MEMORY:-1g}
big=${SCALE_BIG:-}
fits=${SCALE_FITS:-}
features=${SCALE_FEATURES:-256}
outputs=${SCALE_OUTPUTS:-8}
work_base=${SCALE_WORK:-}
port=${SCALE_MASTER_PORT:-7177}

die() { echo "scale-check: $*" >&2; exit 2; }
usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || case "$1" in -h|--help) ;; *) die "$1 needs a value" ;; esac
  case "$1" in
    --executor-memory) executor_memory=$2 ;;
    --big) big=$2 ;;
    --fits) fits=$2 ;;
    --features) features=$2 ;;
    --outputs) outputs=$2 ;;
    --work) work_base=$2 ;;
    --port) port=$2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift 2
done

# SIZE (1g, 512m, 8G, 1048576) in bytes.
bytes() {
  [[ "$1" =~ ^([0-9]+)([kKmMgGtT]?)$ ]] || die "expected a size such as 1g or 512m, got '$1'"
  local n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2],,}
  case "$unit" in k) n=$((n << 10)) ;; m) n=$((n << 20)) ;; g) n=$((n << 30)) ;; t) n=$((n << 40)) ;; esac
  echo "$n"
}
for v in features outputs port; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--$v expects a positive integer, got '${!v}'"
done
executor_bytes=$(bytes "$executor_memory")
total=$((2 * executor_bytes))
big_bytes=$(bytes "${big:-$((4 * total))}")
fits_bytes=$(bytes "${fits:-$((total / 4))}")
(( executor_bytes >= 450 << 20 )) || die "--executor-memory must be at least 450m (Spark's minimum), got $executor_memory"
(( big_bytes > fits_bytes )) || die "--big ($big_bytes bytes) must be larger than --fits ($fits_bytes bytes)"
(( big_bytes >= 4 * total )) || echo "scale-check: note: --big is $((big_bytes >> 20)) MiB, less than 4x the executors' $((total >> 20)) MiB" >&2

# Another scale check's cluster (same state folder) is left alone: only a cluster this run
# started is stopped at the end.
if SPARK_GEMM_CLUSTER_DIR="$root/target/scale-check" "$root/scripts/cluster.sh" status >/dev/null 2>&1; then
  die "a scale-check cluster is already running (another scale-check?); stop it with SPARK_GEMM_CLUSTER_DIR=$root/target/scale-check scripts/cluster.sh stop"
fi
work=$(mktemp -d "${work_base:-${TMPDIR:-/tmp}}/spark-gemm-scale.XXXXXX")
state="$root/target/scale-check"       # the cluster's PID files, logs and (kept) Spark home
export SPARK_GEMM_CLUSTER_DIR="$state" SPARK_GEMM_MASTER_PORT="$port"
export SPARK_GEMM_MASTER_UI_PORT=$((port + 1000)) SPARK_GEMM_WORKER_MEMORY="$executor_memory"
export SPARK_GEMM_LOG_DIR="$work/logs"
# Spark's scratch space (the blocks spilled to disk among them): the Workers hand it to their
# executors, and it goes with the data.
export SPARK_LOCAL_DIRS="$work/spark-local"
started=""
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [ -n "$started" ]; then "$root/scripts/cluster.sh" stop >&2 || code=1; fi
  rm -rf "$work"
  # The executors' folders (a copy of the jar and the stderr of each): kept only after a failure.
  if [ "$code" = 0 ]; then rm -rf "$state"/work-*
  elif [ -n "$started" ]; then echo "scale-check: the executors' logs are in $state/work-*" >&2; fi
  exit "$code"
}
trap cleanup EXIT
trap 'echo "scale-check: interrupted" >&2; exit 130' INT TERM

# Runs a step with its output in $work/logs/NAME.out; on failure shows its tail and exits 1.
step() {
  local name=$1; shift
  mkdir -p "$work/logs"
  if ! "$@" > "$work/logs/$name.out" 2>&1; then
    echo "scale-check: $name failed; last lines of its output:" >&2
    tail -25 "$work/logs/$name.out" >&2
    exit 1
  fi
}

# Two regression datasets as .npy; rows from the size of X (float64).
generate() {
  local name=$1 size=$2 rows=$(( $2 / (8 * features) ))
  (( rows >= 2 )) || die "$name X of $size bytes holds fewer than 2 rows of $features columns"
  echo "generating $name: $rows x $features float64 ($((rows * features * 8 >> 20)) MiB) ..." >&2
  step "generate-$name" "$root/scripts/spark-gemm" generate --rows "$rows" --features "$features" \
    --outputs "$outputs" --task regression --format npy --seed 7 --master 'local[2]' \
    --out "$work/$name"
}
generate fits "$fits_bytes"
generate big "$big_bytes"

echo "starting 2 workers with $executor_memory executors on 127.0.0.1:$port ..." >&2
started=1
step cluster "$root/scripts/cluster.sh" start 2

# Submits one run with the driver's GC log in $work/logs/NAME.gc: its heap before and after each
# collection (JAVA_TOOL_OPTIONS reaches the driver JVM of scripts/submit only; the executors are
# started by the Workers).
submit() {
  local name=$1; shift
  JAVA_TOOL_OPTIONS="-Xlog:gc:file=$work/logs/$name.gc" step "$name" "$root/scripts/submit" \
    --conf "spark.executor.memory=$executor_memory" "$@"
}
rows_file="$work/rows.tsv"
for name in big fits; do
  data="$work/$name"
  echo "backward on $name ..." >&2
  submit "backward-$name" backward --x "$data/X.npy" --labels "$data/targets.npy" --loss mse \
    --init xavier --outputs "$outputs" --seed 3 --out "$work/out-backward-$name"
  echo "forward on $name ..." >&2
  submit "forward-$name" forward --x "$data/X.npy" --w "$data/W_true.npy" --b "$data/b_true.npy" \
    --out "$work/out-forward-$name"
  echo "train (3 L-BFGS iterations) on $name ..." >&2
  submit "train-$name" train --x "$data/X.npy" --labels "$data/targets.npy" --loss mse \
    --max-iter 3 --out "$work/out-train-$name"
  for cmd in backward forward train; do
    printf '%s\t%s\t%s\t%s\n' "$cmd" "$name" "$work/out-$cmd-$name/report.json" \
      "$work/logs/$cmd-$name.gc" >> "$rows_file"
  done
done

python3 - "$rows_file" "$executor_memory" <<'PY'
import json, re, sys

def mib(text, unit):
    return float(text) * {"K": 1 / 1024, "M": 1, "G": 1024}[unit]

def size(b):
    return f"{b / 1e6:,.2f} MB" if b >= 1e6 else f"{b / 1e3:,.1f} kB"

def heap(gc_log):
    """Largest heap in use before a collection, and largest left after one (live data), MiB."""
    before = after = 0.0
    for line in open(gc_log):
        m = re.search(r"(\d+)([KMG])->(\d+)([KMG])\(", line)
        if m:
            before = max(before, mib(m[1], m[2]))
            after = max(after, mib(m[3], m[4]))
    return before, after

print(f"2 executors of {sys.argv[2]}, 1 core each; float64; the driver's heap is -Xmx1g")
head = ("command", "X", "rows", "X MiB", "read+block s", "passes", "s/pass", "MB/s",
        "to driver/pass", "driver heap peak/live MiB", "blocks mem/disk MiB")
rows = []
rate = {}
for line in open(sys.argv[1]):
    cmd, name, report_path, gc_log = line.rstrip("\n").split("\t")
    r = json.load(open(report_path))
    n, d = r["shapes"]["X"]
    s = r["seconds"]
    passes = r.get("passes", 1)
    per_pass = s["passes"] / passes if cmd == "train" else s["pass"]
    mbps = n * d * 8 / 1e6 / per_pass
    rate[(cmd, name)] = mbps
    before, after = heap(gc_log)
    cache = r.get("cachedBlocks")   # backward and forward report where the blocks went
    where = (f"{cache['memoryBytes'] / 2**20:,.0f} / {cache['diskBytes'] / 2**20:,.0f}"
             if cache else "-")
    rows.append((cmd, name, f"{n:,}", f"{n * d * 8 / 2**20:,.0f}", f"{s['readAndBlock']:.1f}",
                 str(passes), f"{per_pass:.2f}", f"{mbps:,.0f}",
                 size(r.get("bytesToDriver", 0) / passes), f"{before:.0f} / {after:.0f}", where))
widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
for row in [head] + rows:
    print("  ".join(str(x).rjust(w) for x, w in zip(row, widths)))
for cmd in ("backward", "forward", "train"):
    print(f"{cmd}: MB/s on the big X / on the X that fits = "
          f"{rate[(cmd, 'big')] / rate[(cmd, 'fits')]:.2f}")
PY
