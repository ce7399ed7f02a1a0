package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.audit.ClassificationMetrics;
import dev.lethe.audit.Softmax;
import dev.lethe.experiment.Json;
import dev.lethe.data.Dataset;
import dev.lethe.data.DatasetLoader;
import dev.lethe.data.IdxImages;
import dev.lethe.data.IdxReader;
import dev.lethe.data.TestData;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe eval}: accuracy, predicted-class histogram and mean max-softmax of a checkpoint on an IDX file. */
class EvalCommandTest {
  @TempDir static Path tmp;
  static Path model;
  static Path images;
  static int[] predicted;
  static float[][] probabilities;

  static final int N = 25;

  @BeforeAll
  static void checkpointAndImages() throws Exception {
    model = tmp.resolve("mlp");
    images = Files.write(tmp.resolve("images.idx.gz"),
        TestData.gzip(TestData.idxImages(0x803, N, 28, 28, TestData.pattern(N * 28 * 28, 3))));
    try (Network net = Network.create(new ModelSpec("mlp", 1, 28, 28, 10, 8), 5)) {
      Checkpoints.save(net, model, Json.MAPPER.readTree("{\"experiment\": {\"dataset\": \"fashion-mnist\"}}"));
      IdxImages idx = IdxReader.readImages(images);
      Dataset data = new Dataset("x", 1, 28, 28, idx.pixels(), new int[N], IntStream.range(0, N).toArray(),
          DatasetLoader.FASHION_MNIST_CLASSES);
      float[][] logits = Prediction.logits(net, data);
      predicted = ClassificationMetrics.predictions(logits);
      probabilities = Softmax.probabilities(logits);
    }
  }

  static Path labels(String name, int shift) throws Exception {
    byte[] bytes = new byte[N];
    for (int i = 0; i < N; i++) {
      bytes[i] = (byte) ((predicted[i] + shift) % 10);
    }
    return Files.write(tmp.resolve(name), TestData.idxLabels(0x801, N, bytes));
  }

  @Test
  void jsonReportsAccuracyHistogramAndMeanMaxProbability() throws Exception {
    CliRun.Outcome right = SplitCommandTest.run("eval", "--model", model.toString(), "--images",
        images.toString(), "--labels", labels("right.idx", 0).toString(), "--json");
    assertThat(right.status()).as(right.err()).isZero();
    JsonNode json = Json.MAPPER.readTree(right.out());
    assertThat(json.get("count").asInt()).isEqualTo(N);
    assertThat(json.get("accuracy").asDouble()).isEqualTo(100.0);
    double meanMax = 0;
    for (float[] row : probabilities) {
      float max = 0;
      for (float p : row) {
        max = Math.max(max, p);
      }
      meanMax += max / (double) N;
    }
    assertThat(json.get("mean_max_probability").asDouble()).isCloseTo(meanMax, within(1e-9));
    JsonNode histogram = json.get("predicted");
    assertThat(histogram).hasSize(10);
    for (int c = 0; c < 10; c++) {
      int cls = c;
      assertThat(histogram.get(c).get("name").asText()).isEqualTo(DatasetLoader.FASHION_MNIST_CLASSES.get(c));
      assertThat(histogram.get(c).get("count").asInt()).isEqualTo((int) IntStream.of(predicted).filter(p -> p == cls).count());
    }
    assertThat(json.get("undecided").asInt()).isZero();

    CliRun.Outcome wrong = SplitCommandTest.run("eval", "--model", model.toString(), "--images",
        images.toString(), "--labels", labels("wrong.idx", 1).toString(), "--json");
    assertThat(Json.MAPPER.readTree(wrong.out()).get("accuracy").asDouble()).isEqualTo(0.0);
  }

  @Test
  void textNamesTheClassesAndOmitsAccuracyWithoutLabels() throws Exception {
    Path raw = Files.write(tmp.resolve("images.idx"), TestData.idxImages(0x803, N, 28, 28, TestData.pattern(N * 28 * 28, 3)));
    CliRun.Outcome o = SplitCommandTest.run("eval", "--model", model.toString(), "--images", raw.toString());
    assertThat(o.status()).as(o.err()).isZero();
    assertThat(o.out()).contains(N + " images").contains("mean max-softmax probability")
        .contains("Ankle boot").contains("T-shirt/top").doesNotContain("accuracy");
  }
}
