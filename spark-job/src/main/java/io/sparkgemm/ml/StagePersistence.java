package io.sparkgemm.ml;

import io.sparkgemm.local.loss.Loss;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import scala.Option;

/**
 * How the models are saved, with MLlib's writers: the Params as MLlib metadata, then the
 * network as a model folder under {@code model/} and the training summary under
 * {@code summary/} ({@link TrainedNetwork#save}).
 */
final class StagePersistence {
  private StagePersistence() {
  }

  /** Writes a model's Params, then its network and summary. */
  static final class Writer extends MLWriter {
    private final Params model;
    private final TrainedNetwork trained;
    private final Loss loss;

    Writer(Params model, TrainedNetwork trained, Loss loss) {
      this.model = model;
      this.trained = trained;
      this.loss = loss;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sparkSession());
      trained.save(path, sparkSession(), loss);
    }
  }

  /** Creates a model of the saved class from its uid and network. */
  interface Factory<T> {
    T create(String uid, TrainedNetwork trained);
  }

  /** Reads what {@link Writer} wrote into a model of the saved class. */
  static final class Reader<T extends Params> extends MLReader<T> {
    private final Class<T> type;
    private final Factory<T> factory;

    Reader(Class<T> type, Factory<T> factory) {
      this.type = type;
      this.factory = factory;
    }

    @Override
    public T load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path,
          sparkSession(), type.getName());
      T model = factory.create(metadata.uid(), TrainedNetwork.load(path, sparkSession()));
      metadata.getAndSetParams(model, Option.empty());
      return model;
    }
  }
}
