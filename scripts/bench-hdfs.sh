#!/usr/bin/env bash
# HDFS against the local file system (a benchmark, not a test). Starts an HDFS on 127.0.0.1 (the
# tests' in-process MiniDFSCluster as a process of its own: a NameNode and DATANODES DataNodes,
# blocks of BLOCK_MB, its files under the work folder), generates the same X with regression
# targets (default 250,000 x 512 float64, 1.0 GB) as .npy and as Parquet on hdfs:// and on
# file://, and trains a linear model on each with 3 L-BFGS iterations in local[2]. Prints, per
# run, read+block seconds and MB/s of X, seconds per pass, and the final objective, which must be
# the same bits on both file systems (models and reports go to the local work folder). The HDFS
# process is stopped by its PID at the end.
#   scripts/bench-hdfs.sh                   defaults
#   ROWS=100000 scripts/bench-hdfs.sh       smaller
# Work folder: target/bench-hdfs (removed at the start of each run).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
rows=${ROWS:-250000}
features=${FEATURES:-512}
outputs=${OUTPUTS:-16}
datanodes=${DATANODES:-2}
block_mb=${BLOCK_MB:-128}
heap=${HEAP:-6g}
formats=${FORMATS:-npy parquet}
work=${WORK:-$root/target/bench-hdfs}
rm -rf "$work"
mkdir -p "$work"

./mvnw -q -B -pl spark-job -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-classpath.txt >&2
cp="spark-job/target/test-classes:spark-job/target/classes:local-gemm/target/classes"
cp="$cp:$(cat spark-job/target/test-classpath.txt)"
java=java
[[ -n "${JAVA_HOME:-}" ]] && java="$JAVA_HOME/bin/java"

"$java" -Xmx2g -cp "$cp" io.sparkgemm.hdfs.MiniHdfsServer "$work/hdfs" "$datanodes" "$block_mb" \
  "$work/hdfs-uri" >"$work/hdfs.log" 2>&1 &
hdfs_pid=$!
stop_hdfs() {
  if kill -0 "$hdfs_pid" 2>/dev/null; then
    kill "$hdfs_pid"
    wait "$hdfs_pid" 2>/dev/null || true
  fi
}
trap stop_hdfs EXIT
for _ in $(seq 1 120); do
  [[ -f "$work/hdfs-uri" ]] && break
  kill -0 "$hdfs_pid" 2>/dev/null || { echo "HDFS did not start, see $work/hdfs.log" >&2; exit 1; }
  sleep 1
done
[[ -f "$work/hdfs-uri" ]] || { echo "HDFS did not start in 120 s, see $work/hdfs.log" >&2; exit 1; }
hdfs=$(cat "$work/hdfs-uri")
echo "HDFS: $hdfs ($datanodes DataNodes, ${block_mb} MB blocks, replication $((datanodes < 2 ? datanodes : 2)))"

# Files are written with the HDFS's block size and replication (Spark passes spark.hadoop.* on).
hadoop="-Dspark.hadoop.dfs.blocksize=$((block_mb << 20))"
hadoop="$hadoop -Dspark.hadoop.dfs.replication=$((datanodes < 2 ? datanodes : 2))"
gemm() { JAVA_OPTS="-Xmx$heap $hadoop" scripts/spark-gemm "$@" --master 'local[2]'; }

for fs in file hdfs; do
  base=$([[ $fs == file ]] && echo "file://$work/local" || echo "$hdfs/bench")
  for format in $formats; do
    gemm generate --rows "$rows" --features "$features" --outputs "$outputs" --task regression \
      --format "$format" --seed 3 --out "$base/$format" >"$work/gen-$fs-$format.log" 2>&1 \
      || { echo "generate on $fs failed, see $work/gen-$fs-$format.log" >&2; exit 1; }
  done
done

for format in $formats; do
  for fs in file hdfs; do
    base=$([[ $fs == file ]] && echo "file://$work/local" || echo "$hdfs/bench")
    if [[ $format == npy ]]; then
      input=(--x "$base/npy/X.npy" --labels "$base/npy/targets.npy")
    else
      input=(--x "$base/parquet/X.parquet" --id-col id --labels-col targets)
    fi
    name="$format-$fs"
    gemm train "${input[@]}" --loss mse --outputs "$outputs" --optimizer lbfgs --max-iter 3 \
      --out "$work/out-$name" >"$work/$name.log" 2>&1 \
      || { echo "$name: train failed, see $work/$name.log" >&2; exit 1; }
    python3 - "$work/out-$name/report.json" "$name" "$rows" "$features" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
name, rows, d = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = r["seconds"]
mb = rows * d * 8 / 1e6
print(f"{name:14s} read+block {s['readAndBlock']:6.1f} s ({mb / s['readAndBlock']:6.0f} MB/s of X)  "
      f"{r['passes']} passes {s['passes'] / r['passes']:6.2f} s/pass  "
      f"objective {r['finalObjective']:.17e}")
PY
  done
done
