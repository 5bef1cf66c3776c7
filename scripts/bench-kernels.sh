#!/usr/bin/env bash
# JMH benchmark of one block's forward + backward through LinearKernels against the raw netlib
# GEMM calls they make (native OpenBLAS, 1 thread), on 4096x512x256, 1024x256x256 and
# 512x1024x256; and the softmax-ce training step (LinearKernels.backward) against its two GEMMs.
#   scripts/bench-kernels.sh [extra JMH args]       e.g. -p dtype=float64 -wi 2 -i 3
# With --avx512: runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (this command only), so
# OpenBLAS may pick its AVX-512 kernels; the results are first checked against the reference.
# Writes the JMH table to stdout and JSON to target/bench-kernels.json.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ "${1:-}" = "--avx512" ]; then
  shift
  unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
  avx=1
fi
./mvnw -q -B -pl local-gemm -am install -DskipTests >&2
./mvnw -q -B -pl local-gemm test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2
cp="local-gemm/target/test-classes:local-gemm/target/classes:$(cat local-gemm/target/bench-classpath.txt)"
flags="--add-modules=jdk.incubator.vector"
export OPENBLAS_NUM_THREADS=1
if [ -n "${avx:-}" ]; then
  # The kernels this environment's variables guard against must still compute right answers.
  ./mvnw -q -B -pl local-gemm surefire:test -Dtest='BackendGridTest' -Dsurefire.failIfNoSpecifiedTests=false >&2
fi
java $flags -cp "$cp" org.openjdk.jmh.Main KernelBench -rf json -rff "$root/local-gemm/target/bench-kernels.json" "$@"
# This machine's timings are bimodal (noisy neighbours): print each benchmark's minimum and median
# iteration beside JMH's mean, and the kernels/raw ratio of each.
if command -v python3 >/dev/null 2>&1; then
  python3 - "$root/local-gemm/target/bench-kernels.json" <<'PY'
import json, statistics, sys
rows = {}
for r in json.load(open(sys.argv[1])):
    raw = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
    name = r["benchmark"].rsplit(".", 1)[1]
    key = (r["params"]["dtype"], r["params"]["shape"])
    rows.setdefault(key, {})[name] = (min(raw), statistics.median(raw), r["primaryMetric"]["score"])
print("\n%-8s %-13s %10s %10s %10s %10s %8s %8s" % ("dtype", "shape", "kern min", "raw min", "kern med", "raw med", "min r", "med r"))
for (dtype, shape), m in sorted(rows.items()):
    for kern, raw, what in (("kernels", "rawGemm", "fwd+bwd"), ("softmaxStep", "rawSoftmaxGemms", "softmax")):
        k, r = m.get(kern), m.get(raw)
        if k and r:
            print("%-8s %-13s %10.3f %10.3f %10.3f %10.3f %8.3f %8.3f  %s" % (dtype, shape, k[0], r[0], k[1], r[1], k[0] / r[0], k[1] / r[1], what))
print("(ms per forward + backward, or per softmax-ce training step; r = kernels / raw GEMMs)")
PY
fi
