package dev.lethe.experiment;

import ai.djl.ndarray.NDArray;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.Splits;
import dev.lethe.model.Network;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Batches;
import dev.lethe.train.Losses;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.train.SignSgd;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The worst-case forget set of a given size (Fan et al., "Challenging Forgets: Unveiling the Worst-Case Forget Sets
 * in Machine Unlearning", ECCV 2024; the official code's data-wise {@code main_selmu.py}, mode {@code optm}): a
 * bi-level search for the {@code k} pool samples whose forgetting the original model resists most.
 *
 * <p>A soft selection {@code w ∈ [0,1]^n} with {@code Σw = k} starts as a random {@code k}-subset. Each upper-level
 * epoch reloads the original and runs the lower level — {@link Options#unlearnEpochs} epochs of fine-tuning on the
 * whole pool with the per-sample loss weighted by {@code 1 − w_i} (summed over the batch) and sign descent
 * ({@link SignSgd}, as the code's {@code w_FT}) — then takes the per-sample cross-entropy {@code ℓ} of the result
 * on the pool and moves {@code w ← w − wLr·(ℓ + 2γw)}, projected back onto the capped simplex by bisection. The
 * last epoch binarises {@code w} to its top {@code k}. Samples that the model still fits after fine-tuning away
 * from them gain weight: they are the ones unlearning by fine-tuning fails to forget.
 *
 * <p>Departures from the code, all for this machine's budget or determinism: the per-sample losses of the upper
 * level are computed with BatchNorm in inference mode (the code leaves the model in training mode); the defaults
 * are the README example's lower level ({@code theta_lr} 1e-3) with fewer epochs, and the upper rate of the
 * code's example runs, not its parser's (see {@link Options}).
 */
public final class WorstCaseSelection {
  /**
   * The search's settings.
   *
   * @param selectEpochs upper-level epochs (code default 10, README example 2); 3 here
   * @param unlearnEpochs lower-level fine-tuning epochs per upper epoch (code default 10, example 2); 1 here
   * @param thetaLr the sign-descent rate of the lower level (the example's 1e-3)
   * @param wLr the upper level's rate: 1e4, the rate the result paths of the code's example runs name; its
   *     arg_parser default 0.01 cannot move a selection off its random start in a few rounds (a selected sample
   *     leaves only once its losses over the rounds sum past about {@code 1/wLr} = 100 nats)
   * @param gamma the weight of the upper level's {@code ‖w‖²} penalty (code default 0)
   * @param batchSize the lower level's batch (code default 256 for CIFAR-10; 128 here, our training batch)
   */
  public record Options(int selectEpochs, int unlearnEpochs, double thetaLr, double wLr, double gamma, int batchSize) {
    /** The defaults this class documents. */
    public static final Options DEFAULT = new Options(3, 1, 1e-3, 1e4, 0, 128);
  }

  private WorstCaseSelection() {}

  /**
   * The worst-case {@code k}-subset of {@code pool} for {@code original} (left unchanged), as sorted pool rows.
   *
   * @throws LetheException if {@code k} is not between 1 and the pool size minus one
   */
  public static int[] select(Network original, Dataset pool, int k, Options o, long seed, Progress progress) {
    int n = pool.size();
    if (k < 1 || k >= n) {
      throw new LetheException("a worst-case forget set of " + k + " samples does not fit the training pool of " + n
          + ": ask for between 1 and " + (n - 1));
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] w = new double[n];
    for (int row : Splits.firstOfPermutation(n, k, random.split())) {
      w[row] = 1;
    }
    for (int epoch = 0; epoch < o.selectEpochs(); epoch++) {
      double[] loss;
      try (Network net = original.copy()) {
        lowerLevel(net, pool, w, o, random.nextLong(), progress.child("epoch " + (epoch + 1) + "/" + o.selectEpochs()));
        loss = perSampleLoss(Prediction.logits(net, pool), pool.labels());
      }
      for (int i = 0; i < n; i++) {
        w[i] -= o.wLr() * (loss[i] + 2 * o.gamma() * w[i]);
      }
      w = project(w, k);
    }
    return topK(w, k);
  }

  /** Fine-tunes {@code net} on {@code pool} with per-sample weights {@code 1 − w} and sign descent. */
  private static void lowerLevel(Network net, Dataset pool, double[] w, Options o, long seed, Progress progress) {
    BatchStream batches = new BatchStream(pool, o.batchSize(), seed, true);
    int perEpoch = batches.batchesPerEpoch();
    Schedule schedule = new Schedule(o.unlearnEpochs() * perEpoch, perEpoch, Math.min(o.batchSize(), pool.size()),
        o.thetaLr(), LrSchedule.CONSTANT);
    try (SignSgd sign = new SignSgd(net)) {
      Optimization.run(net, sign, schedule, (step, t) -> {
        int[] rows = batches.next();
        float[] keep = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
          keep[i] = (float) (1 - w[rows[i]]);
        }
        NDArray ce = Losses.crossEntropyPerSample(
            net.forward(batches.images(step, rows), true), Batches.labels(step, pool, rows));
        return ce.mul(step.create(keep)).sum();
      }, "worst-case selection", progress);
    }
  }

  /** Cross-entropy of each row of {@code logits} against its label, in double precision. */
  static double[] perSampleLoss(float[][] logits, int[] labels) {
    double[] loss = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (float z : logits[i]) {
        max = Math.max(max, z);
      }
      double sum = 0;
      for (float z : logits[i]) {
        sum += Math.exp(z - max);
      }
      loss[i] = max + Math.log(sum) - logits[i][labels[i]];
    }
    return loss;
  }

  /**
   * The projection of {@code a} onto {@code {w : 0 ≤ w ≤ 1, Σw = k}}: {@code clamp(a − μ, 0, 1)} with the shift
   * {@code μ} found by bisection on {@code [min(a) − 1, max(a)]} to 1e-10, as the code's {@code bisection} (which
   * stops at 1e-5 or 100 halvings).
   */
  static double[] project(double[] a, int k) {
    double lo = Arrays.stream(a).min().orElseThrow() - 1;
    double hi = Arrays.stream(a).max().orElseThrow();
    for (int iter = 0; iter < 200 && hi - lo > 1e-10; iter++) {
      double mid = (lo + hi) / 2;
      if (clampedSum(a, mid) > k) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double mu = (lo + hi) / 2;
    double[] w = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      w[i] = Math.min(1, Math.max(0, a[i] - mu));
    }
    return w;
  }

  private static double clampedSum(double[] a, double mu) {
    double sum = 0;
    for (double v : a) {
      sum += Math.min(1, Math.max(0, v - mu));
    }
    return sum;
  }

  /** The rows of the {@code k} largest entries of {@code w} (ties to the lower row), ascending. */
  static int[] topK(double[] w, int k) {
    Integer[] order = new Integer[w.length];
    for (int i = 0; i < w.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> w[x] != w[y] ? Double.compare(w[y], w[x]) : Integer.compare(x, y));
    int[] rows = new int[k];
    for (int i = 0; i < k; i++) {
      rows[i] = order[i];
    }
    Arrays.sort(rows);
    return rows;
  }
}
