package dev.lethe.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ReproduceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode row(String method) {
    ObjectNode r = JSON.createObjectNode();
    r.put("scenario", "fashion-mnist/cnn/ids:my ids.txt");
    r.put("method", method);
    r.put("seed", 3);
    r.put("forget", "ids:my ids.txt");
    ObjectNode c = r.putObject("config");
    c.put("dataset", "fashion-mnist").put("model", "cnn").put("width", 16);
    c.putObject("split").put("trainSize", 100).put("validationSize", 10).put("testSize", 0).put("seed", 0)
        .putObject("poolIds").put("path", "/data/pool.txt").put("count", 100).put("sha256", "ab");
    c.putObject("training").put("epochs", 40).put("batchSize", 128).put("lr", 0.02).put("momentum", 0.9)
        .put("weightDecay", 5e-4).put("schedule", "cosine").put("augment", "crop-flip");
    r.putObject("cell").putObject("experiment").put("threads", 2);
    r.putObject("params").put("lr", 0.1).put("note", "it's").putObject("sgd").put("epochs", 5);
    return r;
  }

  @Test
  void aRowsCommandSpellsOutItsExperimentAndOptionsAndQuotesWhatTheShellWouldSplit() {
    assertThat(Reproduce.line(row("ft"))).isEqualTo("./lethe bench --dataset fashion-mnist --model cnn --width 16"
        + " --pool-ids /data/pool.txt --val-size 10 --test-size 0 --split-seed 0 --epochs 40 --batch-size 128"
        + " --lr 0.02 --momentum 0.9 --weight-decay 5.0E-4 --schedule cosine --augment crop-flip --threads 2"
        + " --forget 'ids:my ids.txt' --methods ft --seed 3 --recipes none --param ft.lr=0.1"
        + " --param 'ft.note=it'\\''s' --param ft.sgd.epochs=5");
  }

  @Test
  void bothRetrainsRerunThroughTheRetrainMethodAndARowWithoutItsConfigurationHasNoCommand() {
    assertThat(Reproduce.line(row("retrain-2"))).endsWith("--methods retrain --seed 3");
    ObjectNode bare = row("ga");
    bare.remove("config");
    assertThat(Reproduce.words(bare)).isEmpty();
  }
}
