package io.sparkgemm.ml.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgemm.ml.NetworkClassificationModel;
import io.sparkgemm.ml.NetworkClassifier;
import io.sparkgemm.ml.NetworkRegressionModel;
import io.sparkgemm.ml.NetworkRegressor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Transformer;
import org.junit.jupiter.api.Test;

/**
 * The stages as Spark Connect's server finds them: by {@link ServiceLoader#stream()} over every
 * registered provider (Spark's own included), so one entry without a public no-argument
 * constructor would make the server refuse every ML operator, not only ours.
 */
class ConnectRegistrationTest {
  private static final List<Class<?>> ESTIMATORS =
      List.of(NetworkClassifier.class, NetworkRegressor.class);
  private static final List<Class<?>> MODELS =
      List.of(NetworkClassificationModel.class, NetworkRegressionModel.class);

  /** What the server's loadOperators does: the provider types, none instantiated. */
  private static Set<Class<?>> registered(Class<?> service) {
    return ServiceLoader.load(service, Thread.currentThread().getContextClassLoader()).stream()
        .map(ServiceLoader.Provider::type).collect(Collectors.toSet());
  }

  @Test
  void estimatorsAndModelsAreRegistered() {
    assertThat(registered(Estimator.class)).containsAll(ESTIMATORS);
    assertThat(registered(Transformer.class)).containsAll(MODELS);
  }

  /** Fit and Transform create a stage by its (String uid) constructor; Read calls load(path). */
  @Test
  void everyStageHasTheConstructorAndLoadTheServerCalls() throws Exception {
    for (Class<?> type : List.of(ESTIMATORS, MODELS).stream().flatMap(List::stream).toList()) {
      assertThat(Modifier.isPublic(type.getConstructor().getModifiers())).as("%s()", type)
          .isTrue();
      Method load = type.getMethod("load", String.class);
      assertThat(Modifier.isStatic(load.getModifiers())).as("%s.load", type).isTrue();
      assertThat(load.getReturnType()).isEqualTo(type);
    }
    for (Class<?> type : ESTIMATORS) {
      assertThat(type.getConstructor(String.class).newInstance("uid_1"))
          .extracting(stage -> ((Estimator<?>) stage).uid()).isEqualTo("uid_1");
    }
  }
}
