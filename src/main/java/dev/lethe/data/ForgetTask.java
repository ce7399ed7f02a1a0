package dev.lethe.data;

import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What every unlearning method and audit works on: a {@link ForgetSpec} made concrete against exactly
 * the training pool the original model was trained on. The pool splits into a forget set and a retain
 * set, disjoint, together the whole pool, each in pool order. For a class spec the test split loses
 * that class, which goes to {@link #testForgotten()} instead. {@link #heldOutAsValidation()} is the same
 * task with the validation split in the test split's role, for model selection.
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
  private final boolean heldOutIsValidation;
  private final long seed;

  /**
   * Where the task's sets sit in the splits they were cut from, so per-example outputs computed once per split
   * serve every task: {@code forget} and {@code retain} are rows of the pool, {@code test} and
   * {@code testForgotten} rows of the held-out split (the test split, or the validation split for
   * {@link #heldOutAsValidation()}).
   */
  public record SplitRows(int[] forget, int[] retain, int[] test, int[] testForgotten) {}

  private ForgetTask(ForgetSpec spec, Splits splits, int[] forgetRows, int[] forgetClasses, long seed) {
    this.spec = spec;
    this.seed = seed;
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
    HeldOut heldOut = HeldOut.of(splits.test(), forgetClasses);
    this.test = heldOut.kept();
    this.testForgotten = heldOut.forgotten();
    this.rows = new SplitRows(forgetRows.clone(), retainRows, heldOut.keptRows(), heldOut.forgottenRows());
    this.heldOutIsValidation = false;
    this.forgetIds = forget.ids();
    Arrays.sort(forgetIds);
    this.forgetIdsHash = IdFile.hashOf(forgetIds);
  }

  /** {@code base} with its validation split in the test split's role; forget and retain are shared, not copied. */
  private ForgetTask(ForgetTask base) {
    this.spec = base.spec;
    this.seed = base.seed;
    this.pool = base.pool;
    this.validation = base.validation;
    this.forgetClasses = base.forgetClasses;
    this.forget = base.forget;
    this.retain = base.retain;
    HeldOut heldOut = HeldOut.of(validation, forgetClasses);
    this.test = heldOut.kept();
    this.testForgotten = heldOut.forgotten();
    this.rows = new SplitRows(base.rows.forget(), base.rows.retain(), heldOut.keptRows(), heldOut.forgottenRows());
    this.heldOutIsValidation = true;
    this.forgetIds = base.forgetIds;
    this.forgetIdsHash = base.forgetIdsHash;
  }

  /** A held-out split cut by class: its rows outside the forgotten classes (all of it when there are none) and in them. */
  private record HeldOut(Dataset kept, Dataset forgotten, int[] keptRows, int[] forgottenRows) {
    static HeldOut of(Dataset split, int[] forgetClasses) {
      boolean[] forgottenRows = new boolean[split.size()];
      for (int row = 0; row < forgottenRows.length; row++) {
        int label = split.label(row);
        forgottenRows[row] = Arrays.stream(forgetClasses).anyMatch(cls -> cls == label);
      }
      int[] keptRows = Splits.rowsWhere(forgottenRows, false);
      int[] inClasses = Splits.rowsWhere(forgottenRows, true);
      Dataset kept = forgetClasses.length == 0 ? split : split.select(keptRows);
      return new HeldOut(kept, split.select(inClasses), keptRows, inClasses);
    }
  }

  /**
   * Makes a spec concrete on the splits' pool.
   *
   * <ul>
   *   <li>{@code random:F}: {@code round(F × pool size)} pool rows, chosen with
   *       {@code new SplittableRandom(seed)}; {@code random:N}: N rows, likewise.
   *   <li>{@code class:C}: every pool row of class C; the test split loses C. Several classes
   *       ({@code class:3,5}) forget the union of their rows and leave the test split together.
   *   <li>{@code ids:FILE}: the pool rows with the listed ids (one integer per line; blank lines and
   *       lines starting with '#' are skipped); an in-memory {@link ForgetSpec#ids} list likewise.
   *   <li>{@code backdoor:K}, {@code labelflip:K}: the poisoned images of {@link Poisoning#of}{@code (spec, pool)};
   *       {@code splits} is the clean one and the task's pool is the poisoned copy (the one an experiment that
   *       carries the poison, {@code Experiment.poisoned}, trains on).
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
      forgetClasses = classIndices(classForget, pool);
      boolean[] inClasses = new boolean[pool.size()];
      for (int cls : forgetClasses) {
        int[] rows = pool.rowsOfClass(cls);
        if (rows.length == 0) {
          throw new LetheException("forget spec " + spec.text() + ": class " + cls + " (" + pool.classNames().get(cls)
              + ") has no samples in the training pool of " + pool.size() + "; choose a class present in the pool");
        }
        for (int row : rows) {
          inClasses[row] = true;
        }
      }
      forgetRows = Splits.rowsWhere(inClasses, true);
    } else if (spec instanceof ForgetSpec.IdSet set) {
      int[] ids = set.ids();
      forgetRows = Splits.sorted(IdFile.rowsOf(pool, ids,
          i -> new LetheException("forget spec ForgetSpec.ids: id " + ids[i] + " " + notInPool(pool))));
    } else if (spec instanceof ForgetSpec.WorstCase) {
      throw new LetheException("forget spec " + spec.text() + " is searched for on the original model: derive it with"
          + " Experiment.task(spec, seed), which finds (or loads) the selection");
    } else if (spec instanceof ForgetSpec.Poison poison) {
      Poisoning poisoning = Poisoning.of(poison, pool);
      return ofRows(poison, new Splits(poisoning.pool(), splits.validation(), splits.test()), poisoning.rows(),
          forgetClasses, seed);
    } else {
      IdFile.Contents file = IdFile.read(((ForgetSpec.IdList) spec).file(), "forget id file");
      forgetRows = Splits.sorted(file.rowsIn(pool, notInPool(pool)));
    }
    if (forgetRows.length == pool.size()) {
      throw new LetheException("forget spec " + spec.text() + " selects the whole training pool (" + pool.size()
          + " samples), leaving nothing to retain; forget fewer samples");
    }
    return new ForgetTask(spec, splits, forgetRows, forgetClasses, seed);
  }

  /** The distinct class indices a class spec names, ascending; a class named twice is a one-line error. */
  private static int[] classIndices(ForgetSpec.ClassForget spec, Dataset pool) {
    int[] classes = spec.classes().stream().mapToInt(pool::classIndex).sorted().toArray();
    for (int i = 1; i < classes.length; i++) {
      if (classes[i] == classes[i - 1]) {
        throw new LetheException("forget spec " + spec.text() + " names class " + classes[i] + " ("
            + pool.classNames().get(classes[i]) + ") twice; name each class once");
      }
    }
    return classes;
  }

  /** The seed this task was derived with: its random draw's, and the seed its retrained reference trains with. */
  public long seed() {
    return seed;
  }

  /**
   * The task of forgetting pool rows {@code forgetRows} of {@code splits}, described by {@code spec} and
   * dropping {@code forgetClasses} from the held-out split: a task made concrete elsewhere, e.g. a shadow
   * model's share of an audit's target set on the half of the pool it was trained on.
   *
   * @param seed the task's {@link #seed()}: the seed its retrained reference trains with
   * @throws LetheException if the forget set is empty or the whole pool
   */
  public static ForgetTask ofRows(ForgetSpec spec, Splits splits, int[] forgetRows, int[] forgetClasses, long seed) {
    if (forgetRows.length == 0 || forgetRows.length == splits.pool().size()) {
      throw new LetheException("forget spec " + spec.text() + " selects " + forgetRows.length + " of the "
          + splits.pool().size() + " samples of the pool, leaving nothing to " + (forgetRows.length == 0 ? "forget" : "retain")
          + "; choose another forget set");
    }
    return new ForgetTask(spec, splits, forgetRows.clone(), forgetClasses.clone(), seed);
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

  /**
   * This task with the validation split in the test split's role: {@link #test()} is the validation split
   * without the forgotten classes and {@link #testForgotten()} their validation images, exactly as the test
   * split is treated; everything else (forget, retain, ids, spec) is this task's. Model selection audits
   * on it, so a hyperparameter chosen by {@code lethe tune} never saw a test image, while the audit code
   * stays the same.
   */
  public ForgetTask heldOutAsValidation() {
    return heldOutIsValidation ? this : new ForgetTask(this);
  }

  /** True for a {@link #heldOutAsValidation()} task: {@link #test()} is then cut from the validation split. */
  public boolean heldOutIsValidation() {
    return heldOutIsValidation;
  }

  /** The forgotten class indices, ascending; empty unless the spec forgets classes. A copy. */
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
    return Splits.sorted(Splits.firstOfPermutation(pool.size(), count, new SplittableRandom(seed)));
  }

  /** What to say of a forget id the pool does not hold, after "id N ". */
  private static String notInPool(Dataset pool) {
    return "is not in the training pool; ids are stable indices into the training file and must be in the"
        + " training pool of " + pool.size() + " samples";
  }
}
