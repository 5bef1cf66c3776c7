package io.sparkgemm.local.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.Trans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cuda backend's own logic on a {@link HostLane} (host memory, naive column-major BLAS):
 * the row-major mapping onto device calls, operand extents with padded leading dimensions and
 * offsets, chunked pinned staging (64-byte chunks, so every operand spans several), and the
 * device-side mse pass with its cache. Runs everywhere; the GPU itself is covered by the tests
 * that skip without one and by scripts/gpu-check.sh.
 */
class HostLaneBackendTest {
  private static final int CHUNK = 64;

  private static CudaBackend backend() {
    return new CudaBackend(HostLane.binding(), 0, false, CHUNK);
  }

  @Test
  void gemmGridMatchesTheReference() {
    assertThat(CudaChecks.gemmGrid(backend(), false)).isEmpty();
  }

  @ParameterizedTest(name = "{0} cached={1}")
  @CsvSource({"FLOAT64, false", "FLOAT64, true", "FLOAT32, false", "FLOAT32, true"})
  void trainingPassMatchesTheReferenceKernels(DType dtype, boolean cached) {
    assertThat(CudaChecks.trainingPass(backend(), dtype, cached)).isEmpty();
  }

  @Test
  void betaZeroWithTightCDoesNotUploadC() {
    CudaBackend cuda = backend();
    double[] c = {Double.NaN, Double.NaN};
    // a: 2x3, b: 3x1, c: 2x1, row-major, tight
    cuda.dgemm(Trans.N, Trans.N, 2, 1, 3, 1.0, new double[] {1, 2, 3, 4, 5, 6}, 0, 3,
        new double[] {1, 1, 1}, 0, 1, 0.0, c, 0, 1);
    assertThat(c).containsExactly(6, 15);
    HostLane lane = (HostLane) cuda.workspace().lane();
    // column-major: bᵀ (24 bytes) is the first operand, aᵀ (48 bytes) the second, m and n
    // swapped; c (16 bytes) only comes back
    assertThat(lane.calls).containsExactly("upload 24", "upload 48", "gemm NN 1x2x3",
        "download 16");
  }
}
