package dev.lethe.unlearn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.train.Augmentation;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.method.FineTune;
import dev.lethe.unlearn.method.GradientAscent;
import dev.lethe.unlearn.method.NegGradPlus;
import dev.lethe.unlearn.method.Original;
import dev.lethe.unlearn.method.RandomLabels;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsBinderTest {
  @Test
  void overridesAreAppliedAndTypedTheRestStaysDefault() {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("lr", " 0.05 ");
    overrides.put("epochs", "7");
    overrides.put("bnTrain", "false");
    overrides.put("schedule", "cosine");
    GradientAscent.Options bound = OptionsBinder.bind("ga", GradientAscent.DEFAULTS, overrides);
    assertThat(bound).isEqualTo(new GradientAscent.Options(7, 0.05, 128, 0.9, 5e-4, "cosine", false));
    assertThat(overrides).hasSize(4); // the caller's map is not consumed
    assertThat(OptionsBinder.bind("ga", GradientAscent.DEFAULTS, Map.of())).isEqualTo(GradientAscent.DEFAULTS);
  }

  @Test
  void bindsTheRetrainConfigToo() {
    TrainConfig config = new TrainConfig(30, 128, 0.1, 0.9, 5e-4, "cosine");
    TrainConfig bound = OptionsBinder.bind("retrain", config, Map.of("epochs", "2", "schedule", "step"));
    assertThat(bound).isEqualTo(new TrainConfig(2, 128, 0.1, 0.9, 5e-4, "step"));
    TrainConfig augmented = OptionsBinder.bind("retrain", config, Map.of("augment", "crop-flip"));
    assertThat(augmented.augment()).isEqualTo(Augmentation.CROP_FLIP);
    // retrain's values key its result cells: none is left out, so unaugmented keys keep their old text
    assertThat(OptionsBinder.values(config)).containsOnlyKeys(
        "epochs", "batchSize", "lr", "momentum", "weightDecay", "schedule", "clip");
    assertThat(OptionsBinder.values(augmented)).containsEntry("augment", Augmentation.CROP_FLIP).hasSize(8);
    assertThatThrownBy(() -> OptionsBinder.bind("retrain", config, Map.of("augment", "rotate")))
        .isInstanceOf(LetheException.class).hasMessageContaining("unknown augmentation 'rotate'");
  }

  @Test
  void unknownKeyListsTheAcceptedKeys() {
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.DEFAULTS, Map.of("rate", "0.1")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("'ga.rate'")
        .hasMessageContaining("epochs, lr, batchSize, momentum, weightDecay, schedule, bnTrain");
    assertThatThrownBy(() -> OptionsBinder.bind("original", new Original.Options(), Map.of("lr", "1")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("'original.lr'");
  }

  @Test
  void unparsableValuesAreErrors() {
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.DEFAULTS, Map.of("lr", "fast")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.lr must be a double")
        .hasMessageContaining("'fast'");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.DEFAULTS, Map.of("epochs", "1.5")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.epochs must be a int");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.DEFAULTS, Map.of("bnTrain", "yes")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.bnTrain");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.DEFAULTS, Map.of("lr", "NaN")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.lr");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.DEFAULTS, Map.of("lr", "Infinity")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.lr");
  }

  @Test
  void boundValuesAreValidated() {
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.DEFAULTS, Map.of("lr", "-1")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.lr must be a positive number");
    assertThatThrownBy(() -> OptionsBinder.bind("ft", FineTune.DEFAULTS, Map.of("momentum", "1")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ft.momentum");
    assertThatThrownBy(() -> OptionsBinder.bind("rl", RandomLabels.DEFAULTS, Map.of("batchSize", "1")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("rl.batchSize");
    assertThatThrownBy(() -> OptionsBinder.bind("neggrad+", NegGradPlus.DEFAULTS, Map.of("alpha", "1.5")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("neggrad+.alpha");
    assertThatThrownBy(() -> OptionsBinder.bind("ft", FineTune.DEFAULTS, Map.of("schedule", "warmup")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("'warmup'");
    assertThatThrownBy(() -> OptionsBinder.bind("ft", FineTune.DEFAULTS, Map.of("epochs", "0")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ft.epochs");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.DEFAULTS, Map.of("weightDecay", "-0.1")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.weightDecay");
  }

  @Test
  void valuesAndDocsFollowDeclarationOrder() {
    assertThat(OptionsBinder.values(NegGradPlus.DEFAULTS))
        .containsExactly(
            Map.entry("epochs", 2), Map.entry("lr", 0.01), Map.entry("batchSize", 128),
            Map.entry("momentum", 0.9), Map.entry("weightDecay", 5e-4), Map.entry("schedule", "cosine"),
            Map.entry("alpha", 0.99));
    Map<String, String> docs = OptionsBinder.docs(GradientAscent.DEFAULTS);
    assertThat(docs.keySet())
        .containsExactly("epochs", "lr", "batchSize", "momentum", "weightDecay", "schedule", "bnTrain");
    assertThat(docs.values()).allMatch(d -> !d.isBlank());
  }
}
