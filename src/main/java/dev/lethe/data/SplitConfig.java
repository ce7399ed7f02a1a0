package dev.lethe.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lethe.LetheException;

/**
 * How to cut a dataset into the training pool, a validation split and the test split: drawn at random,
 * or fixed, split by split, by a file of stable ids ({@code lethe split} writes such files). An id file is
 * part of the split's identity and of its JSON; a split without one keeps the JSON it always had, so
 * recipes and results recorded before id files existed still match.
 *
 * @param trainSize samples in the training pool (the original model's training set), at least 1; the
 *     number of ids when {@code poolIds} is given
 * @param validationSize samples held out of the training file for validation, 0 or more; the number of
 *     ids when {@code validationIds} is given
 * @param testSize samples of the test file to use; 0 means the whole test file; the number of ids when
 *     {@code testIds} is given
 * @param seed seed of the permutations
 * @param poolIds training-file ids of the pool ({@code --pool-ids}), or null to draw it
 * @param validationIds training-file ids of the validation split ({@code --val-ids}), or null to draw it
 *     from the rows outside the pool
 * @param testIds test-file ids of the test split ({@code --test-ids}), or null to draw it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SplitConfig(
    int trainSize, int validationSize, int testSize, long seed, IdFile poolIds, IdFile validationIds,
    IdFile testIds) {
  /** The default benchmark's training pool: 8,000 images, enough for a small CNN to memorise (BENCHMARKS.md). */
  public static final int DEFAULT_TRAIN_SIZE = 8000;

  /** The default benchmark's validation split, where {@code lethe tune} selects hyperparameters. */
  public static final int DEFAULT_VALIDATION_SIZE = 1000;

  /** The default benchmark's test split, drawn from the test file. */
  public static final int DEFAULT_TEST_SIZE = 2000;

  /** The default seed of the draw ({@code --split-seed}), fixed across run seeds. */
  public static final long DEFAULT_SEED = 0;

  /** The default benchmark's split, drawn at random: the CLI's defaults. */
  public static final SplitConfig DEFAULT =
      new SplitConfig(DEFAULT_TRAIN_SIZE, DEFAULT_VALIDATION_SIZE, DEFAULT_TEST_SIZE, DEFAULT_SEED);

  /** Rejects sizes that cannot be cut and sizes that disagree with their id file. */
  public SplitConfig {
    if (trainSize <= 0) {
      throw new LetheException("train size must be at least 1, got " + trainSize + "; pass a positive --train-size");
    }
    if (validationSize < 0) {
      throw new LetheException("validation size must be 0 or more, got " + validationSize);
    }
    if (testSize < 0) {
      throw new LetheException("test size must be 0 (the whole test file) or more, got " + testSize);
    }
    requireCount("--train-size", trainSize, "--pool-ids", poolIds);
    requireCount("--val-size", validationSize, "--val-ids", validationIds);
    requireCount("--test-size", testSize, "--test-ids", testIds);
  }

  /** A split drawn entirely at random. */
  public SplitConfig(int trainSize, int validationSize, int testSize, long seed) {
    this(trainSize, validationSize, testSize, seed, null, null, null);
  }

  private static void requireCount(String sizeFlag, int size, String idsFlag, IdFile ids) {
    if (ids != null && ids.count() != size) {
      throw new LetheException(sizeFlag + " " + size + " disagrees with the " + ids.count() + " ids of "
          + idsFlag + " " + ids.path() + ": drop " + sizeFlag + ", the file sets the size");
    }
  }
}
