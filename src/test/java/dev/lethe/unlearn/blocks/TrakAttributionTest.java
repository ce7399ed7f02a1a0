package dev.lethe.unlearn.blocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TRAK estimate against ridge regression, where removing a sample has a closed form, and its network part on a
 * tiny trained cnn.
 */
class TrakAttributionTest {
  private static final int N = 40;
  private static final int P = 4;
  private static final double RIDGE = 0.05;
  private static double[][] x;
  private static double[] y;

  private static final ForgetTask TASK = TinyData.task("random:0.1", 3);
  private static final TrainConfig CNN_TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  private static Network cnn;

  @BeforeAll
  static void setUp() {
    Random random = new Random(11);
    x = new double[N][P];
    y = new double[N];
    for (int i = 0; i < N; i++) {
      for (int a = 0; a < P; a++) {
        x[i][a] = random.nextGaussian();
      }
      y[i] = 1.5 * x[i][0] - x[i][1] + 0.3 * x[i][3] + 0.5 * random.nextGaussian();
    }
    cnn = TinyData.trainedCnn(TASK.pool(), CNN_TRAINING);
  }

  @AfterAll
  static void tearDown() {
    cnn.close();
  }

  /** The ridge fit {@code (XᵀX − Σ_{skip} x xᵀ + λI)⁻¹ (Xᵀy − Σ_{skip} x y)} with λ fixed, by Cholesky. */
  private static double[] fit(double lambda, int... skip) {
    double[][] h = new double[P][P];
    double[] b = new double[P];
    for (int i = 0; i < N; i++) {
      final int row = i;
      if (java.util.Arrays.stream(skip).anyMatch(s -> s == row)) {
        continue;
      }
      for (int a = 0; a < P; a++) {
        b[a] += x[i][a] * y[i];
        for (int c = 0; c < P; c++) {
          h[a][c] += x[i][a] * x[i][c];
        }
      }
    }
    for (int a = 0; a < P; a++) {
      h[a][a] += lambda;
    }
    return TrakAttribution.choleskySolve(h, b);
  }

  private static double lambda() {
    double trace = 0;
    for (double[] row : x) {
      for (double v : row) {
        trace += v * v;
      }
    }
    return RIDGE * trace / P;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void onRidgeRegressionItIsTheNewtonStepOfRemovalWhichLeverageMakesExact() {
    double lambda = lambda();
    double[] w = fit(lambda);
    double[] residual = new double[N];
    for (int i = 0; i < N; i++) {
      residual[i] = y[i] - dot(x[i], w);
    }
    // the output is x·w, so its gradient is x, the loss gradient −residual·x (weight = residual) and the curvature 1
    for (int j : new int[] {0, 7, 23}) {
      double[] u = TrakAttribution.direction(x, residual, ones(N), new int[] {j}, RIDGE);
      double[] without = fit(lambda, j);
      // leverage h_jj = x_jᵀ H⁻¹ x_j, with H the full-data Hessian
      double[] hx = fit0(lambda, x[j]);
      double leverage = dot(x[j], hx);
      for (double[] target : new double[][] {x[j], x[1], {1, 0, 0, 0}, {0.3, -2, 0.5, 1}}) {
        double estimated = dot(target, u); // effect of including j: f(x) − f_{-j}(x)
        double exact = dot(target, w) - dot(target, without);
        assertThat(estimated / (1 - leverage)).as("row %d", j).isCloseTo(exact, within(1e-10));
      }
    }
  }

  /** {@code H⁻¹ v} for the full-data H. */
  private static double[] fit0(double lambda, double[] v) {
    double[][] h = new double[P][P];
    for (double[] row : x) {
      for (int a = 0; a < P; a++) {
        for (int c = 0; c < P; c++) {
          h[a][c] += row[a] * row[c];
        }
      }
    }
    for (int a = 0; a < P; a++) {
      h[a][a] += lambda;
    }
    return TrakAttribution.choleskySolve(h, v);
  }

  @Test
  void aGroupIsTheSumOfItsMembersAndAnInvertibleProjectionChangesNothingWithoutRidge() {
    double[] weights = new double[N];
    for (int i = 0; i < N; i++) {
      weights[i] = 0.1 * (i % 5) - 0.2;
    }
    int[] group = {2, 5, 11};
    double[] curvatures = new double[N];
    for (int i = 0; i < N; i++) {
      curvatures[i] = 0.05 + 0.01 * (i % 7);
    }
    double[] together = TrakAttribution.direction(x, weights, curvatures, group, RIDGE);
    double[] sum = new double[P];
    for (int j : group) {
      double[] one = TrakAttribution.direction(x, weights, curvatures, new int[] {j}, RIDGE);
      for (int a = 0; a < P; a++) {
        sum[a] += one[a];
      }
    }
    for (int a = 0; a < P; a++) {
      assertThat(together[a]).isCloseTo(sum[a], within(1e-12));
    }
    // φ = Rᵀ x for an invertible R: φ(t)ᵀ (ΦᵀΦ)⁻¹ φ_i = tᵀ (XᵀX)⁻¹ x_i
    double[][] r = {{1, 2, 0, 0}, {0, 1, -1, 0}, {0, 0, 1, 1}, {0.5, 0, 0, 2}}; // det 3
    double[][] phi = new double[N][P];
    for (int i = 0; i < N; i++) {
      for (int a = 0; a < P; a++) {
        for (int c = 0; c < P; c++) {
          phi[i][a] += r[c][a] * x[i][c];
        }
      }
    }
    double[] plain = TrakAttribution.direction(x, weights, ones(N), group, 1e-13);
    double[] projected = TrakAttribution.direction(phi, weights, ones(N), group, 1e-13);
    double[] target = {0.3, -2, 0.5, 1};
    double[] projectedTarget = new double[P];
    for (int a = 0; a < P; a++) {
      for (int c = 0; c < P; c++) {
        projectedTarget[a] += r[c][a] * target[c];
      }
    }
    assertThat(dot(projectedTarget, projected)).isCloseTo(dot(target, plain), within(1e-9));
  }

  private static double[] ones(int n) {
    double[] v = new double[n];
    java.util.Arrays.fill(v, 1);
    return v;
  }

  /**
   * Two examples, two features: φ_0 = (1, 0), φ_1 = (0, 2), p = (0.5, 0.8), so the weights 1 − p are (0.5, 0.2), the
   * curvatures p(1 − p) (0.25, 0.16) and the mean curvature r̄ = (0.25·1 + 0.16·4) / (1 + 4) = 0.178. With ridge 0.5
   * λ = 0.5 × r̄ × mean diag(ΦᵀΦ) = 0.5 × r̄ × 2.5, so u = (ΦᵀΦ + 1.25 I)⁻¹ Σ_F φ_i w_i / r̄.
   */
  @Test
  void theKernelIsTraksScaledToTheNewtonHessiansTraceByHand() {
    double[][] phi = {{1, 0}, {0, 2}};
    double[] weights = {0.5, 0.2};
    double[] curvatures = {0.25, 0.16};
    // F = {0}: (0.5 / 2.25, 0) / 0.178
    double[] first = TrakAttribution.direction(phi, weights, curvatures, new int[] {0}, 0.5);
    assertThat(first[0]).isCloseTo(0.5 / 2.25 / 0.178, within(1e-12));
    assertThat(first[0]).isCloseTo(1.248439450686642, within(1e-12));
    assertThat(first[1]).isCloseTo(0, within(1e-15));
    // F = {0, 1}: (0.5 / 2.25, 0.4 / 5.25) / 0.178
    double[] both = TrakAttribution.direction(phi, weights, curvatures, new int[] {0, 1}, 0.5);
    assertThat(both[0]).isCloseTo(1.248439450686642, within(1e-12));
    assertThat(both[1]).isCloseTo(0.4 / 5.25 / 0.178, within(1e-12));
    // TRAK's own kernel ΦᵀΦ (every curvature 1) is r̄ times smaller: the scale the estimate lacked
    double[] trak = TrakAttribution.direction(phi, weights, ones(2), new int[] {0, 1}, 0.5);
    assertThat(trak[0]).isCloseTo(0.5 / 2.25, within(1e-15));
    assertThat(trak[1]).isCloseTo(0.4 / 5.25, within(1e-15));
  }

  /**
   * Binary logistic regression on the margin f = x·w with equal p, where R = r I: the estimate is exactly the
   * one-step Newton step of removing F, {@code (XᵀRX + λI)⁻¹ Σ_F x_i (1 − p)}, with λ on the same scale.
   */
  @Test
  void withEqualCurvaturesItIsTheNewtonStepOfTheLogisticLoss() {
    double p = 0.9;
    double r = p * (1 - p);
    double[] weights = new double[N];
    double[] curvatures = new double[N];
    java.util.Arrays.fill(weights, 1 - p);
    java.util.Arrays.fill(curvatures, r);
    int[] group = {3, 9};
    double[] u = TrakAttribution.direction(x, weights, curvatures, group, RIDGE);
    double[][] h = new double[P][P];
    double trace = 0;
    for (double[] row : x) {
      for (int a = 0; a < P; a++) {
        trace += r * row[a] * row[a];
        for (int c = 0; c < P; c++) {
          h[a][c] += r * row[a] * row[c];
        }
      }
    }
    for (int a = 0; a < P; a++) {
      h[a][a] += RIDGE * trace / P;
    }
    double[] g = new double[P];
    for (int i : group) {
      for (int a = 0; a < P; a++) {
        g[a] += x[i][a] * (1 - p);
      }
    }
    double[] newton = TrakAttribution.choleskySolve(h, g);
    for (int a = 0; a < P; a++) {
      assertThat(u[a]).isCloseTo(newton[a], within(1e-12));
    }
  }

  @Test
  void noCurvatureAtAllIsOneLine() {
    assertThatThrownBy(() -> TrakAttribution.direction(new double[][] {{1, 0}, {0, 1}}, new double[] {1, 0},
        new double[] {0, 0}, new int[] {0}, 1e-3))
        .isInstanceOf(LetheException.class).hasMessageContaining("every training example has curvature 0");
  }

  /** The projection filled in blocks of one or two rows is the one-block matrix: the stream does not depend on it. */
  @Test
  void theProjectionIsTheSameInBlocks() {
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      float[] whole = TrakAttribution.projection(m, 5, 3, 9, 1 << 20).toFloatArray();
      float[] rows = TrakAttribution.projection(m, 5, 3, 9, 3).toFloatArray();
      float[] pairs = TrakAttribution.projection(m, 5, 3, 9, 7).toFloatArray();
      assertThat(rows).containsExactly(whole);
      assertThat(pairs).containsExactly(whole);
      java.util.SplittableRandom random = new java.util.SplittableRandom(9);
      float scale = (float) (1 / Math.sqrt(3));
      for (float v : whole) {
        assertThat(v).isEqualTo(random.nextBoolean() ? scale : -scale);
      }
    }
  }

  @Test
  void choleskySolvesByHandAndRejectsASingularKernel() {
    double[] s = TrakAttribution.choleskySolve(new double[][] {{4, 2}, {2, 3}}, new double[] {2, 1});
    // [[4,2],[2,3]]⁻¹ = [[3,−2],[−2,4]] / 8
    assertThat(s[0]).isCloseTo(0.5, within(1e-15));
    assertThat(s[1]).isCloseTo(0.0, within(1e-15));
    assertThatThrownBy(() -> TrakAttribution.choleskySolve(new double[][] {{1, 1}, {1, 1}}, new double[] {1, 1}))
        .isInstanceOf(LetheException.class).hasMessageContaining("the TRAK kernel is singular");
  }

  private static float[][][] predict(int[] forget, double multiplier) {
    return TrakAttribution.predictRetrained(cnn, TASK.pool(), forget, new Dataset[] {TASK.forget(), TASK.test()},
        16, 1e-3, multiplier, 3, "dmm", Progress.silent());
  }

  @Test
  void onANetworkTheEffectScalesWithTheMultiplierAndTheParametersAreRestored() {
    byte[] before = TinyData.paramBytes(cnn);
    float[][] forgetLogits = Prediction.logits(cnn, TASK.forget());
    float[][][] none = predict(TASK.rows().forget(), 0);
    float[][][] once = predict(TASK.rows().forget(), 1);
    float[][][] twice = predict(TASK.rows().forget(), 2);
    float[][][] nothingForgotten = predict(new int[0], 1);
    assertThat(TinyData.paramBytes(cnn)).isEqualTo(before);
    double largest = 0;
    for (int i = 0; i < forgetLogits.length; i++) {
      assertThat(none[0][i]).containsExactly(forgetLogits[i]);
      assertThat(nothingForgotten[0][i]).containsExactly(forgetLogits[i]);
      for (int k = 0; k < forgetLogits[i].length; k++) {
        double effect = once[0][i][k] - forgetLogits[i][k];
        assertThat((double) twice[0][i][k] - forgetLogits[i][k]).isCloseTo(2 * effect, within(1e-4));
        largest = Math.max(largest, Math.abs(effect));
      }
    }
    assertThat(largest).as("removing the forget set moves its logits").isGreaterThan(1e-3);
    // forgetting its own examples lowers their margin on average: the attributed effect of a sample on itself
    double drop = 0;
    for (int i = 0; i < forgetLogits.length; i++) {
      int label = TASK.forget().label(i);
      drop += (forgetLogits[i][label] - once[0][i][label]);
    }
    assertThat(drop).isGreaterThan(0);
  }

  @Test
  void anEnsembleMovesTheFirstModelsLogitsByItsCheckpointsMeanEffect() {
    Dataset[] targets = {TASK.forget(), TASK.test()};
    int[] forget = TASK.rows().forget();
    try (Network other = Network.create(TinyData.cnn(4), 2)) {
      Training.fit(other, TASK.pool(), CNN_TRAINING, 2, "original", Progress.silent());
      float[][][] first = predict(forget, 1);
      float[][][] second = TrakAttribution.predictRetrained(other, TASK.pool(), forget, targets, 16, 1e-3, 1, 3, "dmm",
          Progress.silent());
      float[][][] one = TrakAttribution.predictRetrained(List.of(cnn), TASK.pool(), forget, targets, 16, 1e-3, 1, 3,
          "dmm", Progress.silent());
      // m = 2 on the ensemble: the multiplier scales the mean effect, as it scales one model's
      float[][][] both = TrakAttribution.predictRetrained(List.of(cnn, other), TASK.pool(), forget, targets, 16, 1e-3,
          2, 3, "dmm", Progress.silent());
      double apart = 0;
      for (int t = 0; t < targets.length; t++) {
        float[][] f0 = Prediction.logits(cnn, targets[t]);
        float[][] f1 = Prediction.logits(other, targets[t]);
        for (int i = 0; i < f0.length; i++) {
          assertThat(one[t][i]).as("one checkpoint is the single estimate").containsExactly(first[t][i]);
          for (int k = 0; k < f0[i].length; k++) {
            double e0 = (double) f0[i][k] - first[t][i][k];
            double e1 = (double) f1[i][k] - second[t][i][k];
            assertThat((double) both[t][i][k]).isCloseTo(f0[i][k] - 2 * (e0 + e1) / 2, within(1e-5));
            apart = Math.max(apart, Math.abs(e0 - e1));
          }
        }
      }
      assertThat(apart).as("the two checkpoints attribute differently").isGreaterThan(1e-3);
    }
  }

  @Test
  void aDimensionAboveTheParameterCountIsOneLine() {
    long size = cnn.trainableCount();
    assertThatThrownBy(() -> TrakAttribution.predictRetrained(cnn, TASK.pool(), TASK.rows().forget(),
        new Dataset[] {TASK.forget()}, (int) size + 1, 1e-3, 1, 3, "dmm", Progress.silent()))
        .isInstanceOf(LetheException.class)
        .hasMessage("dmm.dimension=" + (size + 1) + " exceeds the network's " + size
            + " trainable parameters: project to at most " + size);
  }
}
