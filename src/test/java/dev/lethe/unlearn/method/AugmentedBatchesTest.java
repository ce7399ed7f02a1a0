package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MethodRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which batches the training recipe's augmentation reaches. Observed through the result bits: a method run
 * under a crop-flip recipe equals its run under the plain recipe exactly when none of its inputs was
 * augmented.
 */
class AugmentedBatchesTest extends TinyClassTaskTest {
  private static final TrainConfig CROP_FLIP = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE, 0,
      Augmentation.CROP_FLIP);
  private static final MethodRegistry PLAIN = new MethodRegistry(TRAINING);
  private static final MethodRegistry AUGMENTED = new MethodRegistry(CROP_FLIP);
  /** AmunTest's budget for the tiny task. */
  private static final Map<String, String> AMUN_BUDGET = Map.of(
      "epochs", "3", "batchSize", "8", "lr", "0.05", "lrDecay", "0.5", "epsilon", "0.5", "attackSteps", "10",
      "maxDoublings", "4");

  private static byte[] run(MethodRegistry registry, String id, Map<String, String> options) {
    try (Network net = registry.get(id).create(options).unlearn(original, CLASS, 7, Progress.silent())) {
      return TinyData.paramBytes(net);
    }
  }

  private static Map<String, String> amun(String useRetain, String useForget) {
    Map<String, String> options = new HashMap<>(AMUN_BUDGET);
    options.put("useRetain", useRetain);
    options.put("useForget", useForget);
    return options;
  }

  @Test
  void amunAugmentsItsForgetRowsButAttacksAndTrainsOnCleanAdversarialExamples() {
    // D_A alone: if the attack read augmented images, or D_A rows were augmented, the bits would differ
    assertThat(run(AUGMENTED, Amun.ID, amun("false", "false")))
        .isEqualTo(run(PLAIN, Amun.ID, amun("false", "false")));
    // D_F ∪ D_A: the forget rows are augmented
    assertThat(run(AUGMENTED, Amun.ID, amun("false", "true")))
        .isNotEqualTo(run(PLAIN, Amun.ID, amun("false", "true")));
  }

  @Test
  void fineTuningFollowsTheRecipeAndScrubNeverAugments() {
    Map<String, String> ft = Map.of("epochs", "1", "batchSize", "8");
    assertThat(run(AUGMENTED, FineTune.ID, ft)).isNotEqualTo(run(PLAIN, FineTune.ID, ft));
    Map<String, String> scrub = Map.of("epochs", "1", "forgetBatchSize", "8", "retainBatchSize", "8");
    assertThat(run(AUGMENTED, Scrub.ID, scrub)).isEqualTo(run(PLAIN, Scrub.ID, scrub));
  }

  @Test
  void theRegistryGivesEachMethodTheRecipesPolicyOrNone() {
    List<String> never = List.of(Original.ID, NegGradPlus.ID, Scrub.ID, BadTeacher.ID, InfluenceUnlearning.ID,
        ManifSmc.ID, ModHiFiU.ID, Dmm.ID, OracleMatching.ID);
    for (MethodRegistry.Method m : AUGMENTED.all()) {
      MethodRegistry.BatchAugmentation batches = m.batches();
      assertThat(batches.followsRecipe()).as(m.id()).isEqualTo(!never.contains(m.id()));
      assertThat(batches.augmentation()).as(m.id())
          .isEqualTo(never.contains(m.id()) ? Augmentation.NONE : Augmentation.CROP_FLIP);
      assertThat(batches.why()).as(m.id()).isNotBlank();
      assertThat(PLAIN.get(m.id()).batches().augmentation()).as(m.id()).isEqualTo(Augmentation.NONE);
    }
    assertThat(((TrainConfig) AUGMENTED.get(Retrain.ID).create(Map.of()).options()).augment())
        .isEqualTo(Augmentation.CROP_FLIP);
    assertThat(AUGMENTED.get(FineTune.ID).batches().describe()).startsWith("crop-flip (as --augment): ");
    assertThat(AUGMENTED.get(Scrub.ID).batches().describe()).startsWith("never augmented: ");
  }
}
