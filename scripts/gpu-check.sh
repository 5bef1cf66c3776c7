#!/usr/bin/env bash
# The one-shot GPU check, run on the GPU machine from the repository root with target/gpu-kit
# carried there (prepare it here with scripts/gpu-prepare.sh):
#   scripts/gpu-check.sh              results under $OUT (the device tool's folder), else
#                                     target/gpu-check-out
# 1. the cuda backend's checks against the reference (GEMM grid, mse training pass streamed and
#    device-resident, backend selection, JCublas refused cleanly without libcublas.so.12);
# 2. a benchmark of our cuda backend against torch.matmul on the same shapes and dtypes
#    (float64, float32, TF32; 4096x512x256, 16384x4096x4096, 200000x512x256) and a 20-block
#    pass with X on the heap, in pinned memory and on the device.
# Writes check.txt, bench-java.jsonl, bench-torch.jsonl, results.json and results.txt.
# Exit 0: all checks passed; 1: a check failed; 2: cannot run here (one line says why).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
kit=target/gpu-kit
out=${OUT:-target/gpu-check-out}

fail() { echo "gpu-check: cannot run: $*" >&2; exit 2; }

[ -f "$kit/jre.tgz" ] || fail "no $kit/jre.tgz (run scripts/gpu-prepare.sh and carry target/gpu-kit)"
command -v nvidia-smi > /dev/null 2>&1 || fail "no GPU: nvidia-smi is not installed"
gpus=$(nvidia-smi -L 2> /dev/null | grep -c '^GPU ' || true)
[ "$gpus" -gt 0 ] || fail "no GPU: nvidia-smi lists no device"

cuda_lib=""
for dir in ${CUDA_LIB:-} /usr/local/cuda-13.0/targets/x86_64-linux/lib /usr/local/cuda/lib64 \
    /usr/local/cuda-13/lib64; do
  if [ -e "$dir/libcublas.so.13" ]; then cuda_lib=$dir; break; fi
done
if [ -z "$cuda_lib" ] && command -v python3 > /dev/null; then
  cuda_lib=$(python3 -c 'import nvidia, os; print(os.path.join(list(nvidia.__path__)[0], "cu13", "lib"))' 2> /dev/null || true)
  [ -e "$cuda_lib/libcublas.so.13" ] || cuda_lib=""
fi
[ -n "$cuda_lib" ] || fail "no libcublas.so.13 in CUDA_LIB, /usr/local/cuda-13.0 or torch's nvidia/cu13"
export LD_LIBRARY_PATH="$cuda_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$kit/jre.tgz"
java="$work/jre/bin/java"
jvm=(-Xmx32g -Djava.io.tmpdir="$work" -Dorg.bytedeco.javacpp.cachedir="$work/javacpp"
  -cp "$kit/lib/*" io.sparkgemm.local.cuda.GpuCheck)
{
  echo "gpu-check: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"
  echo "gpu-check: CUDA libraries from $cuda_lib"
} | tee "$out/check.txt"

timeout 300 "$java" "${jvm[@]}" check 2>&1 | tee -a "$out/check.txt"
check=${PIPESTATUS[0]}
timeout 300 "$java" "${jvm[@]}" bench "$out/bench-java.jsonl" > "$out/bench-java.log" 2>&1 \
  || echo "gpu-check: java benchmark failed, see bench-java.log" | tee -a "$out/check.txt"
timeout 200 python3 scripts/gpu_bench_torch.py > "$out/bench-torch.jsonl" 2> "$out/bench-torch.log" \
  || echo "gpu-check: torch benchmark failed, see bench-torch.log" | tee -a "$out/check.txt"
python3 scripts/gpu_report.py "$out/bench-java.jsonl" "$out/bench-torch.jsonl" \
  "$out/results.json" | tee "$out/results.txt"
exit "$check"
