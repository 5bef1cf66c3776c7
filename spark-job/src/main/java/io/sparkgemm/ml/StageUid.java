package io.sparkgemm.ml;

/**
 * A stage's uid while Spark's base class is being constructed. Spark's stage classes make their
 * Params (featuresCol, labelCol, ...) in their own constructors, and a Param takes its owner's
 * {@code uid()} there and then; a Java subclass's fields are still unset at that point, so each
 * stage's {@code uid()} answers {@link #pending()} until its own field is assigned. A Scala
 * stage avoids this with {@code class X(override val uid: String)}, which Java cannot write.
 */
final class StageUid {
  private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

  private final String uid;

  private StageUid(String uid) {
    this.uid = uid;
  }

  /** Holds {@code uid} for the constructor about to run on this thread. */
  static StageUid hold(String uid) {
    PENDING.set(uid);
    return new StageUid(uid);
  }

  /** The uid of the stage under construction on this thread. */
  static String pending() {
    return PENDING.get();
  }

  /** The uid, releasing it: the stage's own field answers from now on. */
  String take() {
    PENDING.remove();
    return uid;
  }
}
