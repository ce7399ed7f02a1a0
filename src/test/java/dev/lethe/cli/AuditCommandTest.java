package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.audit.Audit;
import dev.lethe.data.TestData;
import dev.lethe.experiment.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe audit} prints the typed audit of a model against the retrained reference, Avg Gap included. */
class AuditCommandTest {
  @TempDir static Path tmp;
  private static Path unlearned;

  private static CliRun.Outcome ok(String... args) {
    CliRun.Outcome out = CliRun.run(args);
    assertThat(out.status()).as(out.err()).isZero();
    return out;
  }

  @BeforeAll
  static void trainAndForget() throws Exception {
    Path data = TestData.tinyFashionMnist(tmp.resolve("fm"), 120, 60);
    Path original = tmp.resolve("original");
    ok("train", "--data-dir", data.toString(), "--model", "mlp", "--width", "8", "--train-size", "80", "--val-size",
        "20", "--test-size", "40", "--epochs", "2", "--batch-size", "16", "--lr", "0.05", "--store",
        tmp.resolve("store").toString(), "--save", original.toString());
    unlearned = tmp.resolve("ga");
    ok("forget", "--model", original.toString(), "--forget", "random:10", "--method", "ga", "--recipes", "none",
        "--store", tmp.resolve("store").toString(), "--save", unlearned.toString());
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
