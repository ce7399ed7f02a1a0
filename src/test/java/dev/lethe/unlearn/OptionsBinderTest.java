package dev.lethe.unlearn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.train.Augmentation;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.SgdOptimizer.MaskMode;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.method.FineTune;
import dev.lethe.unlearn.method.GradientAscent;
import dev.lethe.unlearn.method.NegGradPlus;
import dev.lethe.unlearn.method.Original;
import dev.lethe.unlearn.method.RandomLabels;
import dev.lethe.unlearn.method.SalUn;
import dev.lethe.unlearn.method.SfrOn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsBinderTest {
  /** Two SGD blocks: their fields' short keys are ambiguous. */
  record TwoStages(SgdOptions warmup, SgdOptions main) {}

  /** A field of its own named like an SGD field: the full path wins, the nested one needs its prefix. */
  record OwnEpochs(int epochs, SgdOptions sgd) {}

  private static final TwoStages TWO = new TwoStages(SgdOptions.defaults(), SgdOptions.defaults());

  @Test
  void overridesAreAppliedAndTypedTheRestStaysDefault() {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("lr", " 0.05 ");
    overrides.put("epochs", "7");
    overrides.put("bnTrain", "false");
    overrides.put("schedule", "cosine");
    GradientAscent.Options bound = OptionsBinder.bind("ga", GradientAscent.Options.defaults(), overrides);
    assertThat(bound).isEqualTo(new GradientAscent.Options(
        new SgdOptions(7, 0.05, 128, 0.9, 5e-4, LrSchedule.COSINE), false));
    assertThat(overrides).hasSize(4); // the caller's map is not consumed
    assertThat(OptionsBinder.bind("ga", GradientAscent.Options.defaults(), Map.of()))
        .isEqualTo(GradientAscent.Options.defaults());
  }

  @Test
  void nestedFieldsBindByTheirDottedPathOrTheirShortKey() {
    SfrOn.Options expected = SfrOn.Options.defaults().withSgd(s -> s.withLr(0.02).withSchedule(LrSchedule.STEP));
    assertThat(OptionsBinder.bind("sfr-on", SfrOn.Options.defaults(), Map.of("sgd.lr", "0.02", "sgd.schedule", "step")))
        .isEqualTo(expected);
    assertThat(OptionsBinder.bind("sfr-on", SfrOn.Options.defaults(), Map.of("lr", "0.02", "schedule", "step")))
        .isEqualTo(expected);
    assertThat(OptionsBinder.bind("ft", FineTune.Options.defaults(), Map.of("sgd.epochs", "9", "batchSize", "64")))
        .isEqualTo(FineTune.Options.defaults().withSgd(s -> s.withEpochs(9).withBatchSize(64)));
    assertThat(OptionsBinder.canonicalKeys("sfr-on", SfrOn.Options.defaults(), Map.of("sgd.lr", "0.02")))
        .containsExactly(Map.entry("lr", "0.02"));
  }

  @Test
  void aShortKeyTwoFieldsEndWithIsAnErrorNamingBoth() {
    assertThatThrownBy(() -> OptionsBinder.bind("two", TWO, Map.of("lr", "0.1")))
        .isInstanceOf(LetheException.class)
        .hasMessage("ambiguous parameter 'two.lr': write two.warmup.lr or two.main.lr");
    assertThat(OptionsBinder.bind("two", TWO, Map.of("warmup.lr", "0.1")))
        .isEqualTo(new TwoStages(SgdOptions.defaults().withLr(0.1), SgdOptions.defaults()));
    assertThat(OptionsBinder.values(TWO).keySet()).containsExactly(
        "warmup.epochs", "warmup.lr", "warmup.batchSize", "warmup.momentum", "warmup.weightDecay", "warmup.schedule",
        "main.epochs", "main.lr", "main.batchSize", "main.momentum", "main.weightDecay", "main.schedule");
  }

  @Test
  void aKeyThatIsAFullPathMeansThatField() {
    OwnEpochs own = new OwnEpochs(1, SgdOptions.defaults());
    assertThat(OptionsBinder.bind("own", own, Map.of("epochs", "5")).epochs()).isEqualTo(5);
    assertThat(OptionsBinder.bind("own", own, Map.of("sgd.epochs", "5")).sgd().epochs()).isEqualTo(5);
    assertThat(OptionsBinder.bind("own", own, Map.of("lr", "0.5")).sgd().lr()).isEqualTo(0.5);
    assertThat(OptionsBinder.params(own)).extracting(OptionsBinder.Param::key).containsExactly(
        "epochs", "sgd.epochs", "lr", "batchSize", "momentum", "weightDecay", "schedule");
  }

  @Test
  void aFieldGivenUnderTwoSpellingsIsAnError() {
    Map<String, String> twice = new LinkedHashMap<>();
    twice.put("lr", "0.1");
    twice.put("sgd.lr", "0.2");
    assertThatThrownBy(() -> OptionsBinder.bind("ft", FineTune.Options.defaults(), twice))
        .isInstanceOf(LetheException.class)
        .hasMessage("parameter ft.sgd.lr is given twice (lr=0.1 and sgd.lr=0.2): pass it once");
  }

  @Test
  void choicesParseByTheirIdsAndAnUnknownValueListsTheAllowedOnes() {
    assertThat(OptionsBinder.bind("salun", SalUn.Options.defaults(), Map.of("maskMode", "grad_only")).maskMode())
        .isEqualTo(MaskMode.GRAD_ONLY);
    assertThatThrownBy(() -> OptionsBinder.bind("salun", SalUn.Options.defaults(), Map.of("maskMode", "foo")))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown value 'foo' for salun.maskMode: use grad_only or hard_freeze");
    assertThatThrownBy(() -> OptionsBinder.bind("ft", FineTune.Options.defaults(), Map.of("sgd.schedule", "warmup")))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown value 'warmup' for ft.sgd.schedule: use cosine, step or constant");
  }

  @Test
  void bindsTheRetrainConfigToo() {
    TrainConfig config = new TrainConfig(30, 128, 0.1, 0.9, 5e-4, LrSchedule.COSINE);
    TrainConfig bound = OptionsBinder.bind("retrain", config, Map.of("epochs", "2", "schedule", "step"));
    assertThat(bound).isEqualTo(new TrainConfig(2, 128, 0.1, 0.9, 5e-4, LrSchedule.STEP));
    TrainConfig augmented = OptionsBinder.bind("retrain", config, Map.of("augment", "crop-flip"));
    assertThat(augmented.augment()).isEqualTo(Augmentation.CROP_FLIP);
    // retrain's values key its result cells: none is left out, so unaugmented keys keep their old text
    assertThat(OptionsBinder.values(config)).containsOnlyKeys(
        "epochs", "batchSize", "lr", "momentum", "weightDecay", "schedule", "clip");
    assertThat(OptionsBinder.values(augmented)).containsEntry("augment", "crop-flip").hasSize(8);
    assertThatThrownBy(() -> OptionsBinder.bind("retrain", config, Map.of("augment", "rotate")))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown value 'rotate' for retrain.augment: use none or crop-flip");
  }

  @Test
  void unknownKeyListsTheAcceptedKeys() {
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.Options.defaults(), Map.of("rate", "0.1")))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown parameter 'ga.rate': ga accepts epochs, lr, batchSize, momentum, weightDecay, schedule,"
            + " bnTrain");
    assertThatThrownBy(() -> OptionsBinder.bind("original", Original.Options.defaults(), Map.of("lr", "1")))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown parameter 'original.lr': original takes no parameters");
  }

  @Test
  void unparsableValuesAreErrors() {
    GradientAscent.Options ga = GradientAscent.Options.defaults();
    assertThatThrownBy(() -> OptionsBinder.bind("ga", ga, Map.of("lr", "fast")))
        .isInstanceOf(LetheException.class)
        .hasMessage("parameter ga.lr must be a double, got 'fast'");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", ga, Map.of("sgd.epochs", "1.5")))
        .isInstanceOf(LetheException.class)
        .hasMessage("parameter ga.sgd.epochs must be a int, got '1.5'");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", ga, Map.of("bnTrain", "yes")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.bnTrain");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", ga, Map.of("lr", "NaN")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.lr");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", ga, Map.of("lr", "Infinity")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.lr");
  }

  @Test
  void boundValuesAreValidatedInTheMethodsName() {
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.Options.defaults(), Map.of("lr", "-1")))
        .isInstanceOf(LetheException.class)
        .hasMessage("ga.lr must be a positive number, got -1.0");
    assertThatThrownBy(() -> OptionsBinder.bind("ft", FineTune.Options.defaults(), Map.of("momentum", "1")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ft.momentum");
    assertThatThrownBy(() -> OptionsBinder.bind("rl", RandomLabels.Options.defaults(), Map.of("sgd.batchSize", "1")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("rl.batchSize");
    assertThatThrownBy(() -> OptionsBinder.bind("neggrad+", NegGradPlus.Options.defaults(), Map.of("alpha", "1.5")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("neggrad+.alpha");
    assertThatThrownBy(() -> OptionsBinder.bind("ft", FineTune.Options.defaults(), Map.of("epochs", "0")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ft.epochs");
    assertThatThrownBy(() -> OptionsBinder.bind("ga", GradientAscent.Options.defaults(), Map.of("weightDecay", "-0.1")))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("ga.weightDecay");
    // built in Java, the same check names the method
    assertThatThrownBy(() -> FineTune.Options.defaults().withSgd(s -> s.withLr(-1)))
        .isInstanceOf(LetheException.class)
        .hasMessage("ft.lr must be a positive number, got -1.0");
  }

  @Test
  void valuesAndParamsFollowDeclarationOrderWithNestedFieldsInPlace() {
    assertThat(OptionsBinder.values(NegGradPlus.Options.defaults()))
        .containsExactly(
            Map.entry("epochs", 2), Map.entry("lr", 0.01), Map.entry("batchSize", 128),
            Map.entry("momentum", 0.9), Map.entry("weightDecay", 5e-4), Map.entry("schedule", "cosine"),
            Map.entry("alpha", 0.99));
    List<OptionsBinder.Param> params = OptionsBinder.params(GradientAscent.Options.defaults());
    assertThat(params).extracting(OptionsBinder.Param::key)
        .containsExactly("epochs", "lr", "batchSize", "momentum", "weightDecay", "schedule", "bnTrain");
    assertThat(params).allMatch(p -> !p.doc().isBlank());
    // the holder's SgdOptions.Docs says what an epoch is for this method; the rest is SgdOptions' own text
    assertThat(params.get(0).doc()).isEqualTo("passes over the forget set");
    assertThat(params.get(1).doc()).isEqualTo("base learning rate");
  }

  @Test
  void sfrOnsScheduleIsLeftOutOfItsJsonAtItsDefaultOnly() {
    // SFR-on's lr schedule became an option after its results were recorded: cosine keeps their cell keys
    assertThat(OptionsBinder.values(SfrOn.Options.defaults())).doesNotContainKey("schedule");
    assertThat(OptionsBinder.params(SfrOn.Options.defaults())).extracting(OptionsBinder.Param::key)
        .contains("schedule");
    SfrOn.Options stepped = SfrOn.Options.defaults().withSgd(s -> s.withSchedule(LrSchedule.CONSTANT));
    assertThat(OptionsBinder.values(stepped)).containsEntry("schedule", "constant");
  }
}
