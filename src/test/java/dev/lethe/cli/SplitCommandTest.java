package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.data.DatasetLoader;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.IdFile;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.Splits;
import dev.lethe.data.TestData;
import dev.lethe.data.TrainTest;
import dev.lethe.model.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lethe split} writes the exact splits, and {@code --pool-ids}/{@code --val-ids}/{@code --test-ids} replay them. */
class SplitCommandTest {
  @TempDir static Path tmp;
  static Path data;
  static TrainTest files;

  /** The tiny split every test uses: 40 pool, 10 validation and 20 test images of 60 + 30. */
  static final String[] SIZES = {"--train-size", "40", "--val-size", "10", "--test-size", "20"};


  @BeforeAll
  static void tinyData() throws Exception {
    data = TestData.tinyFashionMnist(tmp.resolve("fm"), 60, 30);
    files = DatasetLoader.load("fashion-mnist", data);
  }

  static CliRun.Outcome run(String... args) {
    return CliRun.run(args);
  }

  static String[] args(String... parts) {
    List<String> all = new ArrayList<>(List.of(parts));
    all.addAll(List.of("--data-dir", data.toString()));
    return all.toArray(String[]::new);
  }

  /** The splits that `lethe train ARGS` would train and test on. */
  static Splits splitsOf(String... trainArgs) {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs(args(trainArgs));
    return Splits.of(files, train.experiment.split());
  }

  static int[] readIds(Path file) throws Exception {
    return Files.readAllLines(file).stream().mapToInt(Integer::parseInt).toArray();
  }

  @Test
  void writesTheIdsOfEverySplitAndForgetSetAndDescribesThem() throws Exception {
    Path out = tmp.resolve("split-default");
    CliRun.Outcome o = run(args("split", "--out", out.toString(), "--train-size", "40", "--val-size", "10",
        "--test-size", "20", "--forget", "random:0.25", "--forget", "class:Coat", "--seeds", "2"));
    assertThat(o.status()).as(o.err()).isZero();

    Splits expected = Splits.of(files, new SplitConfig(40, 10, 20, 0));
    assertThat(readIds(out.resolve("pool-ids.txt"))).containsExactly(expected.pool().ids());
    assertThat(readIds(out.resolve("validation-ids.txt"))).containsExactly(expected.validation().ids());
    assertThat(readIds(out.resolve("test-ids.txt"))).containsExactly(expected.test().ids());
    for (long seed : new long[] {1, 2}) {
      int[] forget = ForgetTask.derive(ForgetSpec.parse("random:0.25"), expected, seed).forgetIds();
      assertThat(readIds(out.resolve("forget-random-0.25-seed" + seed + ".txt"))).hasSize(10).containsExactly(forget);
    }
    // class 4 (Coat): pool rows whose id % 10 == 4, labels being row % 10
    int[] coats = Arrays.stream(expected.pool().ids()).filter(id -> id % 10 == 4).toArray();
    assertThat(readIds(out.resolve("forget-class-Coat-seed2.txt"))).containsExactly(coats);

    JsonNode json = Json.MAPPER.readTree(out.resolve("split.json").toFile());
    assertThat(json.get("dataset").asText()).isEqualTo("fashion-mnist");
    assertThat(json.get("split").get("trainSize").asInt()).isEqualTo(40);
    assertThat(json.at("/files/train/content_hash").asText()).isEqualTo(files.train().contentHash());
    assertThat(json.at("/files/test/count").asInt()).isEqualTo(30);
    assertThat(json.at("/splits/pool/content_hash").asText()).isEqualTo(expected.pool().contentHash());
    assertThat(json.at("/splits/pool/ids_sha256").asText()).isEqualTo(IdFile.hashOf(expected.pool().ids()));
    assertThat(json.at("/splits/validation/count").asInt()).isEqualTo(10);
    assertThat(json.at("/splits/test/file").asText()).isEqualTo("test-ids.txt");
    assertThat(json.get("seeds")).hasSize(2);
    assertThat(json.get("forgets")).hasSize(4);
    JsonNode coat = json.get("forgets").get(3);
    assertThat(coat.get("spec").asText()).isEqualTo("class:Coat");
    assertThat(coat.get("seed").asLong()).isEqualTo(2);
    assertThat(coat.get("forget").asInt()).isEqualTo(coats.length);
    assertThat(coat.get("classes").get(0).asInt()).isEqualTo(4);
    assertThat(json.at("/versions/lethe").asText()).isNotEmpty();
    try (var listing = Files.list(out)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("pool-ids.txt",
          "validation-ids.txt", "test-ids.txt", "split.json", "forget-random-0.25-seed1.txt",
          "forget-random-0.25-seed2.txt", "forget-class-Coat-seed1.txt", "forget-class-Coat-seed2.txt");
    }
  }

  @Test
  void exportedIdFilesReplayTheDefaultSplit() throws Exception {
    Path out = tmp.resolve("split-replay");
    assertThat(run(args("split", "--out", out.toString(), SIZES[0], SIZES[1], SIZES[2], SIZES[3], SIZES[4],
        SIZES[5])).status()).isZero();
    Splits drawn = splitsOf(SIZES);
    String pool = out.resolve("pool-ids.txt").toString();
    String test = out.resolve("test-ids.txt").toString();

    Splits poolAndTest = splitsOf("--pool-ids", pool, "--test-ids", test, "--val-size", "10");
    assertThat(poolAndTest.pool().contentHash()).isEqualTo(drawn.pool().contentHash());
    assertThat(poolAndTest.test().contentHash()).isEqualTo(drawn.test().contentHash());
    // the validation split is drawn from the 20 rows outside the pool, not by the default permutation
    assertThat(poolAndTest.validation().size()).isEqualTo(10);
    assertThat(poolAndTest.validation().ids()).doesNotContain(drawn.pool().ids());

    Splits all = splitsOf("--pool-ids", pool, "--val-ids", out.resolve("validation-ids.txt").toString(),
        "--test-ids", test);
    assertThat(all.pool().contentHash()).isEqualTo(drawn.pool().contentHash());
    assertThat(all.validation().contentHash()).isEqualTo(drawn.validation().contentHash());
    assertThat(all.test().contentHash()).isEqualTo(drawn.test().contentHash());
  }

  @Test
  void replayedIdsFindTheModelTrainedOnTheDefaultSplitAndOtherIdsDoNot() throws Exception {
    Path out = tmp.resolve("split-cache");
    assertThat(run(args("split", "--out", out.toString(), SIZES[0], SIZES[1], SIZES[2], SIZES[3], SIZES[4],
        SIZES[5])).status()).isZero();
    String store = tmp.resolve("cache-store").toString();
    String[] tiny = {"--model", "mlp", "--width", "4", "--epochs", "1", "--batch-size", "8", "--store", store};
    List<String> first = new ArrayList<>(List.of("train", "--save", tmp.resolve("cache-a").toString()));
    first.addAll(List.of(SIZES));
    first.addAll(List.of(tiny));
    assertThat(run(args(first.toArray(String[]::new))).out()).doesNotContain("from the store");

    List<String> replay = new ArrayList<>(List.of("train", "--save", tmp.resolve("cache-b").toString(),
        "--pool-ids", out.resolve("pool-ids.txt").toString(), "--val-ids", out.resolve("validation-ids.txt").toString(),
        "--test-ids", out.resolve("test-ids.txt").toString()));
    replay.addAll(List.of(tiny));
    CliRun.Outcome replayed = run(args(replay.toArray(String[]::new)));
    assertThat(replayed.status()).as(replayed.err()).isZero();
    assertThat(replayed.out()).contains("(from the store)");

    Path other = Files.write(tmp.resolve("other-pool.txt"), List.of("0", "1", "2", "3", "4", "5", "6", "7"));
    List<String> different = new ArrayList<>(List.of("train", "--save", tmp.resolve("cache-c").toString(),
        "--pool-ids", other.toString(), "--val-size", "0", "--test-size", "20"));
    different.addAll(List.of(tiny));
    CliRun.Outcome retrained = run(args(different.toArray(String[]::new)));
    assertThat(retrained.status()).as(retrained.err()).isZero();
    assertThat(retrained.out()).doesNotContain("from the store");
  }

  @Test
  void aCheckpointTrainedOnPoolIdsRebuildsItsSplitForForgetAndRefusesAChangedFile() throws Exception {
    Path ids = tmp.resolve("own-pool.txt");
    Files.write(ids, List.of("3", "1", "4", "15", "9", "26", "5", "35", "8", "27", "12", "50"));
    Path model = tmp.resolve("pool-ids-model");
    Path store = tmp.resolve("pool-ids-store");
    CliRun.Outcome trained = run(args("train", "--pool-ids", ids.toString(), "--val-size", "5", "--test-size", "10",
        "--model", "mlp", "--width", "4", "--epochs", "1", "--batch-size", "4", "--store", store.toString(),
        "--save", model.toString()));
    assertThat(trained.status()).as(trained.err()).isZero();

    JsonNode meta = Checkpoints.metadata(model);
    assertThat(meta.at("/experiment/split/poolIds/sha256").asText())
        .isEqualTo(IdFile.hashOf(new int[] {1, 3, 4, 5, 8, 9, 12, 15, 26, 27, 35, 50}));
    Experiment rebuilt = Experiment.fromMetadata(meta, null, null);
    assertThat(rebuilt.splits().pool().ids()).containsExactly(1, 3, 4, 5, 8, 9, 12, 15, 26, 27, 35, 50);
    assertThat(rebuilt.splits().validation().ids()).doesNotContain(rebuilt.splits().pool().ids()).hasSize(5);

    Path unlearned = tmp.resolve("pool-ids-unlearned");
    CliRun.Outcome forget = run("forget", "--model", model.toString(), "--forget", "random:3", "--method", "original",
        "--store", store.toString(), "--save", unlearned.toString());
    assertThat(forget.status()).as(forget.err()).isZero();
    assertThat(forget.out()).contains("(3 forget / 9 retain)");

    Files.write(ids, List.of("3", "1", "4", "15", "9", "26", "5", "35", "8", "27", "12", "51"));
    Path again = tmp.resolve("pool-ids-unlearned-again");
    CliRun.Outcome changed = run("forget", "--model", model.toString(), "--forget", "random:3", "--method", "original",
        "--store", store.toString(), "--save", again.toString());
    assertThat(changed.status()).isEqualTo(2);
    assertThat(changed.err().strip().lines()).hasSize(1);
    assertThat(changed.err()).contains("--pool-ids file " + ids.toAbsolutePath()).contains("has changed");
    assertThat(again).doesNotExist();
  }
}
