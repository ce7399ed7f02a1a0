package dev.lethe.unlearn;

import static dev.lethe.unlearn.ReferenceMlp.POOL_X;
import static dev.lethe.unlearn.ReferenceMlp.POOL_Y;
import static dev.lethe.unlearn.ReferenceMlp.WEIGHTS;
import static dev.lethe.unlearn.ReferenceMlp.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import dev.lethe.train.ParameterMask;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * SalUn's saliency mask pinned on the tiny mlp of {@link ReferenceMlp}, re-derived here in double
 * arithmetic.
 */
class SalUnStepsTest {
  private static final int[] FORGET = {0, 1};
  /** The mask keeps int(0.34 x 21) = 7 of the 21 weights, as generate_mask.py counts (not ceil's 8). */
  private static final double KEEP = 0.34;
  private static final int KEPT = 7;

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

  private static double[][] maskValues(ParameterMask mask) {
    double[][] out = new double[mask.size()][];
    for (int i = 0; i < out.length; i++) {
      float[] v = mask.get(i).toFloatArray();
      out[i] = new double[v.length];
      for (int j = 0; j < v.length; j++) {
        out[i][j] = v[j];
      }
    }
    return out;
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
      assertThat(maskValues(mask)).isDeepEqualTo(expected);
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
      assertThat(maskValues(mask)).isDeepEqualTo(expected);
      assertThat(mask.density()).isEqualTo(12.0 / 21);
    }
  }
}
