package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Batches;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.OptionsBinder;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ManifSmcTest {
  private static final TrainConfig TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  /** 12 forget and 36 retained images. */
  private static final ForgetTask RANDOM = TinyData.task("random:0.25", 3);
  /** A budget that moves the tiny network visibly (the defaults take one or two Adam steps of 5e-4 here). */
  private static final Map<String, String> BUDGET = Map.of("lr", "1e-2", "epochs", "20", "batchSize", "8");
  private static Network original;

  @BeforeAll
  static void trainOriginal() {
    original = TinyData.trainedCnn(RANDOM.pool(), TRAINING);
  }

  @AfterAll
  static void close() {
    original.close();
  }

  private static Network unlearn(Map<String, String> extra) {
    Map<String, String> options = new HashMap<>(BUDGET);
    options.putAll(extra);
    return new ManifSmc(OptionsBinder.bind(ManifSmc.ID, ManifSmc.Options.defaults(), options))
        .unlearn(original, RANDOM, 7, Progress.silent());
  }

  @Test
  void tripletLossIsExactlyZeroOnceTheMarginIsMetAndPushesTheAnchorOffTheCentroidOtherwise() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray c = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
      NDArray a = m.create(new float[] {2, 0, 0, 2}, new Shape(2, 2)); // MSE(a, c) = 0.5
      NDArray p = m.create(new float[] {1.5f, 0, 0, 1}, new Shape(2, 2)); // MSE(p, c) = 0.0625
      // 0.0625 - 0.5 + 0.4 < 0: met, the loss and both gradients are exactly zero
      float[][] met = lossAndGradients(a, p, c, 0.4f);
      assertThat(met[0][0]).isZero();
      assertThat(maxAbs(met[1])).isZero(); // -0.0 where the clamp is flat
      assertThat(maxAbs(met[2])).isZero();
      // 0.0625 - 0.5 + 0.6 = 0.1625 > 0: loss s * 0.1625, gradient -s*2(a-c)/4 on a and s*2(p-c)/4 on p
      float[][] open = lossAndGradients(a, p, c, 0.6f);
      assertThat((double) open[0][0]).isCloseTo(0.01625, within(1e-7));
      assertThat(open[1]).containsExactly(new float[] {-0.05f, 0, 0, -0.05f}, within(1e-7f));
      assertThat(open[2]).containsExactly(new float[] {0.025f, 0, 0, 0}, within(1e-7f));
      // a descent step on a moves it away from c: the gradient points from a towards c
      float[] away = a.sub(c).toFloatArray();
      for (int i = 0; i < away.length; i++) {
        assertThat(open[1][i] * away[i]).isLessThanOrEqualTo(0f);
      }
    }
  }

  private static float maxAbs(float[] values) {
    float max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  /** {loss}, dL/da, dL/dp of the triplet loss with s = 0.1 and no label term. */
  private static float[][] lossAndGradients(NDArray a0, NDArray p0, NDArray c, float margin) {
    NDArray a = a0.duplicate();
    NDArray p = p0.duplicate();
    a.setRequiresGradient(true);
    p.setRequiresGradient(true);
    float loss;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray l = ManifSmc.tripletLoss(a, p, c, margin, null, 0.1);
      loss = l.getFloat();
      gc.backward(l);
    }
    return new float[][] {{loss}, a.getGradient().toFloatArray(), p.getGradient().toFloatArray()};
  }

  @Test
  void neighboursAndCentroidsEqualABruteForceSearch() {
    Dataset forget = TinyData.separable("f", 7, 1, 11);
    Dataset retain = TinyData.separable("r", 23, 1, 12);
    int k = 4;
    try (Network net = Network.create(TinyData.cnn(4), 5)) {
      double[][] zf = unit(embed(net, forget));
      double[][] zr = unit(embed(net, retain));
      // chunks of 3 merge top-k lists across retain chunks; 500 does it in one pass
      for (int chunk : new int[] {3, 500}) {
        ManifSmc.Neighbours nb = ManifSmc.neighbours(net, forget, retain, k, chunk);
        for (int e = 0; e < forget.size(); e++) {
          double[] sims = new double[retain.size()];
          for (int r = 0; r < sims.length; r++) {
            sims[r] = dot(zf[e], zr[r]);
          }
          int[] expected = IntStream.range(0, sims.length).boxed()
              .sorted(Comparator.comparingDouble((Integer r) -> -sims[r])).limit(k).mapToInt(Integer::intValue)
              .toArray();
          assertThat(nb.rows()[e]).as("neighbours of %d with chunk %d", e, chunk).containsExactly(expected);
          for (int j = 0; j < zr[0].length; j++) {
            double mean = 0;
            for (int r : expected) {
              mean += zr[r][j] / k;
            }
            assertThat((double) nb.centroids()[e][j]).isCloseTo(mean, within(1e-5));
          }
        }
      }
    }
  }

  private static float[][] embed(Network net, Dataset data) {
    int[] rows = IntStream.range(0, data.size()).toArray();
    try (NDManager m = net.manager().newSubManager()) {
      float[] z = net.embed(Batches.images(m, data, rows), false).toFloatArray();
      int d = z.length / rows.length;
      float[][] out = new float[rows.length][];
      for (int i = 0; i < rows.length; i++) {
        out[i] = Arrays.copyOfRange(z, i * d, (i + 1) * d);
      }
      return out;
    }
  }

  private static double[][] unit(float[][] z) {
    double[][] out = new double[z.length][];
    for (int i = 0; i < z.length; i++) {
      double norm = 0;
      for (float v : z[i]) {
        norm += v * v;
      }
      out[i] = new double[z[i].length];
      for (int j = 0; j < z[i].length; j++) {
        out[i][j] = z[i][j] / Math.sqrt(norm);
      }
    }
    return out;
  }

  private static double dot(double[] x, double[] y) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  @Test
  void kLargerThanTheRetainSetIsRejected() {
    assertThatThrownBy(() -> ManifSmc.neighbours(original, RANDOM.forget(), RANDOM.retain(), 37, 500))
        .isInstanceOf(LetheException.class)
        .hasMessage("manif-smc.k = 37 exceeds the 36 retained samples; lower manif-smc.k");
    assertThat(ManifSmc.neighbours(original, RANDOM.forget(), RANDOM.retain(), 36, 500).rows()[0]).hasSize(36);
    assertThatThrownBy(() -> unlearn(Map.of("k", "100")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("exceeds the 36 retained samples");
  }

  @Test
  void optionsAreValidatedWithOneLineErrors() {
    Map<Map<String, String>, String> bad = Map.of(
        Map.of("k", "0"), "manif-smc.k must be at least 1, got 0",
        Map.of("t", "1.5"), "manif-smc.t must be in [0, 1], got 1.5",
        Map.of("scale", "0"), "manif-smc.scale must be a positive number, got 0.0",
        Map.of("surrogate", "bezier"), "unknown value 'bezier' for manif-smc.surrogate: use code or paper",
        Map.of("positive", "top5"), "unknown value 'top5' for manif-smc.positive: use top1 or random",
        Map.of("curveSteps", "0"), "manif-smc.curveSteps must be a positive number, got 0.0");
    bad.forEach((options, message) ->
        assertThatThrownBy(() -> OptionsBinder.bind(ManifSmc.ID, ManifSmc.Options.defaults(), options))
            .isInstanceOf(LetheException.class)
            .hasMessage(message));
    assertThat(OptionsBinder.bind(ManifSmc.ID, ManifSmc.Options.defaults(), Map.of("t", "0", "surrogate", "paper")).t())
        .isZero();
  }

  @Test
  void pushesForgetEmbeddingsOffTheirCentroidsWhileRetainAccuracyStays() {
    double[] before = distances(original);
    for (Map<String, String> variant : new Map[] {Map.of(), Map.of("surrogate", "paper", "positive", "random")}) {
      try (Network net = unlearn(variant)) {
        double[] after = distances(net);
        // the forget samples move away from their centroids, by more than their top-1 retained neighbours
        assertThat(after[0]).as("%s", variant).isGreaterThan(before[0] + 0.1);
        assertThat(after[0] - after[1]).as("%s", variant).isGreaterThan(before[0] - before[1] + 0.02);
        assertThat(TinyData.accuracy(net, RANDOM.retain())).as("%s", variant).isEqualTo(1.0);
      }
    }
  }

  /**
   * With the original's neighbours, in eval mode: the mean over the forget set of MSE(z(x_e), c_e) and of
   * MSE(z(p_e), c_e) for the top-1 neighbour p_e.
   */
  private static double[] distances(Network net) {
    ManifSmc.Neighbours nb = ManifSmc.neighbours(original, RANDOM.forget(), RANDOM.retain(), 5, 500);
    float[][] za = embed(net, RANDOM.forget());
    float[][] zr = embed(net, RANDOM.retain());
    double[] out = new double[2];
    for (int e = 0; e < za.length; e++) {
      float[] c = nb.centroids()[e];
      float[] zp = zr[nb.rows()[e][0]];
      for (int j = 0; j < c.length; j++) {
        out[0] += (za[e][j] - c[j]) * (za[e][j] - c[j]) / c.length / za.length;
        out[1] += (zp[j] - c[j]) * (zp[j] - c[j]) / c.length / za.length;
      }
    }
    return out;
  }

  @Test
  void everyVariantIsDeterministicAndTheOptionsChangeTheResult() {
    Map<String, String> labelFree = Map.of("withLabel", "false", "epochs", "5");
    byte[] code = bytes(labelFree);
    assertThat(bytes(labelFree)).isEqualTo(code);
    Map<String, String> paper = new HashMap<>(labelFree);
    paper.put("surrogate", "paper");
    byte[] bezier = bytes(paper);
    assertThat(bytes(paper)).isEqualTo(bezier);
    // without the label term the clamp is often active, so the margin (and its surrogate) matters
    assertThat(bezier).isNotEqualTo(code);
    assertThat(bytes(Map.of("epochs", "5"))).isNotEqualTo(code);
    Map<String, String> random = new HashMap<>(labelFree);
    random.put("positive", "random");
    assertThat(bytes(random)).isNotEqualTo(code);
  }

  private static byte[] bytes(Map<String, String> options) {
    try (Network net = unlearn(options)) {
      return TinyData.paramBytes(net);
    }
  }
}
