package dev.lethe.unlearn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.experiment.Json;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The JSON of resolved options ({@link OptionsBinder#values}) is part of every result row and every cell key
 * ({@code bench.Rows.cell}): these strings were copied from the output before the options records were
 * restructured (nested SGD settings, enums), so results and cell keys written before stay valid.
 */
class OptionsJsonTest {
  private static final MethodRegistry REGISTRY =
      new MethodRegistry(new TrainConfig(40, 128, 0.02, 0.9, 5e-4, LrSchedule.COSINE));

  /** Every method's defaults, canonical (sorted keys): the text a cell key hashes. */
  private static final Map<String, String> DEFAULTS = Map.ofEntries(
        Map.entry("retrain",
            "{\"batchSize\":128,\"clip\":0.0,\"epochs\":40,\"lr\":0.02,\"momentum\":0.9,\"schedule\":\"cosine\",\"weightDecay\":5.0E-4}"),
        Map.entry("original",
            "{}"),
        Map.entry("ft",
            "{\"batchSize\":128,\"epochs\":3,\"lr\":0.01,\"momentum\":0.9,\"schedule\":\"cosine\",\"weightDecay\":5.0E-4}"),
        Map.entry("ga",
            "{\"batchSize\":128,\"bnTrain\":true,\"epochs\":5,\"lr\":3.0E-4,\"momentum\":0.9,\"schedule\":\"constant\",\"weightDecay\":5.0E-4}"),
        Map.entry("rl",
            "{\"batchSize\":128,\"epochs\":2,\"lr\":0.01,\"momentum\":0.9,\"schedule\":\"constant\",\"useRetain\":true,\"weightDecay\":5.0E-4}"),
        Map.entry("neggrad+",
            "{\"alpha\":0.99,\"batchSize\":128,\"epochs\":2,\"lr\":0.01,\"momentum\":0.9,\"schedule\":\"cosine\",\"weightDecay\":5.0E-4}"),
        Map.entry("salun",
            "{\"batchSize\":128,\"epochs\":2,\"lr\":0.01,\"maskMode\":\"hard_freeze\",\"momentum\":0.9,\"schedule\":\"constant\",\"sparsity\":0.5,\"useRetain\":true,\"weightDecay\":5.0E-4}"),
        Map.entry("sfr-on",
            "{\"adaptive\":true,\"batchSize\":128,\"bnTrain\":true,\"clip\":7.0,\"epochs\":3,\"fastSlow\":true,\"forgetAlpha\":25.0,\"forgetFreq\":5,\"gamma\":1.0,\"lambda\":0.5,\"lr\":0.01,\"mask\":true,\"maskMode\":\"grad_only\",\"momentum\":0.9,\"weightDecay\":5.0E-4}"),
        Map.entry("scrub",
            "{\"alpha\":0.001,\"epochs\":3,\"forgetBatchSize\":64,\"gamma\":0.99,\"lr\":5.0E-4,\"lrDecayEpochs\":\"3,5,9\",\"lrDecayRate\":0.1,\"momentum\":0.9,\"msteps\":2,\"retainBatchSize\":128,\"temperature\":4.0,\"weightDecay\":5.0E-4}"),
        Map.entry("bad-teacher",
            "{\"batchSize\":128,\"epochs\":1,\"lr\":0.02,\"momentum\":0.9,\"retainFraction\":1.0,\"schedule\":\"cosine\",\"temperature\":1.0,\"weightDecay\":5.0E-4}"),
        Map.entry("l1-sparse",
            "{\"alpha\":0.005,\"batchSize\":128,\"epochs\":3,\"lr\":0.01,\"momentum\":0.9,\"schedule\":\"cosine\",\"weightDecay\":5.0E-4}"),
        Map.entry("iu",
            "{\"alpha\":1.0,\"batchSize\":128,\"damping\":1000.0,\"samples\":1000}"),
        Map.entry("bs",
            "{\"attack\":\"fgsm\",\"batchSize\":128,\"epochs\":2,\"epsilon\":0.1,\"lr\":3.0E-4,\"momentum\":0.9,\"schedule\":\"constant\",\"weightDecay\":5.0E-4}"),
        Map.entry("be",
            "{\"batchSize\":128,\"epochs\":2,\"lr\":3.0E-4,\"momentum\":0.9,\"schedule\":\"constant\",\"weightDecay\":5.0E-4}"),
        Map.entry("amun",
            "{\"attackSteps\":50,\"batchSize\":128,\"epochs\":3,\"epsilon\":0.04,\"lr\":0.01,\"lrDecay\":0.1,\"maxDoublings\":11,\"momentum\":0.9,\"useForget\":true,\"useRetain\":true,\"weightDecay\":5.0E-4}"),
        Map.entry("amun-a",
            "{\"attackSteps\":50,\"batchSize\":128,\"epochs\":3,\"epsilon\":0.04,\"lr\":0.01,\"lrDecay\":0.1,\"maxDoublings\":11,\"momentum\":0.9,\"useForget\":false,\"useRetain\":true,\"weightDecay\":5.0E-4}"),
        Map.entry("manif-smc",
            "{\"batchSize\":16,\"bnTrain\":true,\"curveLr\":0.01,\"curveSteps\":10,\"epochs\":1,\"k\":5,\"lr\":5.0E-4,\"positive\":\"top1\",\"scale\":0.1,\"surrogate\":\"code\",\"t\":0.5,\"withLabel\":true}"),
        Map.entry("modhifi-u",
            "{\"batchSize\":64,\"edit\":\"zero\",\"fraction\":0.1,\"layers\":0,\"samples\":2000,\"score\":\"fidelity\"}"),
        Map.entry("sisa",
            "{\"aggregation\":\"vote\",\"shards\":5,\"slices\":4}"),
        Map.entry("trw",
            "{\"batchSize\":128,\"beta\":10.0,\"components\":0,\"epochs\":2,\"lr\":0.01,\"momentum\":0.9,\"retainWeight\":1.0,\"schedule\":\"constant\",\"similarity\":\"logits\",\"temperature\":0.1,\"weightDecay\":5.0E-4}"),
        Map.entry("laf",
            "{\"batchSize\":32,\"epochs\":5,\"latent\":8,\"lrRa\":1.0E-4,\"lrUe\":5.0E-5,\"remainVae\":\"pool\",\"repair\":false,\"repairEpochs\":2,\"repairLr\":1.0E-4,\"temperature\":5.0,\"vaeEpochs\":10,\"vaeLr\":0.001}"),
        Map.entry("dmm",
            "{\"batchSize\":512,\"checkpoints\":1,\"dimension\":512,\"epochs\":5,\"forgetMultiplier\":1.0,\"gamma\":0.95,\"lr\":5.0E-4,\"multiplier\":1.0,\"retainMultiplier\":3.0,\"ridge\":0.001,\"shuffle\":false}"),
        Map.entry("oracle-matching",
            "{\"batchSize\":512,\"epochs\":5,\"forgetMultiplier\":1.0,\"gamma\":0.95,\"lr\":5.0E-4,\"models\":2,\"retainMultiplier\":3.0,\"shuffle\":false}"));

  @Test
  void everyMethodsDefaultsKeepTheirJson() {
    assertThat(REGISTRY.ids()).containsExactlyInAnyOrderElementsOf(DEFAULTS.keySet());
    for (MethodRegistry.Method m : REGISTRY.all()) {
      assertThat(canonical(m.create(Map.of()).options())).as(m.id()).isEqualTo(DEFAULTS.get(m.id()));
    }
  }

  @Test
  void overriddenChoicesAndNumbersKeepTheirJsonFormat() {
    assertThat(canonical(bound("salun", "maskMode", "grad_only", "lr", "0.005", "schedule", "step")))
        .isEqualTo("{\"batchSize\":128,\"epochs\":2,\"lr\":0.005,\"maskMode\":\"grad_only\",\"momentum\":0.9,"
            + "\"schedule\":\"step\",\"sparsity\":0.5,\"useRetain\":true,\"weightDecay\":5.0E-4}");
    assertThat(canonical(bound("bs", "attack", "pgd", "epochs", "4")))
        .isEqualTo("{\"attack\":\"pgd\",\"batchSize\":128,\"epochs\":4,\"epsilon\":0.1,\"lr\":3.0E-4,"
            + "\"momentum\":0.9,\"schedule\":\"constant\",\"weightDecay\":5.0E-4}");
    assertThat(canonical(bound("manif-smc", "surrogate", "paper", "positive", "random")))
        .contains("\"positive\":\"random\"", "\"surrogate\":\"paper\"");
    assertThat(canonical(bound("trw", "similarity", "head"))).contains("\"similarity\":\"head\"");
    assertThat(canonical(bound("retrain", "augment", "crop-flip"))).isEqualTo(
        "{\"augment\":\"crop-flip\",\"batchSize\":128,\"clip\":0.0,\"epochs\":40,\"lr\":0.02,\"momentum\":0.9,"
            + "\"schedule\":\"cosine\",\"weightDecay\":5.0E-4}");
  }

  @Test
  void valuesKeepTheirDeclarationOrder() {
    assertThat(OptionsBinder.values(bound("ga")).keySet()).containsExactly(
        "epochs", "lr", "batchSize", "momentum", "weightDecay", "schedule", "bnTrain");
    assertThat(OptionsBinder.values(bound("salun")).keySet()).containsExactly(
        "sparsity", "epochs", "lr", "batchSize", "momentum", "weightDecay", "schedule", "maskMode", "useRetain");
    assertThat(OptionsBinder.values(bound("sfr-on")).keySet()).containsExactly(
        "epochs", "lr", "batchSize", "momentum", "weightDecay", "forgetFreq", "forgetAlpha", "clip", "lambda",
        "gamma", "mask", "adaptive", "fastSlow", "maskMode", "bnTrain");
  }

  private static Record bound(String method, String... keyValues) {
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      overrides.put(keyValues[i], keyValues[i + 1]);
    }
    return REGISTRY.get(method).create(overrides).options();
  }

  private static String canonical(Record options) {
    return Json.canonicalText(Json.MAPPER.valueToTree(OptionsBinder.values(options)));
  }
}
