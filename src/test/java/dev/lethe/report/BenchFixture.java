package dev.lethe.report;

import dev.lethe.bench.BenchConfig;
import dev.lethe.bench.BenchmarkRunner;
import dev.lethe.bench.Tuner;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.TestData;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A real, tiny benchmark output for the report tests, made once per test JVM by the real writers: {@code lethe
 * tune} (ft over two learning rates on one tuning seed, random:0.2), whose recipe the benchmark then runs with,
 * and {@code lethe bench} (original, ft and ga on two seeds, random:0.2 and class:Dress) on a synthetic 28×28
 * Fashion-MNIST of 120 images and a width-8 MLP trained for two epochs (batch 16, lr 0.05, the other training
 * flags at their defaults). Its numbers mean nothing; its files
 * are exactly what the benchmark writes, so the fixture cannot go stale.
 *
 * @param results the bench output directory (results.jsonl, summary.md)
 * @param tuning the tune output directory (tuning.jsonl)
 * @param recipes the recipes directory tune wrote and bench read
 * @param data the synthetic Fashion-MNIST directory
 * @param store the artifact store holding the runs' trained models
 */
public record BenchFixture(Path results, Path tuning, Path recipes, Path data, Path store) {
  /** The scenarios of the fixture's bench run. */
  public static final List<String> SCENARIOS = List.of("fashion-mnist/mlp/random:0.2", "fashion-mnist/mlp/class:Dress");

  /** The methods of the fixture's bench run, besides RT and the second retrain. */
  public static final List<String> METHODS = List.of("original", "ft", "ga");

  private static BenchFixture made;

  /** The fixture, made on first use. */
  public static synchronized BenchFixture get() {
    if (made == null) {
      try {
        made = make(Files.createTempDirectory("lethe-report-fixture"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return made;
  }

  private static BenchFixture make(Path root) throws IOException {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
    Path data = TestData.tinyFashionMnist(root.resolve("data"), 120, 60);
    SplitConfig split = new SplitConfig(80, 20, 40, 0);
    TrainConfig training = new TrainConfig(2, 16, 0.05, 0.9, 5e-4, LrSchedule.COSINE);
    Path store = root.resolve("store");
    Path recipes = root.resolve("recipes");
    Path tuning = root.resolve("tune");
    Path results = root.resolve("bench");
    new Tuner(new BenchConfig("fashion-mnist", data, "mlp", 8, split, training, List.of("random:0.2"), List.of("ft"),
        List.of(1000L), Map.of(), store, tuning, recipes), List.of("ft.lr=0.01,0.1"), 64, false).run();
    new BenchmarkRunner(new BenchConfig("fashion-mnist", data, "mlp", 8, split, training,
        List.of("random:0.2", "class:Dress"), METHODS, List.of(1L, 2L), Map.of(), store, results, recipes)).run();
    return new BenchFixture(results, tuning, recipes, data, store);
  }

  private static void delete(Path root) {
    try (var files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory; the system cleans it
    }
  }
}
