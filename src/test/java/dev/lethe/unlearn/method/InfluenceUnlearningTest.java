package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Batches;
import dev.lethe.train.Losses;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import dev.lethe.unlearn.MethodRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InfluenceUnlearningTest {
  private static final TrainConfig TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  private static final ForgetTask TASK = TinyData.task("random:0.25", 3);

  /** Hand-made sample gradients g_1..g_4 and a vector v in four dimensions. */
  private static final float[][] G = {
    {0.9f, -0.4f, 0.3f, 1.2f},
    {-0.5f, 1.1f, 0.7f, 0.2f},
    {0.6f, 0.8f, -1.3f, 0.4f},
    {1.0f, -0.2f, 0.5f, -0.9f},
  };
  private static final float[] V = {0.7f, -1.1f, 0.4f, 0.25f};
  /** A damping small enough that the curvature term moves k far from v. */
  private static final double N = 1.5;

  private static Network mlp;
  private static Network cnn;

  @BeforeAll
  static void trainOriginals() {
    mlp = Network.create(TinyData.mlp(8), 1);
    Training.fit(mlp, TASK.pool(), TRAINING, 1, "original", Progress.silent());
    cnn = Network.create(TinyData.cnn(4), 1);
    Training.fit(cnn, TASK.pool(), TRAINING, 1, "original", Progress.silent());
  }

  @AfterAll
  static void close() {
    mlp.close();
    cnn.close();
  }

  // ---- the recursion against the matrix it inverts ----

  @Test
  void theRecursionIsTheInverseOfIdentityPlusFirstGradientTimesTheSumOfTheOthers() {
    for (int m = 1; m <= G.length; m++) {
      List<float[]> grads = List.of(G).subList(0, m);
      float[] k = InfluenceUnlearning.inverseFisherTimes(grads, V, N);
      // B = I + g_1 (g_2 + ... + g_m)^T / N, inverted by Gauss-Jordan in double
      double[] s = new double[4];
      for (int j = 1; j < m; j++) {
        for (int d = 0; d < 4; d++) {
          s[d] += G[j][d];
        }
      }
      double[][] b = new double[4][4];
      for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 4; c++) {
          b[r][c] = (r == c ? 1 : 0) + G[0][r] * s[c] / N;
        }
      }
      double[] exact = times(invert(b), V);
      double sv = 0;
      double sg = 0;
      for (int d = 0; d < 4; d++) {
        sv += s[d] * V[d];
        sg += s[d] * G[0][d];
      }
      for (int d = 0; d < 4; d++) {
        assertThat((double) k[d]).as("m=%d, k[%d]", m, d).isCloseTo(exact[d], within(1e-5));
        // the same by Sherman-Morrison in closed form: k = v - g_1 (s.v) / (N + s.g_1)
        assertThat((double) k[d]).isCloseTo(V[d] - G[0][d] * sv / (N + sg), within(1e-5));
      }
    }
    // a single sample only initialises o: k is v
    assertThat(InfluenceUnlearning.inverseFisherTimes(List.of(G[0]), V, N)).containsExactly(V);
    assertThat(InfluenceUnlearning.inverseFisherTimes(List.of(), V, N)).containsExactly(V);
  }

  @Test
  void theRecursionIsNotTextbookWoodFisherAndLeavesItsInputsAlone() {
    float[][] gradsCopy = {G[0].clone(), G[1].clone(), G[2].clone(), G[3].clone()};
    float[] vCopy = V.clone();
    float[] k = InfluenceUnlearning.inverseFisherTimes(List.of(G), V, N);
    assertThat(G).isDeepEqualTo(gradsCopy);
    assertThat(V).containsExactly(vCopy);
    // textbook: (I + (1/N) sum_j g_j g_j^T)^-1 v
    double[][] f = new double[4][4];
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        f[r][c] = r == c ? 1 : 0;
        for (float[] g : G) {
          f[r][c] += g[r] * g[c] / N;
        }
      }
    }
    double[] textbook = times(invert(f), V);
    double gap = 0;
    for (int d = 0; d < 4; d++) {
      gap = Math.max(gap, Math.abs(textbook[d] - k[d]));
    }
    assertThat(gap).isGreaterThan(0.05);
  }

  @Test
  void aVanishingDenominatorIsAnError() {
    float[] g1 = {1, 0};
    float[] g2 = {-2, 0}; // o.g = -2 = -N
    assertThatThrownBy(() -> InfluenceUnlearning.inverseFisherTimes(List.of(g1, g2), new float[] {1, 1}, 2))
        .isInstanceOf(LetheException.class).hasMessageContaining("iu.damping");
  }

  private static double[][] invert(double[][] a) {
    int n = a.length;
    double[][] m = new double[n][2 * n];
    for (int r = 0; r < n; r++) {
      System.arraycopy(a[r], 0, m[r], 0, n);
      m[r][n + r] = 1;
    }
    for (int c = 0; c < n; c++) {
      int pivot = c;
      for (int r = c + 1; r < n; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
          pivot = r;
        }
      }
      double[] t = m[c];
      m[c] = m[pivot];
      m[pivot] = t;
      double p = m[c][c];
      for (int j = 0; j < 2 * n; j++) {
        m[c][j] /= p;
      }
      for (int r = 0; r < n; r++) {
        if (r != c) {
          double f = m[r][c];
          for (int j = 0; j < 2 * n; j++) {
            m[r][j] -= f * m[c][j];
          }
        }
      }
    }
    double[][] inv = new double[n][n];
    for (int r = 0; r < n; r++) {
      System.arraycopy(m[r], n, inv[r], 0, n);
    }
    return inv;
  }

  private static double[] times(double[][] a, float[] x) {
    double[] out = new double[a.length];
    for (int r = 0; r < a.length; r++) {
      for (int c = 0; c < x.length; c++) {
        out[r] += a[r][c] * x[c];
      }
    }
    return out;
  }

  // ---- end to end on a network ----

  private static Network iu(Network original, Map<String, String> options) {
    return REGISTRY.get(InfluenceUnlearning.ID).create(options).unlearn(original, TASK, 7, Progress.silent());
  }

  /** Σ_i ∇CE_i over {@code rows} in eval mode, in one pass, flattened in trainable-parameter order. */
  private static double[] summedGradient(Network net, Dataset data, int[] rows) {
    List<Parameter> params = net.trainableParameters();
    double[] out = new double[(int) net.trainableCount()];
    try (NDManager step = net.manager().newSubManager()) {
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray logits = net.forward(Batches.images(step, data, rows), false);
        gc.backward(Losses.crossEntropyPerSample(logits, Batches.labels(step, data, rows)).sum());
      }
      int at = 0;
      for (Parameter p : params) {
        NDArray g = p.getArray().getGradient();
        g.attach(step);
        for (float x : g.toFloatArray()) {
          out[at++] = x;
        }
        g.subi(g);
      }
    }
    return out;
  }

  private static int[] range(int from, int to) {
    int[] rows = new int[to - from];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = from + i;
    }
    return rows;
  }

  private static double[] flatWeights(Network net) {
    List<Double> all = new ArrayList<>();
    for (Parameter p : net.trainableParameters()) {
      for (float w : TinyData.values(p)) {
        all.add((double) w);
      }
    }
    return all.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void theUpdateIsAlphaTimesTheClosedFormOfTheGradients() {
    Dataset forget = TASK.forget();
    Dataset retain = TASK.retain();
    int m = 6;
    double damping = 0.05;
    double alpha = 2;
    // v and the per-sample gradients, computed here by another route: summed (not batch-mean) losses
    double[] sumF = summedGradient(mlp, forget, range(0, forget.size()));
    double[] sumR = summedGradient(mlp, retain, range(0, retain.size()));
    double n = forget.size() + retain.size();
    double[] v = new double[sumF.length];
    for (int j = 0; j < v.length; j++) {
      v[j] = sumF[j] / n - sumR[j] * forget.size() / (n * retain.size());
    }
    double[] g1 = summedGradient(mlp, retain, new int[] {0});
    double[] s = new double[v.length];
    for (int i = 1; i < m; i++) {
      double[] g = summedGradient(mlp, retain, new int[] {i});
      for (int j = 0; j < s.length; j++) {
        s[j] += g[j];
      }
    }
    double sv = 0;
    double sg = 0;
    for (int j = 0; j < v.length; j++) {
      sv += s[j] * v[j];
      sg += s[j] * g1[j];
    }
    double c = sv / (damping + sg);
    double[] expected = new double[v.length];
    double correction = 0;
    double scale = 0;
    for (int j = 0; j < v.length; j++) {
      expected[j] = alpha * (v[j] - g1[j] * c);
      correction = Math.max(correction, Math.abs(alpha * g1[j] * c));
      scale = Math.max(scale, Math.abs(expected[j]));
    }
    // the curvature term matters here, so a wrong recursion, sample order or count would show
    assertThat(correction).isGreaterThan(0.1 * scale);
    // batch size 5 leaves a partial last batch in both sets (12 = 5+5+2, 36 = 7*5+1)
    Map<String, String> options = Map.of("alpha", "2", "samples", "6", "damping", "0.05", "batchSize", "5");
    double[] before = flatWeights(mlp);
    try (Network net = iu(mlp, options)) {
      double[] after = flatWeights(net);
      for (int j = 0; j < after.length; j++) {
        assertThat(after[j] - before[j]).as("weight %d", j).isCloseTo(expected[j], within(1e-3 * scale));
      }
    }
  }

  @Test
  void aPositiveAlphaRaisesTheForgetLossAndLeavesTheOriginalUntouched() {
    byte[] before = TinyData.paramBytes(mlp);
    double forgetBefore = TinyData.meanCrossEntropy(mlp, TASK.forget());
    try (Network net = iu(mlp, Map.of("alpha", "20"))) {
      assertThat(TinyData.meanCrossEntropy(net, TASK.forget())).isGreaterThan(1.5 * forgetBefore);
      assertThat(TinyData.paramBytes(net)).isNotEqualTo(before);
    }
    assertThat(TinyData.paramBytes(mlp)).isEqualTo(before);
  }

  @Test
  void alphaZeroLeavesEveryParameterBitIdenticalBatchNormStatisticsIncluded() {
    byte[] before = TinyData.paramBytes(cnn);
    try (Network zero = iu(cnn, Map.of("alpha", "0")); Network moved = iu(cnn, Map.of("alpha", "20"))) {
      assertThat(zero).isNotSameAs(cnn);
      assertThat(TinyData.paramBytes(zero)).isEqualTo(before);
      assertThat(TinyData.paramBytes(moved)).isNotEqualTo(before);
      // eval mode throughout: the running statistics (non-trainable) are the original's
      List<Parameter> all = moved.parameters().stream().map(p -> p.getValue()).toList();
      List<Parameter> orig = cnn.parameters().stream().map(p -> p.getValue()).toList();
      for (int i = 0; i < all.size(); i++) {
        if (!all.get(i).requiresGradient()) {
          assertThat(TinyData.values(all.get(i))).containsExactly(TinyData.values(orig.get(i)));
        }
      }
    }
    assertThat(TinyData.paramBytes(cnn)).isEqualTo(before);
  }

  @Test
  void badOptionsAreRejectedByName() {
    MethodRegistry.Method m = REGISTRY.get(InfluenceUnlearning.ID);
    assertThat(m.create(Map.of()).options()).isEqualTo(InfluenceUnlearning.Options.defaults());
    assertThatThrownBy(() -> m.create(Map.of("alpha", "-1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("iu.alpha must be a non-negative number");
    assertThatThrownBy(() -> m.create(Map.of("samples", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("iu.samples must be a positive number");
    assertThatThrownBy(() -> m.create(Map.of("damping", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("iu.damping must be a positive number");
    assertThatThrownBy(() -> m.create(Map.of("batchSize", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("iu.batchSize must be a positive number");
    assertThatThrownBy(() -> m.create(Map.of("samples", "many")))
        .isInstanceOf(LetheException.class).hasMessageContaining("iu.samples must be a int");
  }
}
