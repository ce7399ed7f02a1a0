package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.data.Dataset;
import java.util.SplittableRandom;

/**
 * An endless stream of mini-batches (row indices) over a dataset, reshuffled every epoch from a seeded
 * generator, like a PyTorch DataLoader with {@code shuffle=True} iterated forever. A final batch of a
 * single image is merged into the previous one, because BatchNorm cannot normalise one sample.
 *
 * <p>The stream is also the one place training images are augmented: {@link #images} applies its
 * {@link Augmentation} to the batch {@link #next} just returned, from a generator that depends only on the
 * stream's seed and the batch's index, so the same seed gives the same crops and flips in every run. The
 * shuffle never draws from that generator: a stream without augmentation yields exactly the batches it
 * always did.
 */
public final class BatchStream {
  private final Dataset data;
  private final int batchSize;
  private final long seed;
  private final SplittableRandom random;
  private final boolean shuffle;
  private final Augmentation augmentation;
  private final int augmentedRows;
  private int[] order;
  private int cursor;
  private int epoch;
  private long drawn;
  private int[] last;

  /** A stream over {@code data} without augmentation; {@code shuffle=false} keeps dataset order. */
  public BatchStream(Dataset data, int batchSize, long seed, boolean shuffle) {
    this(data, batchSize, seed, shuffle, Augmentation.NONE);
  }

  /** A stream over {@code data} whose {@link #images} are augmented by {@code augmentation}. */
  public BatchStream(Dataset data, int batchSize, long seed, boolean shuffle, Augmentation augmentation) {
    this(data, batchSize, seed, shuffle, augmentation, data.size());
  }

  /**
   * A stream that augments only rows below {@code augmentedRows}; the rest stay clean (AMUN's adversarial
   * examples, appended after the real images, are never augmented in its code).
   */
  public BatchStream(
      Dataset data, int batchSize, long seed, boolean shuffle, Augmentation augmentation, int augmentedRows) {
    if (data.size() == 0) {
      throw new IllegalArgumentException("cannot draw batches from an empty dataset");
    }
    if (augmentedRows < 0 || augmentedRows > data.size()) {
      throw new IllegalArgumentException(
          "augmentedRows must be in [0, " + data.size() + "], got " + augmentedRows);
    }
    this.data = data;
    this.batchSize = Math.min(batchSize, data.size());
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.shuffle = shuffle;
    this.augmentation = augmentation;
    this.augmentedRows = augmentedRows;
    this.order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    reshuffle();
  }

  /** The dataset the rows index into. */
  public Dataset data() {
    return data;
  }

  /** Batches in one pass over the data. */
  public int batchesPerEpoch() {
    int n = data.size();
    int batches = (n + batchSize - 1) / batchSize;
    return n % batchSize == 1 && batches > 1 ? batches - 1 : batches;
  }

  /** The epochs completed so far. */
  public int epoch() {
    return epoch;
  }

  /** The next batch of rows; starts a new shuffled epoch when the current one is exhausted. */
  public int[] next() {
    if (cursor >= order.length) {
      epoch++;
      reshuffle();
    }
    int remaining = order.length - cursor;
    int take = Math.min(batchSize, remaining);
    if (remaining - take == 1) {
      take = remaining;
    }
    int[] rows = new int[take];
    System.arraycopy(order, cursor, rows, 0, take);
    cursor += take;
    drawn++;
    last = rows;
    return rows;
  }

  /**
   * The images of {@code rows}, the batch {@link #next} just returned (the very array), as an N×C×H×W
   * tensor owned by {@code manager}, augmented by this stream's policy (rows below {@code augmentedRows}
   * only). Batch b of a stream with seed s is augmented from {@link #augmentationRandom}(s, b).
   */
  public NDArray images(NDManager manager, int[] rows) {
    if (rows != last) {
      throw new IllegalStateException("images() takes the batch next() just returned");
    }
    if (augmentation == Augmentation.NONE) {
      return Batches.images(manager, data, rows);
    }
    float[] buffer = Batches.gather(data, rows);
    SplittableRandom draws = augmentationRandom(seed, drawn - 1);
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] < augmentedRows) {
        augmentation.apply(buffer, i, data.channels(), data.height(), data.width(), draws);
      }
    }
    return Batches.tensor(manager, data, buffer, rows.length);
  }

  /**
   * The generator of the augmentation of batch {@code index} (0-based, counted over the stream's life) of a
   * stream seeded {@code seed}: a function of the two alone, mixed so that neighbouring indices or seeds
   * give unrelated draws.
   */
  static SplittableRandom augmentationRandom(long seed, long index) {
    return new SplittableRandom(mix(mix(seed) + index));
  }

  /** Stafford's 64-bit finaliser ("variant 13"), the mixer of {@link SplittableRandom}. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private void reshuffle() {
    cursor = 0;
    if (!shuffle) {
      return;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
