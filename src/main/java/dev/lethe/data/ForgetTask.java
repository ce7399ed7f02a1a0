package dev.lethe.data;

import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What every unlearning method and audit works on: a {@link ForgetSpec} made concrete against exactly
 * the training pool the original model was trained on. The pool splits into a forget set and a retain
 * set, disjoint, together the whole pool, each in pool order. For a class spec the test split loses
 * that class, which goes to {@link #testForgotten()} instead.
 */
public final class ForgetTask {
  private final ForgetSpec spec;
  private final Dataset pool;
  private final Dataset forget;
  private final Dataset retain;
  private final Dataset validation;
  private final Dataset test;
  private final Dataset testForgotten;
  private final int[] forgetClasses;
  private final int[] forgetIds;
  private final String forgetIdsHash;
  private final SplitRows rows;

  /**
   * Where the task's sets sit in the splits they were cut from, so per-example outputs computed once per split
   * serve every task: {@code forget} and {@code retain} are rows of the pool, {@code test} and
   * {@code testForgotten} rows of the test split.
   */
  public record SplitRows(int[] forget, int[] retain, int[] test, int[] testForgotten) {}

  private ForgetTask(ForgetSpec spec, Splits splits, int[] forgetRows, int[] forgetClasses) {
    this.spec = spec;
    this.pool = splits.pool();
    this.validation = splits.validation();
    this.forgetClasses = forgetClasses;
    boolean[] forgotten = new boolean[pool.size()];
    for (int row : forgetRows) {
      forgotten[row] = true;
    }
    int[] retainRows = Splits.rowsWhere(forgotten, false);
    this.forget = pool.select(forgetRows);
    this.retain = pool.select(retainRows);
    boolean[] testForgottenRows = new boolean[splits.test().size()];
    for (int row = 0; row < testForgottenRows.length; row++) {
      int label = splits.test().label(row);
      testForgottenRows[row] = Arrays.stream(forgetClasses).anyMatch(cls -> cls == label);
    }
    int[] testRows = Splits.rowsWhere(testForgottenRows, false);
    int[] testForgottenRowsList = Splits.rowsWhere(testForgottenRows, true);
    this.test = forgetClasses.length == 0 ? splits.test() : splits.test().select(testRows);
    this.testForgotten = splits.test().select(testForgottenRowsList);
    this.rows = new SplitRows(forgetRows.clone(), retainRows, testRows, testForgottenRowsList);
    this.forgetIds = forget.ids();
    Arrays.sort(forgetIds);
    this.forgetIdsHash = IdFile.hashOf(forgetIds);
  }

  /**
   * Makes a spec concrete on the splits' pool.
   *
   * <ul>
   *   <li>{@code random:F}: {@code round(F × pool size)} pool rows, chosen with
   *       {@code new SplittableRandom(seed)}; {@code random:N}: N rows, likewise.
   *   <li>{@code class:C}: every pool row of class C; the test split loses C.
   *   <li>{@code ids:FILE}: the pool rows with the listed ids (one integer per line; blank lines and
   *       lines starting with '#' are skipped).
   * </ul>
   *
   * @throws LetheException if the forget set would be empty, the whole pool, larger than the pool, or
   *     the class or id file does not fit the pool
   */
  public static ForgetTask derive(ForgetSpec spec, Splits splits, long seed) {
    Objects.requireNonNull(spec, "spec");
    Dataset pool = splits.pool();
    int[] forgetClasses = new int[0];
    int[] forgetRows;
    if (spec instanceof ForgetSpec.RandomFraction fraction) {
      long count = Math.round(fraction.fraction() * pool.size());
      if (count == 0) {
        throw new LetheException("forget spec " + spec.text() + " selects 0 of the " + pool.size()
            + " samples in the training pool; use a larger fraction or a count such as random:1");
      }
      forgetRows = randomRows(spec, pool, (int) count, seed);
    } else if (spec instanceof ForgetSpec.RandomCount count) {
      forgetRows = randomRows(spec, pool, count.count(), seed);
    } else if (spec instanceof ForgetSpec.ClassForget classForget) {
      int cls = pool.classIndex(classForget.nameOrIndex());
      forgetRows = pool.rowsOfClass(cls);
      if (forgetRows.length == 0) {
        throw new LetheException("forget spec " + spec.text() + ": class " + cls + " (" + pool.classNames().get(cls)
            + ") has no samples in the training pool of " + pool.size() + "; choose a class present in the pool");
      }
      forgetClasses = new int[] {cls};
    } else {
      forgetRows = idRows((ForgetSpec.IdList) spec, pool);
    }
    if (forgetRows.length == pool.size()) {
      throw new LetheException("forget spec " + spec.text() + " selects the whole training pool (" + pool.size()
          + " samples), leaving nothing to retain; forget fewer samples");
    }
    return new ForgetTask(spec, splits, forgetRows, forgetClasses);
  }

  /** The spec this task was derived from. */
  public ForgetSpec spec() {
    return spec;
  }

  /** The training pool: the original model's training set, {@code forget ∪ retain}. */
  public Dataset pool() {
    return pool;
  }

  /** The samples to forget, in pool order. */
  public Dataset forget() {
    return forget;
  }

  /** The pool without the forget set, in pool order: what a retrained model is trained on. */
  public Dataset retain() {
    return retain;
  }

  /** The validation split, disjoint from the pool. */
  public Dataset validation() {
    return validation;
  }

  /** The test split, without the samples of forgotten classes. */
  public Dataset test() {
    return test;
  }

  /** The test split's samples of forgotten classes; empty unless the spec forgets a class. */
  public Dataset testForgotten() {
    return testForgotten;
  }

  /** The forgotten class indices; empty unless the spec forgets a class. A copy. */
  public int[] forgetClasses() {
    return forgetClasses.clone();
  }

  /** The stable ids of the forget set, ascending. A copy. */
  public int[] forgetIds() {
    return forgetIds.clone();
  }

  /** The rows of the forget, retain and test sets in the splits they were cut from. */
  public SplitRows rows() {
    return rows;
  }

  /** SHA-256 (64 hex digits) of {@link #forgetIds()}, each id as 4 big-endian bytes. */
  public String forgetIdsHash() {
    return forgetIdsHash;
  }

  @Override
  public String toString() {
    return "ForgetTask[" + spec.text() + ", forget " + forget.size() + " of " + pool.size() + "]";
  }

  private static int[] randomRows(ForgetSpec spec, Dataset pool, int count, long seed) {
    if (count > pool.size()) {
      throw new LetheException("forget spec " + spec.text() + " asks for " + count
          + " samples but the training pool has " + pool.size() + "; forget fewer samples");
    }
    int[] rows = Splits.firstOfPermutation(pool.size(), count, new SplittableRandom(seed));
    Arrays.sort(rows);
    return rows;
  }

  private static int[] idRows(ForgetSpec.IdList spec, Dataset pool) {
    int[] rows = IdFile.read(spec.file(), "forget id file").rowsIn(pool,
        "is not in the training pool; ids are stable indices into the training file and must be in the"
            + " training pool of " + pool.size() + " samples");
    Arrays.sort(rows);
    return rows;
  }
}
