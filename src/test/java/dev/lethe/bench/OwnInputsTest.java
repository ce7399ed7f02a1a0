package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.audit.AuditResult;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.TrainTest;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.Unlearner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a Java user hands Lethe (in-memory ids, a network of their own) lands in the benchmark's cells and metrics. */
class OwnInputsTest {
  private static final TrainConfig TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  private static final TrainTest DATA =
      new TrainTest(TinyData.separable("tiny/train", 64, 1, 3), TinyData.separable("tiny/test", 16, 1, 4));

  @TempDir Path dir;

  @Test
  void inMemoryIdsHashIntoTheCellOfAnIdsFileWithTheSameIds() throws Exception {
    Experiment exp = new Experiment("tiny", null, DATA, "mlp", 8, new SplitConfig(48, 8, 0, 3), TRAINING,
        new ArtifactStore(dir));
    int[] pool = exp.splits().pool().ids();
    int[] ids = {pool[9], pool[2], pool[40]};
    Path file = Files.write(dir.resolve("ids.txt"),
        Arrays.stream(ids).mapToObj(String::valueOf).toList());
    ForgetTask fromFile = exp.task(ForgetSpec.parse("ids:" + file), 1);
    ForgetTask inMemory = exp.task(ForgetSpec.ids(ids), 1);
    JsonNode params = Json.MAPPER.valueToTree(Map.of("lr", 0.01));
    JsonNode fileCell = Rows.cell(exp, fromFile, "ga", params, 1);
    JsonNode memoryCell = Rows.cell(exp, inMemory, "ga", params, 1);
    assertThat(Rows.key(memoryCell)).isEqualTo(Rows.key(fileCell));
    assertThat(memoryCell.get("forget_ids").asText()).isEqualTo(dev.lethe.data.IdFile.hashOf(ids));
    // and not the cell of other ids
    assertThat(Rows.key(Rows.cell(exp, exp.task(ForgetSpec.ids(pool[9], pool[2]), 1), "ga", params, 1)))
        .isNotEqualTo(Rows.key(fileCell));
  }

  @Test
  void aRevisedMethodsCellCarriesItsRevisionSoItsOldRowsAreNotReused() {
    Experiment exp = new Experiment("tiny", null, DATA, "mlp", 8, new SplitConfig(48, 8, 0, 3), TRAINING,
        new ArtifactStore(dir));
    ForgetTask task = exp.task(ForgetSpec.parse("random:4"), 1);
    JsonNode params = Json.MAPPER.valueToTree(Map.of("multiplier", 1.0));
    JsonNode dmm = Rows.cell(exp, task, "dmm", params, 1);
    assertThat(dmm.get("method_revision").asInt()).isEqualTo(2);
    com.fasterxml.jackson.databind.node.ObjectNode before = dmm.deepCopy();
    before.remove("method_revision");
    assertThat(Rows.key(dmm)).isNotEqualTo(Rows.key(before));
    // an unrevised method's cell, and so its key, is as it was before revisions existed
    assertThat(Rows.cell(exp, task, "ga", params, 1).has("method_revision")).isFalse();
  }

  @Test
  void theJavaAuditOfYourOwnNetworkIsTheBenchmarkCellsMetrics() {
    Experiment exp = Experiment.of(DATA, TinyData.ownCnn(), new SplitConfig(48, 8, 0, 3), TRAINING,
        new ArtifactStore(dir));
    ForgetTask task = exp.task(ForgetSpec.fraction(0.25), 1);
    Unlearner ga = exp.method("ga", Map.of("epochs", "2", "batchSize", "16"));
    for (ForgetTask t : List.of(task, task.heldOutAsValidation())) {
      try (Network original = exp.original(1); Network unlearned = ga.unlearn(original, t, 1)) {
        AuditResult audit = exp.audit(unlearned, t);
        Map<String, Double> cell = new ScenarioRun(exp, t, original, Progress.silent()).evaluate(ga, 1, Progress.silent())
            .metrics();
        assertThat(cell.remove("seconds")).isPositive();
        assertThat(cell.remove("rte")).isPositive();
        assertThat(audit.metrics()).as(t.heldOutIsValidation() ? "on validation" : "on test")
            .containsExactlyEntriesOf(cell);
      }
    }
  }
}
