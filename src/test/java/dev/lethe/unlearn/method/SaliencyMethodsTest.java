package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.BatchStream;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.ParameterMask;
import dev.lethe.train.Progress;
import dev.lethe.train.SgdOptimizer;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.Unlearner;
import dev.lethe.unlearn.blocks.AdaptiveWeights;
import dev.lethe.unlearn.blocks.Saliency;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SalUn's and SFR-on's shared blocks (masks, adaptive weights) and their update rules. */
class SaliencyMethodsTest {
  private static final TrainConfig TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  private static final ForgetTask TASK = TinyData.task("class:0", 3);
  private static Network original;

  @BeforeAll
  static void trainOriginal() {
    original = Network.create(TinyData.cnn(4), 1);
    Training.fit(original, TASK.pool(), TRAINING, 1, "original", Progress.silent());
  }

  @AfterAll
  static void close() {
    original.close();
  }

  private static float[][] values(Network net) {
    List<Parameter> ps = net.trainableParameters();
    float[][] out = new float[ps.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ps.get(i).getArray().toFloatArray();
    }
    return out;
  }

  /** Which weights the mask selects is pinned on a tiny mlp by {@link SalUnStepsTest}. */
  @Test
  void salunMaskKeepsExactlyItsShareOfAllWeightsAndRejectsSharesOutsideTheOpenUnitInterval() {
    long n = original.trainableCount();
    try (ParameterMask mask = Saliency.topGradient(original, TASK.forget(), 0.3, 16)) {
      assertThat(mask.density() * n).isCloseTo((int) (0.3 * n), org.assertj.core.data.Offset.offset(1e-6));
    }
    assertThatThrownBy(() -> Saliency.topGradient(original, TASK.forget(), 1.0, 16))
        .isInstanceOf(LetheException.class).hasMessageContaining("(0, 1)");
    assertThatThrownBy(() -> Saliency.topGradient(original, TASK.forget(), 0.5 / n, 16))
        .isInstanceOf(LetheException.class).hasMessageContaining("keeps none of the network's " + n + " weights");
    assertThatThrownBy(() -> REGISTRY.get("salun").create(Map.of("sparsity", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("salun.sparsity");
  }

  /** Exact weights under both mask modes are pinned on a tiny mlp by {@link SalUnStepsTest}. */
  @Test
  void hardFreezeLeavesMaskedWeightsOfACnnBitIdentical() {
    float[][] before = values(original);
    try (ParameterMask mask = Saliency.topGradient(original, TASK.forget(), 0.3, 16)) {
      Unlearner salun = REGISTRY.get("salun").create(Map.of(
          "sparsity", "0.3", "epochs", "2", "batchSize", "16", "maskMode", "hard_freeze", "weightDecay", "0.01"));
      try (Network out = salun.unlearn(original, TASK, 5, Progress.silent())) {
        float[][] after = values(out);
        int frozen = 0;
        int freeChanged = 0;
        for (int i = 0; i < after.length; i++) {
          float[] m = mask.get(i).toFloatArray();
          for (int j = 0; j < after[i].length; j++) {
            boolean changed = Float.floatToRawIntBits(after[i][j]) != Float.floatToRawIntBits(before[i][j]);
            if (m[j] == 0) {
              frozen++;
              assertThat(changed).as("masked weight %d of tensor %d moved", j, i).isFalse();
            } else {
              freeChanged += changed ? 1 : 0;
            }
          }
        }
        assertThat(frozen).isPositive();
        assertThat(freeChanged).isPositive();
      }
    }
  }

  @Test
  void adaptiveWeightsSumToOneAndFavourSamplesTheModelStillFits() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray losses = m.create(new float[] {0.01f, 0.5f, 4f});
      float[] w = AdaptiveWeights.weights(losses, 0.5).toFloatArray();
      assertThat(w[0] + w[1] + w[2]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
      assertThat(w[0]).isGreaterThan(w[1]);
      assertThat(w[1]).isGreaterThan(w[2]);
      float[] plain = AdaptiveWeights.weights(losses, 0).toFloatArray();
      assertThat(plain).containsExactly(new float[] {1f / 3, 1f / 3, 1f / 3}, org.assertj.core.data.Offset.offset(1e-6f));
      // c_i = 1/sqrt(l_i): 10, 1.4142, 0.5 normalised
      double s = 10 + 1 / Math.sqrt(0.5) + 0.5;
      assertThat((double) w[0]).isCloseTo(10 / s, org.assertj.core.data.Offset.offset(1e-5));
    }
  }

  @Test
  void sfrOnWithAnEmptyMaskAndHardFreezeOnlyTakesItsRetainSteps() {
    Unlearner sfron = REGISTRY.get("sfr-on").create(Map.of("gamma", "1e30", "maskMode", "hard_freeze",
        "bnTrain", "false", "epochs", "2", "batchSize", "16", "forgetFreq", "2"));
    SfrOn.Options o = (SfrOn.Options) sfron.options();
    long seed = 9;
    try (Network out = sfron.unlearn(original, TASK, seed, Progress.silent());
        Network expected = original.copy()) {
      SplittableRandom random = new SplittableRandom(seed);
      random.nextLong();
      BatchStream retain = new BatchStream(TASK.retain(), o.sgd().batchSize(), random.nextLong(), true);
      int steps = o.sgd().epochs() * retain.batchesPerEpoch();
      try (SgdOptimizer sgd = new SgdOptimizer(expected, o.sgd().momentum(), o.sgd().weightDecay())) {
        for (int t = 0; t < steps; t++) {
          try (NDManager step = expected.manager().newSubManager()) {
            Optimization.backward(step, (s, i) -> Training.crossEntropyStep(expected, s, retain, false), t, "ref", steps);
            sgd.step(LrSchedule.COSINE.at(o.sgd().lr(), t, steps), step);
          }
        }
      }
      assertThat(TinyData.paramBytes(out)).isEqualTo(TinyData.paramBytes(expected));
    }
  }

  /** The exact update rules, ablations included, are pinned on a tiny mlp by {@link SfrOnStepsTest}. */
  @Test
  void sfrOnForgetsAClass() {
    assertThat(TinyData.accuracy(original, TASK.forget())).isEqualTo(1.0);
    Map<String, String> options = Map.of("epochs", "3", "batchSize", "16", "forgetFreq", "2");
    try (Network out = REGISTRY.get("sfr-on").create(options).unlearn(original, TASK, 3, Progress.silent())) {
      assertThat(TinyData.accuracy(out, TASK.forget())).isLessThan(1.0);
    }
  }
}
