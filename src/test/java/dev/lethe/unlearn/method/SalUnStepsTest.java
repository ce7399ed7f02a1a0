package dev.lethe.unlearn.method;

import static dev.lethe.unlearn.method.ReferenceMlp.POOL_X;
import static dev.lethe.unlearn.method.ReferenceMlp.POOL_Y;
import static dev.lethe.unlearn.method.ReferenceMlp.WEIGHTS;
import static dev.lethe.unlearn.method.ReferenceMlp.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Augmentation;
import dev.lethe.train.ParameterMask;
import dev.lethe.train.Progress;
import dev.lethe.train.SgdOptimizer.MaskMode;
import dev.lethe.unlearn.SgdOptions;
import dev.lethe.unlearn.blocks.Saliency;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SalUn pinned to exact weights on the tiny mlp of {@link ReferenceMlp}: its saliency mask and its masked
 * random-label steps under both mask modes, re-derived here in double arithmetic.
 */
class SalUnStepsTest {
  private static final ForgetTask TASK = ReferenceMlp.classZeroTask();
  private static final int[] FORGET = {0, 1};
  private static final int[] RETAIN = {2, 3, 4, 5};
  /** The mask keeps int(0.34 x 21) = 7 of the 21 weights, as generate_mask.py counts (not ceil's 8). */
  private static final double KEEP = 0.34;
  private static final int KEPT = 7;
  private static final long SEED = 5;

  /** The top-{@code k} entries of {@code scores} over all tensors at once, as a 0/1 mask. */
  private static double[][] topK(double[][] scores, int k) {
    double[] all = Arrays.stream(scores).flatMapToDouble(Arrays::stream).sorted().toArray();
    double threshold = all[all.length - k];
    // the fixture keeps a clear gap below the k-th score, so the selection has no ties
    assertThat(all[all.length - k - 1]).isLessThan(0.95 * threshold);
    double[][] mask = ReferenceMlp.zerosLike(scores);
    for (int p = 0; p < mask.length; p++) {
      for (int i = 0; i < mask[p].length; i++) {
        mask[p][i] = scores[p][i] >= threshold ? 1 : 0;
      }
    }
    return mask;
  }

  /** SalUn's saliency |Σ_b ∇ CE_b| over {@code batches} of mean cross-entropy. */
  private static double[][] saliency(double[][] x, int[] y, int[][] batches) {
    double[][] sum = ReferenceMlp.zerosLike(WEIGHTS);
    for (int[] batch : batches) {
      sum = ReferenceMlp.plus(sum, ReferenceMlp.meanGradient(WEIGHTS, rows(x, batch), rows(y, batch)));
    }
    for (double[] t : sum) {
      for (int i = 0; i < t.length; i++) {
        t[i] = Math.abs(t[i]);
      }
    }
    return sum;
  }

  @Test
  void maskKeepsTheTopFractionOfTheAbsoluteSummedForgetGradientRankedOverAllLayers() {
    // 4 forget images in two batches of 2
    double[][] x = {{0.4, 0.7}, {0.8, 0.8}, {0.2, 0.1}, {0.6, 0.3}};
    int[] y = {0, 1, 1, 2};
    double[][] scores = saliency(x, y, new int[][] {{0, 1}, {2, 3}});
    // |g_1 + g_2| rounded: W1 .748 .384 .891 .588; b1 1.189 1.389; W2 1.049 1.498 .161 .146; b2 1.651 .328;
    // W3 .145 .037 .515 .262 .660 .298; b3 .214 .250 .464 — the 7th largest is .748, the 8th .660
    double[][] expected = {{1, 0, 1, 0}, {1, 1}, {1, 1, 0, 0}, {1, 0}, {0, 0, 0, 0, 0, 0}, {0, 0, 0}};
    assertThat(topK(scores, KEPT)).isDeepEqualTo(expected);
    // ranking Σ_b |g_b| instead would keep b2[1] rather than W1[0][0]: the test tells the two apart
    double[][] sumOfAbs = ReferenceMlp.plus(saliency(x, y, new int[][] {{0, 1}}), saliency(x, y, new int[][] {{2, 3}}));
    assertThat(topK(sumOfAbs, KEPT)).isNotEqualTo(expected);
    try (Network net = ReferenceMlp.network(WEIGHTS);
        ParameterMask mask = Saliency.topGradient(net, ReferenceMlp.dataset("salun-forget", x, y), KEEP, 2)) {
      // global ranking: the head (W3, b3) gets no weight at all, which a per-layer top fraction would not do
      assertThat(ReferenceMlp.entriesOf(mask)).isDeepEqualTo(expected);
    }
  }

  @Test
  void maskKeepsExactlyItsShareWhenGradientsTieAtZero() {
    // the second unit of each hidden layer is dead on both forget images, so 10 of the 21 gradients are 0
    double[][] weights = ReferenceMlp.copy(WEIGHTS);
    weights[0] = new double[] {0.9, 0.2, -0.8, -0.9};
    weights[1] = new double[] {0.0, -0.1};
    double[][] x = rows(POOL_X, FORGET);
    int[] y = rows(POOL_Y, FORGET);
    double[][] g = ReferenceMlp.meanGradient(weights, x, y);
    assertThat(Arrays.stream(g).flatMapToDouble(Arrays::stream).filter(v -> v == 0).count()).isEqualTo(10);
    // int(0.6 x 21) = 12: the 11 non-zero gradients and the first zero one in parameter order, W1[1][0];
    // a threshold test alone (|g| >= 0) would keep all 21
    double[][] expected = {{1, 1, 1, 0}, {1, 0}, {1, 0, 0, 0}, {1, 0}, {1, 0, 1, 0, 1, 0}, {1, 1, 1}};
    for (int p = 0; p < g.length; p++) {
      for (int i = 0; i < g[p].length; i++) {
        assertThat(expected[p][i] == 1).as("tensor %d entry %d", p, i).isEqualTo(g[p][i] != 0 || (p == 0 && i == 2));
      }
    }
    try (Network net = ReferenceMlp.network(weights);
        ParameterMask mask = Saliency.topGradient(net, ReferenceMlp.dataset("dead-units", x, y), 0.6, 2)) {
      assertThat(ReferenceMlp.entriesOf(mask)).isDeepEqualTo(expected);
      assertThat(mask.density()).isEqualTo(12.0 / 21);
    }
  }

  /**
   * SalUn with 2 epochs, each a random-label step on the 2 forget images then a true-label step on the 4
   * retain images (one batch each), SGD lr 0.1, momentum 0.9, wd 0.01, constant rate.
   */
  private static SalUn.Options options(MaskMode mode) {
    return SalUn.Options.defaults().withSparsity(KEEP).withMaskMode(mode)
        .withSgd(s -> s.withEpochs(2).withLr(0.1).withBatchSize(4).withWeightDecay(0.01));
  }

  /** The forget rows of each epoch's batch, in stream order, and the random label drawn for each. */
  private record Relabelled(int[][] rows, int[][] labels) {}

  /**
   * The random labels SalUn's forget steps use: {@code SplittableRandom(seed)} seeds the forget then the
   * retain stream, then draws one uniform class per forget row in each batch's (shuffled) order.
   */
  private static Relabelled randomLabels(int epochs) {
    SplittableRandom random = new SplittableRandom(SEED);
    BatchStream forget = new BatchStream(TASK.forget(), 4, random.nextLong(), true);
    random.nextLong();
    int[][] rows = new int[epochs][];
    int[][] labels = new int[epochs][];
    for (int e = 0; e < epochs; e++) {
      rows[e] = forget.next();
      labels[e] = new int[rows[e].length];
      for (int i = 0; i < rows[e].length; i++) {
        labels[e][i] = random.nextInt(3);
      }
    }
    return new Relabelled(rows, labels);
  }

  /**
   * The RL loop under the mask: grad_only multiplies each gradient by the mask and lets weight decay and
   * momentum move every weight; hard_freeze leaves masked weights and their momentum untouched.
   */
  private static double[][] reference(SalUn.Options o, double[][] mask) {
    boolean hard = o.maskMode() == MaskMode.HARD_FREEZE;
    SgdOptions s = o.sgd();
    Relabelled forget = randomLabels(s.epochs());
    double[][] w = ReferenceMlp.copy(WEIGHTS);
    ReferenceMlp.Sgd sgd = new ReferenceMlp.Sgd(s.momentum(), s.weightDecay());
    for (int e = 0; e < s.epochs(); e++) {
      double[][] forgetStep = ReferenceMlp.meanGradient(w, rows(POOL_X, forget.rows()[e]), forget.labels()[e]);
      sgd.step(w, hard ? forgetStep : ReferenceMlp.times(forgetStep, mask), s.lr(), hard ? mask : null);
      double[][] retainStep = ReferenceMlp.meanGradient(w, rows(POOL_X, RETAIN), rows(POOL_Y, RETAIN));
      sgd.step(w, hard ? retainStep : ReferenceMlp.times(retainStep, mask), s.lr(), hard ? mask : null);
    }
    return w;
  }

  @Test
  void maskedRandomLabelStepsMatchTheHandDerivedWeightsInBothMaskModes() {
    assertThat(Arrays.stream(TASK.forget().ids()).toArray()).containsExactly(FORGET);
    double[][] mask = topK(saliency(POOL_X, POOL_Y, new int[][] {FORGET}), KEPT);
    assertThat(mask).isDeepEqualTo(new double[][] {{0, 0, 0, 0}, {0, 1}, {0, 0, 0, 1}, {0, 1}, {1, 0, 1, 0, 0, 0}, {1, 1, 0}});
    // seed 5: epoch 1 relabels rows 0, 1 as classes 2, 0; epoch 2 visits rows 1, 0 and relabels them 1, 0
    Relabelled forget = randomLabels(2);
    assertThat(forget.rows()).isDeepEqualTo(new int[][] {{0, 1}, {1, 0}});
    assertThat(forget.labels()).isDeepEqualTo(new int[][] {{2, 0}, {1, 0}});
    for (MaskMode mode : MaskMode.values()) {
      double[][] expected = reference(options(mode), mask);
      try (Network original = ReferenceMlp.network(WEIGHTS);
          Network out = new SalUn(options(mode), Augmentation.NONE).unlearn(original, TASK, SEED, Progress.silent())) {
        ReferenceMlp.assertWeights(out, expected, 1e-5, mode.id());
        if (mode == MaskMode.HARD_FREEZE) {
          double[][] actual = ReferenceMlp.weightsOf(out);
          for (int p = 0; p < mask.length; p++) {
            for (int i = 0; i < mask[p].length; i++) {
              if (mask[p][i] == 0) {
                assertThat(actual[p][i]).as("frozen tensor %d entry %d", p, i).isEqualTo((float) WEIGHTS[p][i]);
              }
            }
          }
        }
      }
    }
    // under grad_only weight decay (through momentum) still moves the masked weights
    assertThat(reference(options(MaskMode.GRAD_ONLY), mask))
        .isNotEqualTo(reference(options(MaskMode.HARD_FREEZE), mask));
  }
}
