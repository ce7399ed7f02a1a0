package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.audit.Divergences;
import dev.lethe.audit.Softmax;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.unlearn.MethodRegistry;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BadTeacherTest extends TinyClassTaskTest {
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  /** Class forgetting, so the two teachers disagree on a set the student can recognise. */
  /** Several steps per pass on the 48-image pool. */
  private static final Map<String, String> BUDGET = Map.of("epochs", "5", "batchSize", "16");


  private static Network badTeacher(Map<String, String> extra, long seed) {
    Map<String, String> options = new HashMap<>(BUDGET);
    options.putAll(extra);
    return REGISTRY.get(BadTeacher.ID).create(options).unlearn(original, CLASS, seed, Progress.silent());
  }

  /** Mean eval-mode KL(reference ‖ network) over {@code data}, in double (an independent implementation). */
  private static double kl(Network reference, Network network, Dataset data) {
    return Divergences.meanKl(
        Softmax.probabilities(Prediction.logits(reference, data)),
        Softmax.probabilities(Prediction.logits(network, data)));
  }

  @Test
  void forgetOutputsMoveToTheIncompetentTeacherWhileRetainOutputsStayWithTheOriginal() {
    try (Network incompetent = BadTeacher.incompetentTeacher(original, 7);
        Network net = badTeacher(Map.of(), 7)) {
      double before = kl(incompetent, original, CLASS.forget());
      assertThat(before).isGreaterThan(0.5);
      assertThat(kl(incompetent, net, CLASS.forget())).isLessThan(before / 2);
      double retainDrift = kl(original, net, CLASS.retain());
      assertThat(retainDrift).isLessThan(0.1).isLessThan(kl(original, net, CLASS.forget()) / 5);
      assertThat(TinyData.accuracy(net, CLASS.retain())).isGreaterThanOrEqualTo(0.9);
      // on retain samples the student is not pulled to the incompetent teacher
      assertThat(kl(incompetent, net, CLASS.retain())).isGreaterThan(kl(incompetent, original, CLASS.retain()) / 2);
    }
  }

  @Test
  void leavesTheOriginalUntouchedAndIsDeterministic() {
    byte[] before = TinyData.paramBytes(original);
    try (Network a = badTeacher(Map.of(), 11);
        Network b = badTeacher(Map.of(), 11);
        Network c = badTeacher(Map.of(), 12);
        Network subset = badTeacher(Map.of("retainFraction", "0.3"), 11)) {
      assertThat(TinyData.paramBytes(original)).isEqualTo(before);
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
      assertThat(TinyData.paramBytes(c)).isNotEqualTo(TinyData.paramBytes(a));
      assertThat(TinyData.paramBytes(subset)).isNotEqualTo(TinyData.paramBytes(a));
    }
    try (Network t1 = BadTeacher.incompetentTeacher(original, 5);
        Network t2 = BadTeacher.incompetentTeacher(original, 5)) {
      assertThat(TinyData.paramBytes(t2)).isEqualTo(TinyData.paramBytes(t1));
      assertThat(t1.architecture()).isEqualTo(original.architecture());
    }
  }

  @Test
  void theUnlearningDataIsTheWholePoolOrTheForgetSetPlusARetainSubset() {
    assertThat(BadTeacher.unlearningData(CLASS, 1.0, 3)).isSameAs(CLASS.pool());
    Dataset subset = BadTeacher.unlearningData(CLASS, 0.3, 3);
    int retain = CLASS.retain().size();
    assertThat(subset.size()).isEqualTo(CLASS.forget().size() + Math.round(0.3f * retain));
    int[] ids = subset.ids();
    assertThat(ids).contains(CLASS.forgetIds()).isSorted();
    assertThat(CLASS.pool().ids()).contains(ids);
    assertThat(BadTeacher.unlearningData(CLASS, 0.3, 3).ids()).isEqualTo(ids);
    assertThat(BadTeacher.unlearningData(CLASS, 0.3, 4).ids()).isNotEqualTo(ids);
    // at least one retain sample, however small the fraction
    assertThat(BadTeacher.unlearningData(CLASS, 1e-9, 3).size()).isEqualTo(CLASS.forget().size() + 1);
    assertThat(Arrays.stream(ids).filter(id -> Arrays.binarySearch(CLASS.forgetIds(), id) < 0).count())
        .isEqualTo(Math.round(0.3f * retain));
  }

  @Test
  void badOptionsAreRejectedByName() {
    MethodRegistry.Method m = REGISTRY.get(BadTeacher.ID);
    assertThat(m.defaults()).isEqualTo(BadTeacher.Options.defaults());
    assertThatThrownBy(() -> m.create(Map.of("temperature", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("bad-teacher.temperature");
    assertThatThrownBy(() -> m.create(Map.of("retainFraction", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("bad-teacher.retainFraction");
    assertThatThrownBy(() -> m.create(Map.of("retainFraction", "1.5")))
        .isInstanceOf(LetheException.class).hasMessageContaining("bad-teacher.retainFraction must be in [0, 1]");
    assertThatThrownBy(() -> m.create(Map.of("lr", "-0.1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("bad-teacher.lr");
    assertThatThrownBy(() -> m.create(Map.of("batchSize", "1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("bad-teacher.batchSize");
    assertThatThrownBy(() -> m.create(Map.of("schedule", "linear")))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown value 'linear' for bad-teacher.schedule: use cosine, step or constant");
    assertThatThrownBy(() -> m.create(Map.of("epochs", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("bad-teacher.epochs");
  }
}
