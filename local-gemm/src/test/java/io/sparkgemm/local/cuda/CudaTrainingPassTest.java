package io.sparkgemm.local.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.local.DType;
import io.sparkgemm.local.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The device-side mse training pass (dW, db and the loss accumulated on the device) against the
 * reference kernels, streamed and device-resident. Skips, with the loader's reason, without a
 * CUDA device.
 */
class CudaTrainingPassTest {

  @ParameterizedTest(name = "{0} cached={1}")
  @CsvSource({"FLOAT64, false", "FLOAT64, true", "FLOAT32, false", "FLOAT32, true"})
  void matchesTheReferenceKernels(DType dtype, boolean cached) {
    CudaBackend cuda = (CudaBackend) TestBackends.cudaOrSkip();
    assertThat(CudaChecks.trainingPass(cuda, dtype, cached)).isEmpty();
  }
}
