package io.sparkgemm.ml;

import io.sparkgemm.local.backend.BackendOptions;
import java.io.Serializable;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The Params of the forward pass, on every stage here (estimators copy them to their models):
 * the GEMM backend and the rows per dense block. MLlib Params belong to one instance, so each
 * stage makes its own {@link Holder} once its uid is known; the accessors are said once here.
 *
 * @param <T> the stage, which the setters return
 */
public interface ForwardParams<T extends ForwardParams<T>> extends Params {
  /** This stage's Params. */
  Holder forwardParams();

  default Param<String> backend() {
    return forwardParams().backend;
  }

  default IntParam blockRows() {
    return forwardParams().blockRows;
  }

  default String getBackend() {
    return $(backend());
  }

  /** 0: automatic (InputSpec.defaultBlockRows for the features' width). */
  default int getBlockRows() {
    return (Integer) $(blockRows());
  }

  default T setBackend(String value) {
    set(backend(), value);
    return self();
  }

  default T setBlockRows(int value) {
    set(blockRows(), value);
    return self();
  }

  /** This stage as its own type (what the setters return). */
  @SuppressWarnings("unchecked")
  private T self() {
    return (T) this;
  }

  /** The backend the {@code backend} Param names, one BLAS thread per task. */
  default BackendOptions backendOptions() {
    return new BackendOptions(getBackend(), 1, null);
  }

  /** The two Params of one stage, their defaults set on it. */
  final class Holder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Param<String> backend;
    private final IntParam blockRows;

    Holder(ForwardParams<?> owner) {
      backend = new Param<>(owner, "backend", "GEMM backend: auto, native, java or reference");
      blockRows = new IntParam(owner, "blockRows", "rows per dense block, 0 for automatic",
          ParamValidators.gtEq(0));
      owner.setDefault(backend, "auto");
      owner.setDefault(blockRows, 0);
    }
  }
}
