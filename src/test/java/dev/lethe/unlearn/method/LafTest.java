package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Splits;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.blocks.EmbeddingVae;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LafTest extends TinyClassTaskTest {
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  /** Small VAE fits, so a run takes a fraction of a second on the tiny data. */
  private static final Map<String, String> SMALL = Map.of("vaeEpochs", "2", "batchSize", "8");

  private static Network laf(ForgetTask task, Map<String, String> extra) {
    Map<String, String> options = new HashMap<>(SMALL);
    options.putAll(extra);
    return REGISTRY.get(Laf.ID).create(options).unlearn(original, task, 7, Progress.silent());
  }

  @Test
  void theBoundedExpTermSumsExpOfMOverMPlusOneWithItsGradient() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray e = m.create(new float[] {0, 0, 1, 1}, new Shape(2, 2));
      NDArray r = m.create(new float[] {1, 0, 0, -1}, new Shape(2, 2)); // m = 1 and 1 + 4 = 5
      r.setRequiresGradient(true);
      float value;
      try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
        NDArray loss = Laf.boundedExpSum(r, e);
        value = loss.getFloat();
        c.backward(loss);
      }
      assertThat((double) value).isCloseTo(Math.exp(0.5) + Math.exp(5.0 / 6), within(1e-5));
      // d/dr exp(m/(m+1)) = exp(m/(m+1)) / (m+1)^2 * 2 (r - e): bounded, and vanishing as m grows
      double row0 = Math.exp(0.5) / 4 * 2;
      double row1 = Math.exp(5.0 / 6) / 36 * 2;
      assertThat(r.getGradient().toFloatArray()).containsExactly(
          new float[] {(float) row0, 0, (float) -row1, (float) (-2 * row1)}, within(1e-6f));
    }
  }

  @Test
  void theAlignmentLossIsRemainCosineDistanceMinusTheLogSumExpOfTheForgetOnes() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray s = m.create(new float[] {1, 0, 1, 1}, new Shape(2, 2));
      NDArray sTeacher = m.create(new float[] {0, 3, 2, 2}, new Shape(2, 2)); // c_s = 1, 0 (scale-free)
      NDArray u = m.create(new float[] {1, 0, -1, 0}, new Shape(2, 2));
      NDArray uTeacher = m.create(new float[] {1, 0, 1, 0}, new Shape(2, 2)); // c_u = 0, 2
      assertThat(Laf.cosineDistance(s, sTeacher).toFloatArray()).containsExactly(new float[] {1, 0}, within(1e-6f));
      assertThat(Laf.cosineDistance(u, uTeacher).toFloatArray()).containsExactly(new float[] {0, 2}, within(1e-6f));
      // τ = 2: log(e^0 + e^1) = 1.3132617, subtracted once per remain row; c_s is not divided by τ
      double lse = Math.log(1 + Math.E);
      assertThat((double) Laf.alignmentLoss(s, sTeacher, u, uTeacher, 2).getFloat())
          .isCloseTo((1 - lse) + (0 - lse), within(1e-5));
      assertThat((double) Laf.alignmentLoss(s, sTeacher, u, uTeacher, 1).getFloat())
          .isCloseTo(1 - 2 * Math.log(1 + Math.exp(2)), within(1e-5));
    }
  }

  @Test
  void theVaeLossIsSquaredErrorPerSamplePlusTheWeightedKl() {
    try (EmbeddingVae vae = new EmbeddingVae(2, 2, 1); NDManager m = NDManager.newBaseManager()) {
      List<Parameter> params = vae.parameters();
      for (Parameter p : params) {
        p.getArray().set(new float[(int) p.getArray().size()]);
      }
      // enc1 (w, b), enc2, mu, log-var (w, b = index 7): log σ² = log 4, so σ = 2; μ = 0; the decoder gives 0.5
      params.get(7).getArray().set(new float[] {(float) Math.log(4), (float) Math.log(4)});
      NDArray e = m.create(new float[] {0.5f, 1.5f, 0, 0.5f}, new Shape(2, 2));
      NDArray noise = m.create(new float[] {0.3f, -1, 2, 0}, new Shape(2, 2));
      assertThat(vae.reconstruct(e, noise).toFloatArray()).containsOnly(0.5f);
      double squared = (0 + 1 + 0.25 + 0) / 2.0;
      double klPerDim = -0.5 * (Math.log(4 + 1e-8) + 1 - 0 - 4);
      double kl = 2 * 2 * klPerDim / 2;
      assertThat((double) vae.loss(e, noise).getFloat())
          .isCloseTo(squared + EmbeddingVae.KL_WEIGHT * kl, within(1e-5));
    }
  }

  @Test
  void fittingAVaeLowersItsLossOnTheEmbeddingsItModelsAndIsSeeded() {
    float[][] embeddings = Prediction.embeddings(original, CLASS.pool());
    try (EmbeddingVae a = new EmbeddingVae(embeddings[0].length, 4, 5);
        EmbeddingVae b = new EmbeddingVae(embeddings[0].length, 4, 5);
        NDManager m = NDManager.newBaseManager()) {
      NDArray e = m.create(embeddings);
      NDArray noise = m.zeros(new Shape(embeddings.length, 4));
      double before = a.loss(e, noise).getFloat();
      double lastA = a.fit(CLASS.pool(), embeddings, 20, 8, 1e-2, 11, "vae", Progress.silent());
      double lastB = b.fit(CLASS.pool(), embeddings, 20, 8, 1e-2, 11, "vae", Progress.silent());
      assertThat(lastB).isEqualTo(lastA);
      assertThat((double) a.loss(e, noise).getFloat()).isLessThan(0.5 * before);
    }
  }

  @Test
  void theRemainVaeOnTheRetainSetInsteadOfThePoolChangesTheResult() {
    Map<String, String> moving = Map.of("epochs", "1", "lrUe", "1e-3", "lrRa", "1e-3");
    Map<String, String> retain = new HashMap<>(moving);
    retain.put("remainVae", "retain");
    try (Network pool = laf(CLASS, moving); Network onRetain = laf(CLASS, retain)) {
      assertThat(TinyData.paramBytes(onRetain)).isNotEqualTo(TinyData.paramBytes(pool));
    }
  }

  @Test
  void oneStepIsOneFirstAdamStepOfEachRateOnTheFeaturesAndLeavesTheHeadAndBatchNormStatistics() {
    // 16 forgotten images in one batch of 16: one zip pair per epoch, one epoch, so one step of each optimiser
    double lrUe = 1e-3;
    double lrRa = 1e-2;
    try (Network out = laf(CLASS, Map.of("epochs", "1", "batchSize", "16", "lrUe", "1e-3", "lrRa", "1e-2"))) {
      assertThat(CLASS.forget().size()).isEqualTo(16);
      double[] allowed = {0, lrUe, lrRa, lrRa - lrUe, lrRa + lrUe};
      boolean movedByBoth = false;
      List<Pair<String, Parameter>> before = original.parameters();
      List<Pair<String, Parameter>> after = out.parameters();
      List<Parameter> head = out.headParameters();
      for (int i = 0; i < before.size(); i++) {
        float[] a = before.get(i).getValue().getArray().toFloatArray();
        float[] b = after.get(i).getValue().getArray().toFloatArray();
        Parameter p = after.get(i).getValue();
        if (head.contains(p) || !p.requiresGradient()) {
          assertThat(b).as(after.get(i).getKey()).containsExactly(a); // the head and BatchNorm statistics
          continue;
        }
        for (int j = 0; j < a.length; j++) {
          double delta = Math.abs((double) b[j] - a[j]);
          assertThat(nearest(delta, allowed)).as(after.get(i).getKey() + "[" + j + "] moved " + delta)
              .isLessThan(2e-5);
          movedByBoth |= Math.abs(delta - (lrRa + lrUe)) < 2e-5 || Math.abs(delta - (lrRa - lrUe)) < 2e-5;
        }
      }
      assertThat(movedByBoth).isTrue();
    }
  }

  private static double nearest(double delta, double[] allowed) {
    double best = Double.POSITIVE_INFINITY;
    for (double v : allowed) {
      best = Math.min(best, Math.abs(delta - v));
    }
    return best;
  }

  @Test
  void theDefaultReadsNoLabelsAndLafPlusRDoes() {
    // the same images, ids and forget set, every pool label moved to another class
    Splits splits = TinyData.splits(3);
    Dataset pool = splits.pool();
    int[] labels = pool.labels().clone();
    for (int row = 0; row < labels.length; row++) {
      labels[row] = (labels[row] + 1) % pool.numClasses();
    }
    Dataset scrambled = new Dataset(pool.name(), pool.channels(), pool.height(), pool.width(), pool.pixels(), labels,
        pool.ids(), pool.classNames());
    ForgetSpec spec = ForgetSpec.parse("random:0.25");
    ForgetTask task = ForgetTask.derive(spec, splits, 3);
    ForgetTask relabelled = ForgetTask.derive(spec, new Splits(scrambled, splits.validation(), splits.test()), 3);
    assertThat(relabelled.forget().ids()).isEqualTo(task.forget().ids());
    assertThat(relabelled.retain().labels()).isNotEqualTo(task.retain().labels());
    Map<String, String> moving = Map.of("epochs", "3", "lrUe", "1e-3", "lrRa", "1e-3");
    try (Network a = laf(task, moving); Network b = laf(relabelled, moving)) {
      assertThat(TinyData.paramBytes(a)).isEqualTo(TinyData.paramBytes(b));
      assertThat(TinyData.paramBytes(a)).isNotEqualTo(TinyData.paramBytes(original));
    }
    Map<String, String> repaired = new HashMap<>(moving);
    repaired.put("repair", "true");
    try (Network a = laf(task, repaired); Network b = laf(relabelled, repaired)) {
      assertThat(TinyData.paramBytes(a)).isNotEqualTo(TinyData.paramBytes(b));
    }
  }

  @Test
  void onTheTinyClassTaskForgetEmbeddingsTurnAwayFromTheOriginalsAndTheClassIsForgottenWhileRetainedOnesStay() {
    try (Network out = laf(CLASS, Map.of("epochs", "20", "lrUe", "1e-3", "lrRa", "3e-3"))) {
      double forget = meanCosineDistance(out, CLASS.forget());
      double retain = meanCosineDistance(out, CLASS.retain());
      assertThat(forget).isGreaterThan(4 * retain);
      assertThat(TinyData.accuracy(out, CLASS.retain())).isEqualTo(1.0);
      assertThat(TinyData.accuracy(original, CLASS.forget())).isEqualTo(1.0);
      assertThat(TinyData.accuracy(out, CLASS.forget())).isLessThan(0.5);
    }
  }

  /** Mean of 1 − cos(f(x), f_θo(x)) over {@code data}. */
  private static double meanCosineDistance(Network net, Dataset data) {
    float[][] a = Prediction.embeddings(net, data);
    float[][] b = Prediction.embeddings(original, data);
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double dot = 0;
      double na = 0;
      double nb = 0;
      for (int j = 0; j < a[i].length; j++) {
        dot += a[i][j] * b[i][j];
        na += a[i][j] * a[i][j];
        nb += b[i][j] * b[i][j];
      }
      sum += 1 - dot / Math.sqrt(na * nb);
    }
    return sum / a.length;
  }
}
