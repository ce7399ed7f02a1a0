package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.LetheException;
import dev.lethe.audit.Divergences;
import dev.lethe.audit.Softmax;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.unlearn.MethodRegistry;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScrubTest extends TinyClassTaskTest {
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  /** Class forgetting: the forget set differs from the retain set, so SCRUB can tell them apart. */
  /** A budget the 48-image task feels: batches small enough for several steps, a rate 20x the default. */
  private static final Map<String, String> BUDGET =
      Map.of("epochs", "4", "lr", "0.01", "forgetBatchSize", "8", "retainBatchSize", "16");


  private static Network scrub(Map<String, String> extra, long seed) {
    Map<String, String> options = new HashMap<>(BUDGET);
    options.putAll(extra);
    return REGISTRY.get(Scrub.ID).create(options).unlearn(original, CLASS, seed, Progress.silent());
  }

  /** Mean eval-mode KL(original ‖ network) over {@code data}, in double (an independent implementation). */
  private static double klFromOriginal(Network network, Dataset data) {
    return Divergences.meanKl(
        Softmax.probabilities(Prediction.logits(original, data)),
        Softmax.probabilities(Prediction.logits(network, data)));
  }

  @Test
  void maxStepsPushTheForgetSetAwayFromTheTeacherWhileTheRetainSetStaysClose() {
    try (Network net = scrub(Map.of(), 7)) {
      double forgetKl = klFromOriginal(net, CLASS.forget());
      double retainKl = klFromOriginal(net, CLASS.retain());
      assertThat(forgetKl).isGreaterThan(1.0).isGreaterThan(3 * retainKl);
      assertThat(TinyData.accuracy(net, CLASS.forget())).isLessThan(0.5);
      assertThat(TinyData.accuracy(net, CLASS.retain())).isEqualTo(1.0);
    }
  }

  @Test
  void withoutMaxStepsNoForgetBatchIsDrawnAndTheForgetSetStaysLearnt() {
    try (Network none = scrub(Map.of("msteps", "0"), 7);
        Network noneOtherForgetBatch = scrub(Map.of("msteps", "0", "forgetBatchSize", "4"), 7);
        Network one = scrub(Map.of("msteps", "1"), 7);
        Network oneOtherForgetBatch = scrub(Map.of("msteps", "1", "forgetBatchSize", "4"), 7)) {
      // the forget batch size matters only if forget batches are drawn
      assertThat(TinyData.paramBytes(noneOtherForgetBatch)).isEqualTo(TinyData.paramBytes(none));
      assertThat(TinyData.paramBytes(oneOtherForgetBatch)).isNotEqualTo(TinyData.paramBytes(one));
      assertThat(TinyData.paramBytes(none)).isNotEqualTo(TinyData.paramBytes(original));
      // min-steps only: the forget class stays recognised with a low loss
      assertThat(TinyData.accuracy(none, CLASS.forget())).isEqualTo(1.0);
      assertThat(TinyData.meanCrossEntropy(none, CLASS.forget())).isLessThan(0.5);
      assertThat(klFromOriginal(none, CLASS.forget())).isLessThan(0.1);
    }
  }

  @Test
  void leavesTheOriginalUntouchedAndIsDeterministic() {
    byte[] before = TinyData.paramBytes(original);
    try (Network a = scrub(Map.of(), 11); Network b = scrub(Map.of(), 11); Network c = scrub(Map.of(), 12)) {
      assertThat(TinyData.paramBytes(original)).isEqualTo(before);
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
      assertThat(TinyData.paramBytes(c)).isNotEqualTo(TinyData.paramBytes(a));
    }
  }

  @Test
  void theRateDecaysTenfoldAfterEachListedEpoch() {
    int[] milestones = Scrub.Options.defaults().decayEpochs();
    assertThat(milestones).containsExactly(3, 5, 9);
    assertThat(LrSchedule.multiStep(5e-4, 0.1, milestones, 1)).isEqualTo(5e-4);
    assertThat(LrSchedule.multiStep(5e-4, 0.1, milestones, 3)).isEqualTo(5e-4);
    assertThat(LrSchedule.multiStep(5e-4, 0.1, milestones, 4)).isCloseTo(5e-5, within(1e-18));
    assertThat(LrSchedule.multiStep(5e-4, 0.1, milestones, 6)).isCloseTo(5e-6, within(1e-18));
    assertThat(LrSchedule.multiStep(5e-4, 0.1, milestones, 10)).isCloseTo(5e-7, within(1e-18));
    assertThat(LrSchedule.multiStep(5e-4, 0.1, new int[0], 10)).isEqualTo(5e-4);
    // a decay after epoch 1 changes the result of a 4-epoch run; one after epoch 4 does not
    try (Network plain = scrub(Map.of("lrDecayEpochs", ""), 7);
        Network late = scrub(Map.of("lrDecayEpochs", "4"), 7);
        Network early = scrub(Map.of("lrDecayEpochs", "1"), 7)) {
      assertThat(TinyData.paramBytes(late)).isEqualTo(TinyData.paramBytes(plain));
      assertThat(TinyData.paramBytes(early)).isNotEqualTo(TinyData.paramBytes(plain));
    }
  }

  @Test
  void badOptionsAreRejectedByName() {
    MethodRegistry.Method m = REGISTRY.get(Scrub.ID);
    assertThat(m.defaults()).isEqualTo(Scrub.Options.defaults());
    assertThatThrownBy(() -> m.create(Map.of("lrDecayEpochs", "3,x")))
        .isInstanceOf(LetheException.class).hasMessageContaining("scrub.lrDecayEpochs").hasMessageContaining("'3,x'");
    assertThatThrownBy(() -> m.create(Map.of("lrDecayEpochs", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("scrub.lrDecayEpochs");
    assertThatThrownBy(() -> m.create(Map.of("msteps", "-1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("scrub.msteps");
    assertThatThrownBy(() -> m.create(Map.of("forgetBatchSize", "1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("scrub.forgetBatchSize must be at least 2");
    assertThatThrownBy(() -> m.create(Map.of("retainBatchSize", "1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("scrub.retainBatchSize must be at least 2");
    assertThatThrownBy(() -> m.create(Map.of("temperature", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("scrub.temperature");
    assertThatThrownBy(() -> m.create(Map.of("lrDecayRate", "1.5")))
        .isInstanceOf(LetheException.class).hasMessageContaining("scrub.lrDecayRate");
    assertThatThrownBy(() -> m.create(Map.of("alpha", "-0.1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("scrub.alpha");
    assertThat(((Scrub.Options) m.create(Map.of("lrDecayEpochs", " 2, 7 ")).options()).decayEpochs())
        .containsExactly(2, 7);
  }
}
