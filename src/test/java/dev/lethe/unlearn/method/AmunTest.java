package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.Unlearner;
import dev.lethe.unlearn.blocks.AdversarialExamples;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmunTest extends TinyClassTaskTest {
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  /**
   * A budget that moves a tiny network. The tiny classes are about 4.5 apart in L2, so the attack starts
   * at 0.5 with few steps per radius (the defaults are for real datasets).
   */
  private static final Map<String, String> BUDGET = Map.of(
      "epochs", "3", "batchSize", "8", "lr", "0.05", "lrDecay", "0.5", "epsilon", "0.5", "attackSteps", "10",
      "maxDoublings", "4");


  private static Unlearner method(String id, Map<String, String> overrides) {
    Map<String, String> options = new HashMap<>(BUDGET);
    options.putAll(overrides);
    return REGISTRY.get(id).create(options);
  }

  @Test
  void theAdversarialSetNeverCarriesTheTrueLabelAndDoesNotDependOnTheChunking() {
    Dataset forget = CLASS.forget();
    byte[] before = TinyData.paramBytes(original);
    Dataset adversarial = AdversarialExamples.dataset(original, forget, 0.5, 10, 4, 16, new double[forget.size()]);
    assertThat(adversarial.size()).isGreaterThan(forget.size() / 2).isLessThanOrEqualTo(forget.size());
    // class:0 forgets class 0: no adversarial label may be 0
    assertThat(adversarial.labels()).doesNotContain(0).containsAnyOf(1, 2);
    assertThat(Arrays.stream(forget.ids()).boxed().toList())
        .containsAll(Arrays.stream(adversarial.ids()).boxed().toList());
    assertThat(AdversarialExamples.dataset(original, forget, 0.5, 10, 4, 5, new double[forget.size()]).labels()).isEqualTo(adversarial.labels());
    assertThat(TinyData.paramBytes(original)).isEqualTo(before);
  }

  @Test
  void amunAEmptiesAForgottenClassAndEveryVariantLeavesTheOriginalUntouchedAndIsDeterministic() {
    byte[] before = TinyData.paramBytes(original);
    double lossBefore = TinyData.meanCrossEntropy(original, CLASS.forget());
    assertThat(TinyData.accuracy(original, CLASS.forget())).isEqualTo(1.0);
    for (String id : new String[] {"amun", "amun-a"}) {
      for (String useRetain : new String[] {"true", "false"}) {
        Unlearner u = method(id, Map.of("useRetain", useRetain));
        try (Network a = u.unlearn(original, CLASS, 7, Progress.silent());
            Network b = u.unlearn(original, CLASS, 7, Progress.silent())) {
          String what = id + " useRetain=" + useRetain;
          assertThat(a.architecture()).as(what).isEqualTo(original.architecture());
          assertThat(TinyData.paramBytes(a)).as(what).isNotEqualTo(before);
          assertThat(TinyData.paramBytes(b)).as(what).isEqualTo(TinyData.paramBytes(a));
          if (id.equals("amun-a")) {
            // without D_F, the wrongly labelled neighbours take the whole class over
            assertThat(TinyData.accuracy(a, CLASS.forget())).as(what).isLessThan(0.5);
            assertThat(TinyData.meanCrossEntropy(a, CLASS.forget())).as(what).isGreaterThan(10 * lossBefore);
          }
          if (useRetain.equals("true")) {
            assertThat(TinyData.accuracy(a, CLASS.retain())).as(what).isEqualTo(1.0);
          }
        }
      }
    }
    assertThat(TinyData.paramBytes(original)).isEqualTo(before);
  }

  @Test
  void withoutTheRetainSetOnlyTheForgetAndAdversarialSetsAreUsed() {
    try (Network net = method("amun", Map.of("useRetain", "false")).unlearn(original, CLASS, 7,
            Progress.silent())) {
      assertThat(TinyData.paramBytes(net)).isNotEqualTo(TinyData.paramBytes(original));
    }
    // amun-a without D_R and an attack that never succeeds has nothing to fine-tune on
    assertThatThrownBy(() -> method("amun-a", Map.of("useRetain", "false", "epsilon", "0.01", "attackSteps", "1",
            "maxDoublings", "0")).unlearn(original, CLASS, 7, Progress.silent()))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("amun-a has 0 images to fine-tune on")
        .hasMessageNotContaining("\n");
  }

  @Test
  void defaultsAndBadOptions() {
    assertThat(REGISTRY.get("amun").create(Map.of()).options()).isEqualTo(Amun.Options.defaults());
    assertThat(REGISTRY.get("amun-a").create(Map.of()).options()).isEqualTo(Amun.Options.advOnlyDefaults());
    assertThat(Amun.Options.defaults().useForget()).isTrue();
    assertThat(Amun.Options.advOnlyDefaults()).isEqualTo(Amun.Options.defaults().withUseForget(false));
    assertThat(REGISTRY.get("amun-a").create(Map.of()).id()).isEqualTo("amun-a");
    String[][] bad = {
      {"epsilon", "0", "amun.epsilon must be a positive number"},
      {"attackSteps", "0", "amun.attackSteps must be a positive number"},
      {"maxDoublings", "-1", "amun.maxDoublings must be a non-negative number"},
      {"lrDecay", "0", "amun.lrDecay must be in (0, 1]"},
      {"lr", "0", "amun.lr must be a positive number"},
      {"batchSize", "1", "amun.batchSize must be at least 2"},
    };
    for (String[] b : bad) {
      assertThatThrownBy(() -> REGISTRY.get("amun").create(Map.of(b[0], b[1])))
          .isInstanceOf(LetheException.class)
          .hasMessageContaining(b[2])
          .hasMessageNotContaining("\n");
    }
  }
}
