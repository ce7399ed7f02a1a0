package dev.lethe.data;

import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A forget set that arrives as {@code K} deletion requests, one after another ({@code --requests K}): the forget
 * rows are shuffled with the task's seed and cut into {@code K} parts of sizes differing by at most one. After
 * request {@code i} everything in requests 1..i is forgotten: {@link #cumulative(int)} is the task an exact
 * retrain after request {@code i} retrains without, and {@link #step(int)} the task the unlearning method sees at
 * request {@code i} — the requested part as its forget set, on the pool that is left after the earlier requests,
 * so its retain set is everything not yet forgotten.
 */
public final class DeletionRequests {
  private final ForgetTask full;
  private final int[][] parts;

  private DeletionRequests(ForgetTask full, int[][] parts) {
    this.full = full;
    this.parts = parts;
  }

  /**
   * Cuts {@code full}'s forget set into {@code k} requests.
   *
   * @throws LetheException if {@code k} is below 1 or larger than the forget set, or {@code full} forgets whole
   *     classes (a class is one request: its test split already leaves the class out)
   */
  public static DeletionRequests of(ForgetTask full, int k) {
    int n = full.forget().size();
    if (k < 1 || k > n) {
      throw new LetheException("--requests " + k + " does not fit forget spec " + full.spec().text() + " of " + n
          + " samples: pass between 1 and " + n + " requests");
    }
    if (full.forgetClasses().length > 0 && k > 1) {
      throw new LetheException("--requests " + k + " splits a sample-level forget set, but " + full.spec().text()
          + " forgets whole classes, which is one request: use random:, ids:, worst: or a poisoned batch");
    }
    int[] rows = full.rows().forget().clone();
    int[] order = Splits.firstOfPermutation(n, n, new SplittableRandom(full.seed()).split());
    int[][] parts = new int[k][];
    int start = 0;
    for (int i = 0; i < k; i++) {
      int size = n / k + (i < n % k ? 1 : 0);
      parts[i] = new int[size];
      for (int j = 0; j < size; j++) {
        parts[i][j] = rows[order[start + j]];
      }
      Arrays.sort(parts[i]);
      start += size;
    }
    return new DeletionRequests(full, parts);
  }

  /** K, the number of requests. */
  public int count() {
    return parts.length;
  }

  /** The whole forget set's task. */
  public ForgetTask full() {
    return full;
  }

  /** Request {@code i}'s pool rows (1-based {@code i}), ascending. */
  public int[] part(int i) {
    return parts[check(i) - 1].clone();
  }

  /** Everything forgotten once request {@code i} is served, on the full pool: what the exact retrain leaves out. */
  public ForgetTask cumulative(int i) {
    if (check(i) == count()) {
      return full;
    }
    int[] rows = new int[0];
    for (int r = 1; r <= i; r++) {
      int[] part = parts[r - 1];
      int[] joined = Arrays.copyOf(rows, rows.length + part.length);
      System.arraycopy(part, 0, joined, rows.length, part.length);
      rows = joined;
    }
    Arrays.sort(rows);
    return ForgetTask.ofRows(full.spec(), splits(full.pool()), rows, full.forgetClasses(), full.seed());
  }

  /**
   * What the method serving request {@code i} sees: the pool left after requests 1..i-1, forgetting request
   * {@code i}'s part.
   */
  public ForgetTask step(int i) {
    check(i);
    boolean[] gone = new boolean[full.pool().size()];
    for (int r = 1; r < i; r++) {
      for (int row : parts[r - 1]) {
        gone[row] = true;
      }
    }
    int[] left = Splits.rowsWhere(gone, false);
    Dataset pool = full.pool().select(left);
    int[] forget = new int[parts[i - 1].length];
    for (int j = 0; j < forget.length; j++) {
      forget[j] = Arrays.binarySearch(left, parts[i - 1][j]);
    }
    return ForgetTask.ofRows(full.spec(), splits(pool), forget, full.forgetClasses(), full.seed());
  }

  private Splits splits(Dataset pool) {
    return new Splits(pool, full.validation(), full.test());
  }

  private int check(int i) {
    if (i < 1 || i > count()) {
      throw new IllegalArgumentException("request " + i + " of " + count());
    }
    return i;
  }
}
