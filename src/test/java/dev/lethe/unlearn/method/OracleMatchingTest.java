package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MatchingOptions;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.ReferenceModels;
import dev.lethe.unlearn.blocks.OutputMatching;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Oracle matching and its loop ({@link OutputMatching}) against a hand derivation on {@link ReferenceMlp}: the MSE
 * gradient backpropagated in plain double arithmetic, then PyTorch's Adam, with the rate decayed per epoch.
 */
class OracleMatchingTest {
  private static final ForgetTask TASK = ReferenceMlp.classZeroTask();
  private static final double LR = 0.01;
  private static final long SEED = 5;

  /** Targets a retrained ensemble "predicts": a fixed function of the image, so the test can recompute them. */
  private static double[] target(double[] x) {
    return new double[] {0.5 - x[0], 2 * x[1], x[0] + x[1] - 1};
  }

  /** Two "retrained models" whose mean logits are {@link #target}; counts how often they are asked. */
  private static final class FixedTargets implements ReferenceModels {
    int asked;

    @Override
    public int retrainedCount() {
      return 2;
    }

    @Override
    public float[][] meanRetrainedLogits(Dataset data) {
      asked++;
      float[][] out = new float[data.size()][];
      for (int i = 0; i < data.size(); i++) {
        double[] t = target(pixels(data, i));
        out[i] = new float[] {(float) t[0], (float) t[1], (float) t[2]};
      }
      return out;
    }
  }

  private static double[] pixels(Dataset data, int row) {
    float[] p = data.pixels();
    return new double[] {p[2 * row], p[2 * row + 1]};
  }

  private static OracleMatching.Options options(int epochs, double gamma) {
    return OracleMatching.Options.defaults().withMatching(MatchingOptions.defaults()
        .withEpochs(epochs).withLr(LR).withGamma(gamma).withRetainMultiplier(1.0));
  }

  /** The fine-tuning images in loop order: the two forget images, then the retain sample the loop draws. */
  private static double[][] fineTuningImages(OracleMatching.Options options) {
    OutputMatching.RetainSample sample = OutputMatching.retainSample(TASK, options.matching().retainMultiplier(), OracleMatching.ID, SEED);
    assertThat(sample.retainSample()).hasSize(2);
    double[][] xs = new double[4][];
    xs[0] = pixels(TASK.forget(), 0);
    xs[1] = pixels(TASK.forget(), 1);
    xs[2] = pixels(sample.retain(), 0);
    xs[3] = pixels(sample.retain(), 1);
    return xs;
  }

  /** The gradient of {@code mean_{s,k} (z_sk − t_sk)²}: δ3 = 2 (z − t) / (N K). */
  private static double[][] mseGradient(double[][] w, double[][] xs) {
    double[][] d3 = new double[xs.length][];
    for (int s = 0; s < xs.length; s++) {
      double[] z = ReferenceMlp.logits(w, xs[s]);
      double[] t = target(xs[s]);
      d3[s] = new double[3];
      for (int k = 0; k < 3; k++) {
        d3[s][k] = 2 * (z[k] - (float) t[k]) / (xs.length * 3);
      }
    }
    return ReferenceMlp.gradientAt(w, xs, d3);
  }

  /** PyTorch Adam (0.9, 0.999, 1e-8, no decay), one full-batch step per epoch at {@code LR · γ^epoch}. */
  private static double[][] expected(double[][] xs, int epochs, double gamma) {
    double[][] w = ReferenceMlp.copy(ReferenceMlp.WEIGHTS);
    double[][] m = ReferenceMlp.zerosLike(w);
    double[][] v = ReferenceMlp.zerosLike(w);
    for (int n = 1; n <= epochs; n++) {
      double[][] g = mseGradient(w, xs);
      double lr = LR * Math.pow(gamma, n - 1);
      for (int p = 0; p < w.length; p++) {
        for (int i = 0; i < w[p].length; i++) {
          m[p][i] = 0.9 * m[p][i] + 0.1 * g[p][i];
          v[p][i] = 0.999 * v[p][i] + 0.001 * g[p][i] * g[p][i];
          double denominator = Math.sqrt(v[p][i]) / Math.sqrt(1 - Math.pow(0.999, n)) + 1e-8;
          w[p][i] -= lr / (1 - Math.pow(0.9, n)) * m[p][i] / denominator;
        }
      }
    }
    return w;
  }

  @Test
  void oneStepIsAdamOnTheMseToTheRetrainedMeanOverTheForgetSetAndARetainSample() {
    OracleMatching.Options options = options(1, 0.95);
    double[][] xs = fineTuningImages(options);
    double[][] w = expected(xs, 1, 0.95);
    // the first Adam step moves every weight with a nonzero gradient by exactly lr against its sign
    double[][] g = mseGradient(ReferenceMlp.WEIGHTS, xs);
    int moved = 0;
    for (int p = 0; p < w.length; p++) {
      for (int i = 0; i < w[p].length; i++) {
        if (Math.abs(g[p][i]) > 1e-6) {
          assertThat(ReferenceMlp.WEIGHTS[p][i] - w[p][i]).isCloseTo(LR * Math.signum(g[p][i]),
              org.assertj.core.api.Assertions.within(1e-6));
          moved++;
        }
      }
    }
    assertThat(moved).isGreaterThan(10);
    FixedTargets retrained = new FixedTargets();
    try (Network original = ReferenceMlp.network(ReferenceMlp.WEIGHTS);
        Network unlearned = new OracleMatching(options).unlearn(original, TASK, retrained, SEED, Progress.silent())) {
      ReferenceMlp.assertWeights(unlearned, w, 2e-6, "one oracle-matching step");
      ReferenceMlp.assertWeights(original, ReferenceMlp.WEIGHTS, 1e-7, "the original (float rounding only)");
    }
    assertThat(retrained.asked).as("targets on the forget set and on the retain sample, once each").isEqualTo(2);
  }

  @Test
  void theRateDecaysByGammaAfterEveryEpochAndAdamKeepsItsMoments() {
    OracleMatching.Options options = options(3, 0.5);
    double[][] xs = fineTuningImages(options);
    try (Network original = ReferenceMlp.network(ReferenceMlp.WEIGHTS);
        Network unlearned = new OracleMatching(options).unlearn(
            original, TASK, new FixedTargets(), SEED, Progress.silent())) {
      ReferenceMlp.assertWeights(unlearned, expected(xs, 3, 0.5), 5e-6, "three epochs, gamma 0.5");
      double[][] actual = ReferenceMlp.weightsOf(unlearned);
      double[][] undecayed = expected(xs, 3, 1.0);
      double largest = 0;
      for (int p = 0; p < actual.length; p++) {
        for (int i = 0; i < actual[p].length; i++) {
          largest = Math.max(largest, Math.abs(actual[p][i] - undecayed[p][i]));
        }
      }
      assertThat(largest).as("a constant rate would end elsewhere").isGreaterThan(1e-3);
    }
  }

  @Test
  void theForgetSetIsRepeatedAsTheCodeDuplicatesIt() {
    assertThat(OutputMatching.forgetRows(4, 1.0)).containsExactly(0, 1, 2, 3);
    assertThat(OutputMatching.forgetRows(4, 1.5)).containsExactly(0, 1, 2, 3, 0, 1);
    assertThat(OutputMatching.forgetRows(4, 2.25)).containsExactly(0, 1, 2, 3, 0, 1, 2, 3, 0);
    assertThat(OutputMatching.forgetRows(4, 0)).isEmpty();
  }

  @Test
  void theRetainSampleIsSeededAndHasTheAskedSize() {
    int[] a = OutputMatching.retainSample(TASK, 1.5, "x", 1).retainSample();
    assertThat(a).hasSize(3).doesNotHaveDuplicates();
    assertThat(java.util.Arrays.stream(a).allMatch(r -> r >= 0 && r < TASK.retain().size())).isTrue();
    assertThat(OutputMatching.retainSample(TASK, 1.5, "x", 1).retainSample()).containsExactly(a);
  }

  @Test
  void badInputIsOneLine() {
    MethodRegistry registry = new MethodRegistry(TrainConfig.DEFAULT);
    try (Network original = ReferenceMlp.network(ReferenceMlp.WEIGHTS)) {
      assertThatThrownBy(() -> registry.get(OracleMatching.ID).create(Map.of()).unlearn(original, TASK, SEED))
          .isInstanceOf(LetheException.class)
          .hasMessageStartingWith("oracle-matching needs 2 models retrained without the forget set, and none were given");
      assertThatThrownBy(() -> new OracleMatching(OracleMatching.Options.defaults().withModels(3))
          .unlearn(original, TASK, new FixedTargets(), SEED, Progress.silent()))
          .isInstanceOf(LetheException.class)
          .hasMessageStartingWith("oracle-matching needs 3 models retrained without the forget set, but 2 were given");
      // 3 x 2 forget images, but the retain set holds 4
      assertThatThrownBy(() -> new OracleMatching(OracleMatching.Options.defaults())
          .unlearn(original, TASK, new FixedTargets(), SEED, Progress.silent()))
          .isInstanceOf(LetheException.class)
          .hasMessage("oracle-matching.retainMultiplier=3.0 asks for 6 retain images (3.0 x 2 forget images), but the"
              + " retain set holds 4: lower oracle-matching.retainMultiplier to at most 2.000");
    }
    for (String bad : new String[] {"models=0", "epochs=0", "gamma=0", "lr=-1", "retainMultiplier=-1"}) {
      String[] kv = bad.split("=");
      assertThatThrownBy(() -> registry.get(OracleMatching.ID).create(Map.of(kv[0], kv[1])))
          .isInstanceOf(LetheException.class).hasMessageContaining("oracle-matching." + kv[0]);
    }
    assertThatThrownBy(() -> registry.get(OracleMatching.ID).create(
        Map.of("retainMultiplier", "0", "forgetMultiplier", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("nothing to fine-tune on");
  }

  @Test
  void lethesMethodListLabelsItAsNeedingRetrainedModels() {
    MethodRegistry.Method m = new MethodRegistry(TrainConfig.DEFAULT).get(OracleMatching.ID);
    assertThat(m.paper()).contains("Georgiev et al.").contains("ICLR 2025");
    assertThat(m.title()).contains("NEEDS RETRAINED MODELS");
    assertThat(m.create(Map.of("models", "4")).retrainedModels()).isEqualTo(4);
    assertThat(new MethodRegistry(TrainConfig.DEFAULT).get("ga").create(Map.of()).retrainedModels()).isZero();
  }
}
