#!/usr/bin/env bash
# Prepares target/gpu-kit/ for scripts/gpu-check.sh on a GPU machine that has no Java and no
# network: a jlink JRE (as jre.tgz) and the jars the cuda backend needs (local-gemm, JavaCPP,
# org.bytedeco:cuda with only its cudart and cublas JNI libraries, JCublas with only its runtime
# and cublas natives, netlib BLAS for the CPU side of auto, slf4j-api). No Spark.
#   scripts/gpu-prepare.sh
# Then carry target/gpu-kit to the GPU machine (device tool: carry ["target/gpu-kit"]) and run
# scripts/gpu-check.sh there. Fails if the kit exceeds 60 MiB (the carry limit is 64 MiB).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
kit=target/gpu-kit
limit_mib=60

./mvnw -q -B -pl local-gemm package -DskipTests >&2
./mvnw -q -B -pl local-gemm dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$root/target/gpu-kit.classpath" >&2

rm -rf "$kit"
mkdir -p "$kit/lib"
cp local-gemm/target/local-gemm-*.jar "$kit/lib/"

slim() {   # slim SOURCE_JAR TARGET_JAR ENTRY...: a jar holding only the named entries
  local src=$1 dst=$2 tmp
  shift 2
  tmp=$(mktemp -d)
  (cd "$tmp" && unzip -q "$src" "$@")
  (cd "$tmp" && jar --create --file "$root/$dst" .)
  rm -rf "$tmp"
}

tr ":" "\n" < target/gpu-kit.classpath | while read -r jar || [ -n "$jar" ]; do
  name=$(basename "$jar")
  case "$name" in
    cuda-*-linux-x86_64.jar)
      slim "$jar" "$kit/lib/$name" org/bytedeco/cuda/linux-x86_64/libjnicudart.so \
        org/bytedeco/cuda/linux-x86_64/libjnicublas.so ;;
    jcuda-natives-*.jar)
      slim "$jar" "$kit/lib/$name" 'lib/libJCudaRuntime-*' 'lib/libJCudaDriver-*' ;;
    jcublas-natives-*.jar)
      slim "$jar" "$kit/lib/$name" 'lib/libJCublas2-*' ;;
    openblas-*-linux-x86_64.jar|lapack-*.jar)
      ;;   # CPU BLAS natives stay home: auto falls back to netlib's Java BLAS on the GPU machine
    *.jar)
      cp "$jar" "$kit/lib/" ;;
  esac
done

jre_tmp=$(mktemp -d)
jlink --add-modules java.base,java.logging,jdk.unsupported,java.management \
  --strip-debug --compress=2 --no-header-files --no-man-pages --output "$jre_tmp/jre"
tar -C "$jre_tmp" -czf "$kit/jre.tgz" jre
rm -rf "$jre_tmp"

total=$(du -sb "$kit" | cut -f1)
ls -l "$kit" "$kit/lib" | awk 'NF > 5 { printf "%10d  %s\n", $5, $NF }' >&2
echo "gpu-prepare: $kit holds $((total / 1024 / 1024)) MiB ($total bytes)" >&2
if [ "$total" -gt $((limit_mib * 1024 * 1024)) ]; then
  echo "gpu-prepare: kit is over $limit_mib MiB; the carry limit is 64 MiB" >&2
  exit 1
fi
