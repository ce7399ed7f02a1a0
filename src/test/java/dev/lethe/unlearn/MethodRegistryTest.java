package dev.lethe.unlearn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.method.FineTune;
import dev.lethe.unlearn.method.NegGradPlus;
import dev.lethe.unlearn.method.SfrOn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MethodRegistryTest {
  private static final TrainConfig TRAINING = new TrainConfig(30, 128, 0.1, 0.9, 5e-4, LrSchedule.COSINE);
  private final MethodRegistry registry = new MethodRegistry(TRAINING);

  @Test
  void idsInRegistrationOrderStartingWithTheReferences() {
    assertThat(registry.ids()).startsWith("retrain", "original");
    assertThat(registry.ids()).contains("ft", "ga", "rl", "neggrad+").doesNotHaveDuplicates();
    assertThat(registry.all()).extracting(MethodRegistry.Method::id).isEqualTo(registry.ids());
    assertThat(registry.get("retrain").defaults()).isEqualTo(TRAINING);
  }

  @Test
  void sisaAndOracleMatchingRunOnlyWhenNamedAndEveryOtherMethodByDefault() {
    List<String> all = registry.ids();
    assertThat(registry.defaultIds()).doesNotContain("sisa", "oracle-matching").contains("modhifi-u", "dmm")
        .containsExactlyElementsOf(all.stream().filter(id -> !id.equals("sisa") && !id.equals("oracle-matching")).toList());
    assertThat(registry.optIn("sisa")).startsWith("not in the default bench (name it in --methods)");
    assertThat(registry.optIn("oracle-matching")).startsWith("not in the default bench (name it in --methods)");
    assertThat(registry.optIn("modhifi-u")).isEmpty();
  }

  @Test
  void everyMethodCreatesAnUnlearnerWithItsIdAndDefaults() {
    for (MethodRegistry.Method m : registry.all()) {
      Unlearner u = m.create(Map.of());
      assertThat(u.id()).isEqualTo(m.id());
      assertThat(u.options()).isEqualTo(m.defaults());
      assertThat(m.title()).isNotBlank();
      assertThat(m.paper()).isNotBlank();
    }
  }

  @Test
  void theMethodsMeasuredAsNoOpsOnBareDefaultsSaySo() {
    List<String> noted = registry.all().stream().filter(m -> !m.defaultsNote().isEmpty()).map(MethodRegistry.Method::id).toList();
    assertThat(noted).containsExactlyInAnyOrder("ft", "ga", "neggrad+", "sfr-on", "amun", "amun-a", "scrub", "iu", "laf");
    assertThat(registry.get("sfr-on").defaultsNote()).isEqualTo(
        "bare defaults leave a memorising model's forget set almost as the original had it (random:0.1, 3 tuning seeds: FA 99.2-99.8 % against RT's 88.4 %); use a tuned recipe");
  }

  @Test
  void onlyRevisedMethodsHaveARevisionAboveOne() {
    assertThat(MethodRegistry.revision("dmm")).isEqualTo(2);
    assertThat(registry.all().stream().map(MethodRegistry.Method::id).filter(id -> MethodRegistry.revision(id) > 1))
        .containsExactly("dmm");
    assertThat(MethodRegistry.revision("no-such-method")).isEqualTo(1);
  }

  @Test
  void unknownMethodListsTheIds() {
    assertThatThrownBy(() -> registry.get("no-such-method"))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("'no-such-method'")
        .hasMessageContaining(String.join(", ", registry.ids()));
  }

  @Test
  void parseOverridesRejectsMalformedUnknownMethodAndUnknownKey() {
    assertThatThrownBy(() -> registry.parseOverrides(List.of("ga.lr")))
        .isInstanceOf(LetheException.class).hasMessageContaining("malformed --param 'ga.lr'");
    assertThatThrownBy(() -> registry.parseOverrides(List.of("lr=1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("malformed");
    assertThatThrownBy(() -> registry.parseOverrides(List.of("ga.=1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("malformed");
    assertThatThrownBy(() -> registry.parseOverrides(List.of("nosuch.lr=1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("unknown method 'nosuch'");
    assertThatThrownBy(() -> registry.parseOverrides(List.of("ga.nokey=1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("'ga.nokey'");
    assertThatThrownBy(() -> registry.parseOverrides(List.of("ga.lr=-1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("ga.lr must be a positive number");
  }

  @Test
  void parseOverridesGroupsByMethodAndKeepsDotsInValues() {
    Map<String, Map<String, String>> parsed =
        registry.parseOverrides(List.of("neggrad+.alpha=0.9", "ga.lr=1e-3", "ga.epochs=2", "retrain.epochs=3"));
    assertThat(parsed).containsOnlyKeys("neggrad+", "ga", "retrain");
    assertThat(parsed.get("neggrad+")).containsExactly(Map.entry("alpha", "0.9"));
    assertThat(parsed.get("ga")).containsExactly(Map.entry("lr", "1e-3"), Map.entry("epochs", "2"));
    Unlearner ng = registry.get("neggrad+").create(parsed.get("neggrad+"));
    assertThat(((NegGradPlus.Options) ng.options()).alpha()).isEqualTo(0.9);
    Unlearner rt = registry.get("retrain").create(parsed.get("retrain"));
    assertThat(rt.options()).isEqualTo(TRAINING.withEpochs(3));
    assertThat(registry.parseOverrides(List.of())).isEmpty();
  }

  @Test
  void dottedKeysOfNestedFieldsAndTheirShortFormBothBind() {
    Map<String, Map<String, String>> parsed =
        registry.parseOverrides(List.of("sfr-on.sgd.lr=0.02", "sfr-on.forgetAlpha=50", "ft.lr=0.1"));
    assertThat(parsed.get("sfr-on")).containsExactly(Map.entry("sgd.lr", "0.02"), Map.entry("forgetAlpha", "50"));
    assertThat(registry.get("sfr-on").create(parsed.get("sfr-on")).options())
        .isEqualTo(SfrOn.Options.defaults().withSgd(s -> s.withLr(0.02)).withForgetAlpha(50));
    assertThat(registry.get("ft").create(parsed.get("ft")).options())
        .isEqualTo(FineTune.Options.defaults().withSgd(s -> s.withLr(0.1)));
    assertThat(registry.methodKey("sfr-on.sgd.lr")).isEqualTo(new MethodRegistry.MethodKey("sfr-on", "sgd.lr"));
    assertThatThrownBy(() -> registry.parseOverrides(List.of("sfr-on.sgd.speed=1")))
        .isInstanceOf(LetheException.class).hasMessageStartingWith(
            "unknown parameter 'sfr-on.sgd.speed': sfr-on accepts epochs, lr, batchSize, momentum, weightDecay,"
                + " schedule, forgetFreq,");
  }

  @Test
  void aMethodIsCreatedFromItsTypedOptionsRecordAndNoOther() {
    SfrOn.Options options = SfrOn.Options.defaults().withForgetAlpha(50);
    assertThat(registry.get(SfrOn.ID).create(options).options()).isSameAs(options);
    assertThatThrownBy(() -> registry.get(SfrOn.ID).create(NegGradPlus.Options.defaults()))
        .isInstanceOf(LetheException.class)
        .hasMessage("sfr-on takes options of type dev.lethe.unlearn.method.SfrOn.Options, not"
            + " dev.lethe.unlearn.method.NegGradPlus.Options");
  }
}
