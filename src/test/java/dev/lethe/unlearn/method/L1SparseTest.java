package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.nn.Parameter;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import dev.lethe.unlearn.MethodRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class L1SparseTest {
  private static final TrainConfig TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  private static final ForgetTask TASK = TinyData.task("random:0.25", 3);
  /** A small budget shared by l1-sparse and ft. */
  private static final Map<String, String> SMALL = Map.of("epochs", "2", "batchSize", "16");

  /** A cnn, so BatchNorm gamma and beta are among the penalised parameters. */
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

  private static Network run(String id, Map<String, String> extra) {
    Map<String, String> options = new HashMap<>(SMALL);
    options.putAll(extra);
    return REGISTRY.get(id).create(options).unlearn(original, TASK, 7, Progress.silent());
  }

  private static double l1(Network net) {
    double sum = 0;
    for (Parameter p : net.trainableParameters()) {
      for (float w : TinyData.values(p)) {
        sum += Math.abs(w);
      }
    }
    return sum;
  }

  @Test
  void alphaZeroIsFineTuneBitForBitAndTheOriginalIsUntouched() {
    byte[] before = TinyData.paramBytes(original);
    try (Network ft = run(FineTune.ID, Map.of()); Network l1 = run(L1Sparse.ID, Map.of("alpha", "0"))) {
      assertThat(TinyData.paramBytes(l1)).isEqualTo(TinyData.paramBytes(ft));
      assertThat(TinyData.paramBytes(l1)).isNotEqualTo(before);
    }
    assertThat(TinyData.paramBytes(original)).isEqualTo(before);
  }

  @Test
  void aLargeAlphaShrinksTheL1NormBelowFineTunes() {
    Map<String, String> budget = Map.of("epochs", "3", "lr", "0.05");
    try (Network ft = run(FineTune.ID, budget);
        Network weak = run(L1Sparse.ID, with(budget, "alpha", "1e-2"));
        Network strong = run(L1Sparse.ID, with(budget, "alpha", "1e-1"))) {
      double ftNorm = l1(ft);
      assertThat(l1(weak)).isLessThan(ftNorm);
      assertThat(l1(strong)).isLessThan(l1(weak)).isLessThan(0.9 * ftNorm);
      assertThat(TinyData.accuracy(strong, TASK.retain())).isEqualTo(1.0);
    }
  }

  @Test
  void theFirstStepAddsAlphaTimesTheSignOfEveryTrainableWeight() {
    // One step (the whole retain set is one batch), constant rate: v = g + wd·w + α·sign(w), so the
    // l1-sparse weights differ from FT's by exactly −lr·α·sign(w0), BatchNorm gamma and beta included.
    double lr = 0.1;
    double alpha = 0.01;
    Map<String, String> oneStep = Map.of("epochs", "1", "batchSize", "64", "schedule", "constant", "lr", "0.1");
    List<Parameter> params0 = original.trainableParameters();
    try (Network ft = run(FineTune.ID, oneStep); Network l1 = run(L1Sparse.ID, with(oneStep, "alpha", "0.01"))) {
      List<Parameter> pf = ft.trainableParameters();
      List<Parameter> pl = l1.trainableParameters();
      assertThat(pl).hasSize(params0.size());
      assertThat(pl).extracting(Parameter::getName).contains("gamma", "beta");
      for (int p = 0; p < params0.size(); p++) {
        float[] w0 = TinyData.values(params0.get(p));
        float[] wf = TinyData.values(pf.get(p));
        float[] wl = TinyData.values(pl.get(p));
        for (int i = 0; i < w0.length; i++) {
          assertThat((double) wl[i] - wf[i]).as("%s[%d]", pl.get(p).getName(), i)
              .isCloseTo(-lr * alpha * Math.signum(w0[i]), within(1e-6));
        }
      }
    }
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> out = new HashMap<>(base);
    out.put(key, value);
    return out;
  }

  @Test
  void alphaDecaysLinearlyPerEpoch() {
    assertThat(L1Sparse.alphaAt(0.2, 0, 4)).isEqualTo(0.2);
    assertThat(L1Sparse.alphaAt(0.2, 1, 4)).isCloseTo(0.15, within(1e-15));
    assertThat(L1Sparse.alphaAt(0.2, 2, 4)).isCloseTo(0.1, within(1e-15));
    assertThat(L1Sparse.alphaAt(0.2, 3, 4)).isCloseTo(0.05, within(1e-15));
    assertThat(L1Sparse.alphaAt(0.2, 0, 1)).isEqualTo(0.2);
  }

  @Test
  void badOptionsAreRejectedByName() {
    MethodRegistry.Method m = REGISTRY.get(L1Sparse.ID);
    assertThat(m.create(Map.of()).options()).isEqualTo(L1Sparse.Options.defaults());
    assertThatThrownBy(() -> m.create(Map.of("alpha", "-1e-5")))
        .isInstanceOf(LetheException.class).hasMessageContaining("l1-sparse.alpha must be a non-negative number");
    assertThatThrownBy(() -> m.create(Map.of("epochs", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("l1-sparse.epochs");
    assertThatThrownBy(() -> m.create(Map.of("batchSize", "1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("l1-sparse.batchSize");
    assertThatThrownBy(() -> m.create(Map.of("schedule", "linear")))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown value 'linear' for l1-sparse.schedule: use cosine, step or constant");
    assertThatThrownBy(() -> L1Sparse.Options.defaults().withAlpha(Double.NaN))
        .isInstanceOf(LetheException.class).hasMessageContaining("l1-sparse.alpha");
  }
}
