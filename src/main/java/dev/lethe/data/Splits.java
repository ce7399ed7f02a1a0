package dev.lethe.data;

import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The three splits every run works on: the training pool (what the original model is trained on and
 * what forget sets are drawn from), a validation split from the rest of the training file, and the
 * test split from the test file. Each split is sorted by row of its source file, so its order does
 * not depend on the seed, only its membership does.
 */
public record Splits(Dataset pool, Dataset validation, Dataset test) {
  /** Checks that all splits are present. */
  public Splits {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(validation, "validation");
    Objects.requireNonNull(test, "test");
  }

  /**
   * Cuts the splits. A split fixed by an id file ({@link SplitConfig#poolIds()} and the others) holds
   * exactly the rows with those ids. The pool and validation splits not fixed are drawn, in this order,
   * from a permutation of the remaining training-file rows drawn from {@code new SplittableRandom(seed)}:
   * with no id file at all, the pool is its first {@code trainSize} rows and the validation split the next
   * {@code validationSize}. A test split not fixed, when {@code testSize} is positive and smaller than the
   * test file, is drawn from {@code new SplittableRandom(seed).split()}, so it does not change with the
   * train or validation size.
   *
   * @throws LetheException if the training file has too few rows for the drawn splits, or an id file names
   *     an id its file does not hold or lists validation ids that are in the pool
   */
  public static Splits of(TrainTest data, SplitConfig config) {
    Dataset train = data.train();
    boolean[] taken = new boolean[train.size()];
    int[] poolRows = fixedRows(config.poolIds(), "--pool-ids file", train, "training file", taken, null);
    int[] validationRows = fixedRows(config.validationIds(), "--val-ids file", train, "training file", taken,
        config.poolIds());
    int[] free = rowsWhere(taken, false);
    int drawPool = poolRows == null ? config.trainSize() : 0;
    int drawValidation = validationRows == null ? config.validationSize() : 0;
    long wanted = (long) drawPool + drawValidation;
    if (wanted > free.length) {
      throw tooFew(config, train, free.length);
    }
    int[] order = firstOfPermutation(free.length, (int) wanted, new SplittableRandom(config.seed()));
    for (int i = 0; i < order.length; i++) {
      order[i] = free[order[i]];
    }
    if (poolRows == null) {
      poolRows = Arrays.copyOfRange(order, 0, drawPool);
    }
    if (validationRows == null) {
      validationRows = Arrays.copyOfRange(order, drawPool, (int) wanted);
    }

    Dataset testFile = data.test();
    int[] testRows = fixedRows(config.testIds(), "--test-ids file", testFile, "test file",
        new boolean[testFile.size()], null);
    Dataset test = testFile;
    if (testRows != null) {
      test = testFile.select(sorted(testRows));
    } else if (config.testSize() > 0 && config.testSize() < testFile.size()) {
      SplittableRandom testStream = new SplittableRandom(config.seed()).split();
      test = testFile.select(sorted(firstOfPermutation(testFile.size(), config.testSize(), testStream)));
    }
    return new Splits(train.select(sorted(poolRows)), train.select(sorted(validationRows)), test);
  }

  /**
   * The rows of {@code source} an id file names, marked in {@code taken}; null when there is no file.
   *
   * @param pool the pool's id file when these ids must stay out of the pool, else null
   */
  private static int[] fixedRows(
      IdFile ids, String what, Dataset source, String sourceKind, boolean[] taken, IdFile pool) {
    if (ids == null) {
      return null;
    }
    IdFile.Contents contents = ids.contents(what);
    int[] rows = contents.rowsIn(source, "is not in the " + sourceKind + " " + source.name() + " of "
        + source.size() + " samples; ids are the samples' indices in that file");
    for (int i = 0; i < rows.length; i++) {
      if (taken[rows[i]]) {
        throw contents.at(i, "is also in the pool (--pool-ids " + pool.path()
            + "); the validation split must be disjoint from the pool");
      }
      taken[rows[i]] = true;
    }
    return rows;
  }

  private static LetheException tooFew(SplitConfig config, Dataset train, int free) {
    if (config.poolIds() == null && config.validationIds() == null) {
      long wanted = (long) config.trainSize() + config.validationSize();
      return new LetheException("train size " + config.trainSize() + " + validation size "
          + config.validationSize() + " = " + wanted + " exceeds the " + train.size() + " samples available in "
          + train.name() + "; pass a smaller --train-size");
    }
    if (config.poolIds() != null) {
      return new LetheException("the validation split needs " + config.validationSize() + " samples but only "
          + free + " of the " + train.size() + " in " + train.name() + " are outside --pool-ids "
          + config.poolIds().path() + "; pass a smaller --val-size (0 for none) or list fewer pool ids");
    }
    return new LetheException("the training pool needs " + config.trainSize() + " samples but only " + free
        + " of the " + train.size() + " in " + train.name() + " are outside --val-ids "
        + config.validationIds().path() + "; pass a smaller --train-size or list fewer validation ids");
  }

  /** The first {@code k} entries of a uniformly random permutation of 0..n-1 (partial Fisher–Yates). */
  public static int[] firstOfPermutation(int n, int k, SplittableRandom random) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      int swap = rows[i];
      rows[i] = rows[j];
      rows[j] = swap;
    }
    return Arrays.copyOf(rows, k);
  }

  /** {@code rows}, sorted in place. */
  static int[] sorted(int[] rows) {
    Arrays.sort(rows);
    return rows;
  }

  /** The indices of {@code flags} equal to {@code value}, ascending. */
  public static int[] rowsWhere(boolean[] flags, boolean value) {
    int count = 0;
    for (boolean flag : flags) {
      if (flag == value) {
        count++;
      }
    }
    int[] rows = new int[count];
    int next = 0;
    for (int i = 0; i < flags.length; i++) {
      if (flags[i] == value) {
        rows[next++] = i;
      }
    }
    return rows;
  }
}
