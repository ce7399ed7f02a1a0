package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.data.SplitConfig;
import dev.lethe.experiment.EnsembleWorkers;
import dev.lethe.experiment.PerExampleScores;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --audit strong} on a tiny Fashion-MNIST grid: the per-example metrics in every row, the summary's table. */
class StrongAuditBenchTest {
  @TempDir Path tmp;

  private BenchConfig config(Path out) {
    return config(out, tmp.resolve("store"), 1);
  }

  private BenchConfig config(Path out, Path store, int workers) {
    return new BenchConfig("fashion-mnist", null, "mlp", 32, new SplitConfig(200, 50, 100, 0),
        new TrainConfig(3, 32, 0.05, 0.9, 5e-4, LrSchedule.COSINE), List.of("random:40"), List.of("original", "ft"),
        List.of(1L), Map.of(), store, out, null, 6, 1, EnsembleWorkers.executor(workers));
  }

  @Test
  void withTwoWorkersEveryEnsembleMemberIsTrainedInAOneThreadWorkerAndTheRowsCarryTheAudits() throws Exception {
    Path store = tmp.resolve("store-workers");
    List<JsonNode> rows = new BenchmarkRunner(config(tmp.resolve("out-workers"), store, 2)).run();
    assertThat(rows).extracting(r -> r.get("method").asText())
        .containsExactlyInAnyOrder("retrain", "retrain-2", "original", "ft");
    for (JsonNode r : rows) {
      assertThat(r.get("metrics").get("ensemble_size").asDouble()).isEqualTo(6.0);
      assertThat(r.get("cell").get("strong_audit").get("member_threads").asInt()).isEqualTo(1);
    }
    // a rerun finds every cell under its key (strong audit included) and recomputes none: the same rows, finished
    // at the same instants
    List<JsonNode> again = new BenchmarkRunner(config(tmp.resolve("out-workers"), store, 2)).run();
    assertThat(again).extracting(r -> r.get("cell_key").asText() + " " + r.get("finished_at").asText())
        .containsExactlyElementsOf(rows.stream().map(r -> r.get("cell_key").asText() + " " + r.get("finished_at").asText())
            .toList());
    // 6 shadow originals, 6 ft twins, 6 retrains, 6 second retrains by the workers (one thread, in their
    // provenance too); the scenario's original, RT, second RT and ft's unlearned model by this two-thread process
    Map<Integer, Long> byThreads;
    try (Stream<Path> dirs = Files.list(store)) {
      byThreads = dirs.filter(p -> !p.getFileName().toString().startsWith(".")).map(p -> {
        JsonNode meta = dev.lethe.model.Checkpoints.metadata(p);
        int keyed = meta.path("key").has("threads") ? meta.path("key").get("threads").asInt()
            : meta.path("key").path("experiment").path("threads").asInt();
        assertThat(meta.path("versions").path("threads").asInt()).as(p.toString()).isEqualTo(keyed);
        return keyed;
      }).collect(Collectors.groupingBy(t -> t, Collectors.counting()));
    }
    assertThat(byThreads).containsExactlyInAnyOrderEntriesOf(Map.of(1, 24L, 2, 4L));
  }

  @Test
  void everyRowCarriesTheEnsembleAuditsWithFloorAndCeilingAndARerunTrainsNothing() throws Exception {
    List<JsonNode> rows = new BenchmarkRunner(config(tmp.resolve("out"))).run();
    Map<String, JsonNode> byMethod = rows.stream().collect(Collectors.toMap(r -> r.get("method").asText(), r -> r.get("metrics")));
    assertThat(byMethod.keySet()).containsExactlyInAnyOrder("retrain", "retrain-2", "original", "ft");
    for (JsonNode m : byMethod.values()) {
      assertThat(m.get("ensemble_size").asDouble()).isEqualTo(6.0);
      assertThat(m.has("lira_auc")).isTrue();
    }
    JsonNode rt = byMethod.get("retrain");
    assertThat(rt.get("lira_auc_delta").asDouble()).isZero();
    assertThat(rt.has("klom_forget_p95")).isFalse();
    for (String method : List.of("retrain-2", "original", "ft")) {
      JsonNode m = byMethod.get(method);
      assertThat(m.get("lira_auc_retrain").asDouble()).as(method).isEqualTo(rt.get("lira_auc").asDouble());
      assertThat(m.get("lira_auc_delta").asDouble()).as(method)
          .isEqualTo(m.get("lira_auc").asDouble() - rt.get("lira_auc").asDouble());
      assertThat(m.get("forget_quality_n").asDouble()).as(method).isEqualTo(3.0);
      for (String name : List.of("klom_forget_p95", "klom_forget_median", "klom_retain_p95", "klom_val_p95",
          "ulira_accuracy", "rmia_auc", "rmia_tpr_at_1pct_fpr_delta", "forget_quality")) {
        assertThat(m.has(name)).as(method + " " + name).isTrue();
      }
    }
    String summary = Files.readString(tmp.resolve("out").resolve(BenchmarkRunner.SUMMARY));
    assertThat(summary).contains("Per-example audits over the shadow ensemble").contains("| KLoM-F p95 |")
        .contains("Floor (retrain-2: as close as retraining gets): KLoM-F p95 ")
        .contains("; ceiling (original: nothing forgotten): KLoM-F p95 ");
    for (JsonNode row : rows) {
      String method = row.get("method").asText();
      if (method.equals("retrain")) {
        assertThat(row.has(PerExampleScores.ROW_FIELD)).as("RT has no per-example audit").isFalse();
        continue;
      }
      // the per-example values behind the row's U-LiRA score, beside results.jsonl: one per forget example
      PerExampleScores scores = PerExampleScores.read(tmp.resolve("out").resolve(row.get(PerExampleScores.ROW_FIELD).asText()));
      assertThat(scores).as(method).isNotNull();
      assertThat(scores.ids()).as(method).hasSize(40);
      assertThat(Arrays.stream(scores.uliraAccuracy()).average().orElseThrow()).as(method)
          .isCloseTo(row.get("metrics").get("ulira_accuracy").asDouble(), within(1e-6));
    }

    List<String> stored = storeListing();
    List<JsonNode> again = new BenchmarkRunner(config(tmp.resolve("out-2"))).run();
    assertThat(storeListing()).isEqualTo(stored);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(again.get(i).get("metrics").get("klom_forget_p95"))
          .isEqualTo(rows.get(i).get("metrics").get("klom_forget_p95"));
    }
  }

  /** The artifacts in the store (their names are content keys), sorted. */
  private List<String> storeListing() throws Exception {
    try (Stream<Path> dirs = Files.list(tmp.resolve("store"))) {
      return dirs.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }
}
