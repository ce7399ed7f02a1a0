package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.data.SplitConfig;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A poisoned batch on real Fashion-MNIST (a 1,500-image pool, 60 of them backdoored): the original trained on
 * the poisoned pool has learnt the trigger, the exact retrain without the batch has not, and every row carries
 * the attack success rate beside the forgetting metrics.
 */
class PoisonedBatchEndToEndTest {
  @TempDir static Path tmp;
  private static BenchConfig config;
  private static List<JsonNode> rows;

  @BeforeAll
  static void runOnce() {
    config = new BenchConfig(
        "fashion-mnist", null, "cnn", 8, new SplitConfig(1500, 0, 500, 0),
        new TrainConfig(6, 64, 0.05, 0.9, 5e-4, LrSchedule.COSINE), List.of("backdoor:60", "random:50"),
        List.of("original", "ft"), List.of(1L), Map.of("ft", Map.of("epochs", "2")), tmp.resolve("store"),
        tmp.resolve("out"), null);
    rows = new BenchmarkRunner(config).run();
  }

  private static JsonNode metrics(String forget, String method) {
    return rows.stream().filter(r -> r.get("method").asText().equals(method) && r.get("forget").asText().equals(forget))
        .findFirst().orElseThrow().get("metrics");
  }

  @Test
  void theOriginalCarriesTheBackdoorAndTheRetrainDoesNot() {
    assertThat(metrics("backdoor:60", "original").get("attack_success_rate").asDouble()).isGreaterThan(80);
    assertThat(metrics("backdoor:60", "retrain").get("attack_success_rate").asDouble()).isLessThan(25);
    assertThat(metrics("backdoor:60", "retrain-2").get("attack_success_rate").asDouble()).isLessThan(25);
    assertThat(metrics("backdoor:60", "ft").has("attack_success_rate")).isTrue();
    // the original fits the poisoned labels of its training images, not their clean ones
    assertThat(metrics("backdoor:60", "original").get("poisoned_clean_acc").asDouble()).isLessThan(20);
    assertThat(metrics("backdoor:60", "original").get("forget_acc").asDouble()).isGreaterThan(80);
  }

  @Test
  void thePoisonedPoolTrainsItsOwnOriginalAndTheCleanScenarioKeepsItsOwn() {
    JsonNode poisoned = rows.stream().filter(r -> r.get("forget").asText().equals("backdoor:60")).findFirst().orElseThrow();
    JsonNode clean = rows.stream().filter(r -> r.get("forget").asText().equals("random:50")).findFirst().orElseThrow();
    assertThat(poisoned.at("/cell/experiment/pool").asText()).isNotEqualTo(clean.at("/cell/experiment/pool").asText());
    assertThat(poisoned.at("/cell/experiment/poison").asText()).isEqualTo("backdoor:60");
    assertThat(metrics("random:50", "original").has("attack_success_rate")).isFalse();
  }

  @Test
  void theSummaryShowsTheAttackSuccessRateOnlyWhereThereIsABackdoor() throws Exception {
    String summary = Files.readString(config.out().resolve("summary.md"));
    assertThat(summary).contains("ASR").contains("Clean-P");
  }

  @Test
  void aBackdoorLargerThanTheOtherClassesIsAOneLineErrorBeforeAnyTraining() {
    BenchConfig tooMany = new BenchConfig(config.dataset(), null, config.model(), config.width(), config.split(),
        config.training(), List.of("backdoor:1400"), List.of("original"), List.of(1L), Map.of(),
        tmp.resolve("store2"), tmp.resolve("out2"), null);
    assertThatThrownBy(() -> new BenchmarkRunner(tooMany).run())
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("poisons 1400 images, but the training pool of 1500 holds")
        .hasMessageNotContaining("\n");
    assertThat(tmp.resolve("store2")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
  }
}
