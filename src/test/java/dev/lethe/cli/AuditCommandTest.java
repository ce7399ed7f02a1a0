package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.audit.Audit;
import dev.lethe.data.TestData;
import dev.lethe.experiment.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe audit} prints the typed audit of a model against the retrained reference, Avg Gap included. */
class AuditCommandTest {
  @TempDir static Path tmp;
  private static Path unlearned;
  private static Path data;

  private static CliRun.Outcome ok(String... args) {
    CliRun.Outcome out = CliRun.run(args);
    assertThat(out.status()).as(out.err()).isZero();
    return out;
  }

  @BeforeAll
  static void trainAndForget() throws Exception {
    data = TestData.tinyFashionMnist(tmp.resolve("fm"), 120, 60);
    Path original = tmp.resolve("original");
    ok("train", "--data-dir", data.toString(), "--model", "mlp", "--width", "8", "--train-size", "80", "--val-size",
        "20", "--test-size", "40", "--epochs", "2", "--batch-size", "16", "--lr", "0.05", "--store",
        tmp.resolve("store").toString(), "--save", original.toString());
    unlearned = tmp.resolve("ga");
    ok("forget", "--model", original.toString(), "--forget", "random:10", "--method", "ga", "--recipes", "none",
        "--store", tmp.resolve("store").toString(), "--save", unlearned.toString());
  }

  private static final List<String> ATTACKS = List.of("lira_auc", "lira_tpr_at_1pct_fpr", "lira_tpr_at_0_1pct_fpr",
      "rmia_auc", "rmia_tpr_at_1pct_fpr", "rmia_tpr_at_0_1pct_fpr");

  @Test
  void theStrongAuditAddsTheSingleModelAttacksForTheModelAndTheRetrainWithTheirDifference() throws Exception {
    String store = tmp.resolve("store").toString();
    JsonNode out = Json.MAPPER.readTree(ok("audit", "--model", unlearned.toString(), "--strong", "--ensemble", "2",
        "--workers", "2", "--store", store).out());
    JsonNode metrics = out.get("metrics");
    JsonNode rt = out.get("retrain_metrics");
    assertThat(metrics.get("avg_gap").asDouble()).as("the population audit stays").isEqualTo(gap(metrics, rt));
    assertThat(metrics.get("ensemble_size").asDouble()).isEqualTo(2.0);
    assertThat(out.get("ensemble").get("ensemble_size").asInt()).isEqualTo(2);
    assertThat(out.get("ensemble").get("member_threads").asInt()).as("trained by one-thread workers").isEqualTo(1);
    for (String k : ATTACKS) {
      double v = metrics.get(k).asDouble();
      assertThat(v).as(k).isBetween(0.0, 1.0);
      assertThat(metrics.get(k + "_retrain").asDouble()).as(k).isEqualTo(rt.get(k).asDouble());
      assertThat(metrics.get(k + "_delta").asDouble()).as(k).isEqualTo(v - rt.get(k).asDouble());
      assertThat(rt.get(k + "_delta").asDouble()).as(k).isZero();
    }
    assertThat(rt.fieldNames()).toIterable().containsExactlyElementsOf(() -> metrics.fieldNames());

    // a reference that is the model itself: every attack tells it from itself exactly as from the model
    JsonNode self = Json.MAPPER.readTree(ok("audit", "--model", unlearned.toString(), "--reference", unlearned.toString(),
        "--strong", "--ensemble", "2", "--workers", "2", "--store", store).out());
    for (String k : ATTACKS) {
      assertThat(self.get("metrics").get(k).asDouble()).as(k).isEqualTo(metrics.get(k).asDouble());
      assertThat(self.get("metrics").get(k + "_delta").asDouble()).as(k).isZero();
    }
  }

  @Test
  void aBadEnsembleOrAReferenceFromAnotherExperimentIsOneLineAndExitTwo() throws Exception {
    String store = tmp.resolve("store").toString();
    CliRun.Outcome odd = CliRun.run("audit", "--model", unlearned.toString(), "--strong", "--ensemble", "3", "--store", store);
    assertThat(odd.status()).isEqualTo(2);
    assertThat(odd.err()).contains("LiRA and RMIA need").contains("at least 2").doesNotContain("\tat ");
    CliRun.Outcome loose = CliRun.run("audit", "--model", unlearned.toString(), "--ensemble", "4", "--store", store);
    assertThat(loose.status()).isEqualTo(2);
    assertThat(loose.err()).contains("add --strong");
    CliRun.Outcome none = CliRun.run("audit", "--model", unlearned.toString(), "--strong", "--workers", "0", "--store", store);
    assertThat(none.status()).isEqualTo(2);
    assertThat(none.err().strip()).isEqualTo("lethe: --workers must be at least 1, got 0: pass the number of worker "
        + "processes that train ensemble members in parallel (1 trains them in this process)");
    CliRun.Outcome idle = CliRun.run("audit", "--model", unlearned.toString(), "--workers", "2", "--store", store);
    assertThat(idle.status()).isEqualTo(2);
    assertThat(idle.err()).contains("--workers trains the shadows of --strong");

    Path other = tmp.resolve("other-width");
    ok("train", "--data-dir", data.toString(), "--model", "mlp", "--width", "4", "--train-size", "80", "--val-size",
        "20", "--test-size", "40", "--epochs", "1", "--batch-size", "16", "--lr", "0.05", "--store", store,
        "--save", other.toString());
    CliRun.Outcome foreign = CliRun.run("audit", "--model", unlearned.toString(), "--reference", other.toString(),
        "--strong", "--ensemble", "2", "--store", store);
    assertThat(foreign.status()).isEqualTo(2);
    assertThat(foreign.err()).contains("trained in another experiment than the model").contains("width differs")
        .contains("omit --reference");
  }

  private static double gap(JsonNode a, JsonNode b) {
    double sum = 0;
    for (String k : Audit.GAP_METRICS) {
      sum += Math.abs(a.get(k).asDouble() - b.get(k).asDouble());
    }
    return sum / Audit.GAP_METRICS.size();
  }

  @Test
  void theAuditHasEveryMetricAndTheGapToTheRetrainedReference() throws Exception {
    JsonNode out = Json.MAPPER.readTree(ok("audit", "--model", unlearned.toString(), "--store",
        tmp.resolve("store").toString()).out());
    assertThat(out.get("forget").asText()).isEqualTo("random:10");
    JsonNode metrics = out.get("metrics");
    JsonNode rt = out.get("retrain_metrics");
    assertThat(metrics.fieldNames()).toIterable().containsExactly("forget_acc", "retain_acc", "test_acc",
        "outputs_finite", "mia_efficacy", "mia_entropy_member_rate", "kl_to_retrain_forget", "kl_to_retrain_retain",
        "kl_to_retrain_test", "js_to_retrain_forget", "js_to_retrain_test", "avg_gap");
    assertThat(rt.fieldNames()).toIterable().containsExactlyElementsOf(() -> metrics.fieldNames());
    assertThat(metrics.get("avg_gap").asDouble()).isEqualTo(gap(metrics, rt));
    assertThat(rt.get("avg_gap").asDouble()).isZero();
    assertThat(rt.get("kl_to_retrain_forget").asDouble()).isZero();
  }

  @Test
  void aModelAuditedAgainstItselfAsTheReferenceHasNoGap() throws Exception {
    JsonNode out = Json.MAPPER.readTree(ok("audit", "--model", unlearned.toString(), "--reference",
        unlearned.toString(), "--forget", "class:3", "--store", tmp.resolve("store").toString()).out());
    JsonNode metrics = out.get("metrics");
    assertThat(metrics.get("avg_gap").asDouble()).isZero();
    assertThat(metrics.get("js_to_retrain_test").asDouble()).isZero();
    assertThat(metrics.get("tv_to_retrain_forget").asDouble()).isZero();
    assertThat(out.get("retrain_metrics")).isEqualTo(metrics);
  }
}
