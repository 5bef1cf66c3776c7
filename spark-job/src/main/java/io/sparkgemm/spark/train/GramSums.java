package io.sparkgemm.spark.train;

import io.sparkgemm.spark.reduce.Mergeable;
import java.util.TreeSet;

/**
 * The buffer of {@code solve}'s ordered tree reduction ({@link NormalEquations}): the sums of one
 * or more leaves, in float64.
 *
 * <pre>
 *   gram = [X 1]ᵀ[X 1]   p x p row-major (lower triangle filled: dsyrk)
 *   rhs  = [X 1]ᵀ T      p x k row-major
 * </pre>
 *
 * plus the rows summed and the backends that summed them. Merges add element by element and
 * never alias, so a leaf's arrays are not modified.
 */
final class GramSums implements Mergeable<GramSums> {
  private static final long serialVersionUID = 1L;

  private final int p;
  private final int k;
  private final double[] gram;
  private final double[] rhs;
  private long numRows;
  private final TreeSet<String> backends = new TreeSet<>();

  /** Zero sums of a p x p Gram matrix and a p x k right-hand side. */
  GramSums(int p, int k) {
    this(p, k, new double[p * p], new double[p * k], 0, null);
  }

  /**
   * One leaf's sums (the arrays are kept, not copied).
   *
   * @param backend the backend that summed them, or null
   */
  GramSums(int p, int k, double[] gram, double[] rhs, long numRows, String backend) {
    if (gram.length != p * p || rhs.length != p * k) {
      throw new IllegalArgumentException("gram must be p x p = " + p * p + " values and rhs "
          + "p x k = " + p * k + ", got " + gram.length + " and " + rhs.length);
    }
    this.p = p;
    this.k = k;
    this.gram = gram;
    this.rhs = rhs;
    this.numRows = numRows;
    if (backend != null) {
      backends.add(backend);
    }
  }

  /** p x p row-major (shared, not copied). */
  double[] gram() {
    return gram;
  }

  /** p x k row-major (shared, not copied). */
  double[] rhs() {
    return rhs;
  }

  long numRows() {
    return numRows;
  }

  TreeSet<String> backends() {
    return backends;
  }

  /** gram += other.gram, rhs += other.rhs (element by element, in index order). Returns this. */
  @Override
  public GramSums merge(GramSums other) {
    if (other.p != p || other.k != k) {
      throw new IllegalArgumentException("Cannot merge normal equations of p = " + other.p
          + ", k = " + other.k + " into p = " + p + ", k = " + k);
    }
    for (int i = 0; i < gram.length; i++) {
      gram[i] += other.gram[i];
    }
    for (int i = 0; i < rhs.length; i++) {
      rhs[i] += other.rhs[i];
    }
    numRows += other.numRows;
    backends.addAll(other.backends);
    return this;
  }

  @Override
  public long sizeBytes() {
    return 8L * ((long) gram.length + rhs.length);
  }
}
