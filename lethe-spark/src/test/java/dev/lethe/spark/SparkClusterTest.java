package dev.lethe.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.bench.Recipe;
import dev.lethe.cli.Main;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.SplitConfig;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.Ensemble.Member;
import dev.lethe.experiment.EnsembleExecutor.Finished;
import dev.lethe.experiment.EnsembleJob;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.Success$;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * lethe-spark on a Spark {@code local-cluster[2,1,1024]}: a master and two workers in this JVM, each starting one
 * executor JVM of one core, so members and cells run in JVMs of their own as on a cluster. A tiny grid (an mlp on
 * 100 Fashion-MNIST images, 2 epochs) writes through Spark the artifacts and rows that {@code lethe bench --threads
 * 1} writes in a JVM of one thread (with {@code --workers 2} for the ensemble), each resumes the other's grid, and
 * a task repeated or retried after its executor was killed computes its member once, bit for bit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES) // a cluster whose executors cannot start waits for them forever
class SparkClusterTest {
  private static final TrainConfig TRAINING = new TrainConfig(2, 32, 0.05, 0.9, 5e-4, LrSchedule.COSINE);

  /** The tiny grid's flags, without --audit, --store and --out. */
  private static final List<String> GRID = List.of("bench", "--methods", "original,ft", "--param", "ft.epochs=1",
      "--forget", "random:20", "--model", "mlp", "--width", "16", "--train-size", "100", "--val-size", "30",
      "--test-size", "50", "--epochs", "2", "--batch-size", "32", "--seed", "1");

  /** The tiny grid with the strong audit. */
  private static final List<String> BENCH = Stream.concat(GRID.stream(), Stream.of("--audit", "strong", "--ensemble",
      "6")).toList();

  /** The metrics that are wall-clock times (seconds, and RTE, their ratio to RT's): all others must be equal. */
  private static final String TIMING = "seconds|rte";

  /** The files of a stored model that must be the same bytes (its metadata holds timings). */
  private static final List<String> CONTENT = List.of("model.params", "outputs/pool.npy", "outputs/validation.npy",
      "outputs/test.npy");

  private static JavaSparkContext sc;
  private static final AtomicInteger failedTasks = new AtomicInteger();

  @TempDir Path tmp;

  @BeforeAll
  static void cluster() throws IOException {
    // the executors' class path is this JVM's, so the Spark home they start from needs only an (empty) jars/
    Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
    SparkConf conf = SparkSettings.forLethe(new SparkConf().setMaster("local-cluster[2,1,1024]")
        .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .set("spark.ui.enabled", "false"));
    sc = new JavaSparkContext(conf);
    sc.sc().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.reason() != Success$.MODULE$) {
          failedTasks.incrementAndGet();
        }
      }
    });
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @Test
  @Order(1)
  void benchOnSparkWritesTheArtifactsAndRowsOfALocalOneThreadRunAndARerunStartsNoSparkJob() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    Supplier<JavaSparkContext> context = () -> {
      asked.incrementAndGet();
      return sc;
    };
    Path sparkStore = tmp.resolve("spark-store");
    assertThat(run(context, BENCH, sparkStore, tmp.resolve("spark-out"))).isEqualTo(0);
    assertThat(asked).hasValue(2); // once for the ensemble's members, once for the cells
    Path workerStore = tmp.resolve("workers-store");
    local(BENCH, workerStore, tmp.resolve("workers-out"), "--workers", "2");

    // 24 members (6 shadow originals, ft twins, retrains, second retrains), the scenario's original, RT, second
    // RT and ft's unlearned model, all computed with one thread: the same keys, the same bytes
    List<String> stored = listing(sparkStore);
    assertThat(stored).hasSize(28).isEqualTo(listing(workerStore));
    assertThat(stored.stream().filter(d -> memberThreads(sparkStore.resolve(d)) == 1)).hasSize(28);
    assertSameContent(sparkStore, workerStore, stored);
    Map<String, JsonNode> spark = metricsByCell(tmp.resolve("spark-out"));
    assertThat(spark).hasSize(4).isEqualTo(metricsByCell(tmp.resolve("workers-out")));
    assertThat(spark.values()).allSatisfy(m -> assertThat(m.get("ensemble_size").asDouble()).isEqualTo(6.0));

    // a rerun into another --out computes its cells from the stored models and members: the same rows again
    int before = asked.get();
    assertThat(run(context, BENCH, sparkStore, tmp.resolve("spark-out-2"))).isEqualTo(0);
    assertThat(listing(sparkStore)).isEqualTo(stored);
    assertThat(metricsByCell(tmp.resolve("spark-out-2"))).isEqualTo(spark);
    // and one into a finished --out finds every cell committed and never asks for the context
    assertThat(run(context, BENCH, sparkStore, tmp.resolve("spark-out-2"))).isEqualTo(0);
    assertThat(asked.get()).isEqualTo(before + 1);
  }

  @Test
  @Order(4)
  void gridCellsOnSparkAreTheRowsAndOutputsOfALocalOneThreadRunAndEachResumesTheOther() throws Exception {
    // two deletion requests: each request's cells are one Spark job's tasks, the second served on the first's models
    List<String> grid = Stream.concat(GRID.stream(), Stream.of("--requests", "2")).toList();
    Path store = tmp.resolve("store");
    Path sparkOut = tmp.resolve("spark-out");
    Path localOut = tmp.resolve("local-out");
    AtomicInteger asked = new AtomicInteger();
    Supplier<JavaSparkContext> context = () -> {
      asked.incrementAndGet();
      return sc;
    };
    assertThat(run(context, grid, store, sparkOut)).isEqualTo(0);
    local(grid, tmp.resolve("local-store"), localOut);

    // 2 requests x (retrain, retrain-2, original, ft): the same cells, the same metrics, the same per-example outputs
    Map<String, JsonNode> spark = metricsByCell(sparkOut);
    assertThat(spark).hasSize(8).isEqualTo(metricsByCell(localOut));
    assertThat(listing(store)).isEqualTo(listing(tmp.resolve("local-store")));
    List<String> outputs = files(localOut.resolve("outputs"));
    assertThat(outputs).isNotEmpty().isEqualTo(files(sparkOut.resolve("outputs")));
    for (String f : outputs.stream().filter(f -> f.endsWith(".npy")).toList()) {
      assertThat(Files.readAllBytes(sparkOut.resolve("outputs").resolve(f))).as(f)
          .isEqualTo(Files.readAllBytes(localOut.resolve("outputs").resolve(f)));
    }

    // a local one-thread run into Spark's --out computes nothing, and Spark into the local run's --out neither
    String sparkRows = Files.readString(sparkOut.resolve("results.jsonl"));
    local(grid, store, sparkOut);
    assertThat(Files.readString(sparkOut.resolve("results.jsonl"))).isEqualTo(sparkRows);
    String localRows = Files.readString(localOut.resolve("results.jsonl"));
    assertThat(run(context, grid, tmp.resolve("local-store"), localOut)).isEqualTo(0);
    assertThat(Files.readString(localOut.resolve("results.jsonl"))).isEqualTo(localRows);
    assertThat(asked).hasValue(2); // once per request of the first run; never in the resumed one
  }

  @Test
  @Order(5)
  void aWorstCaseGridFromADriverOfTwoThreadsSearchesItsSetInATaskAndIsTheGridOfALocalOneThreadRun()
      throws Exception {
    // issue #11: the search trains the original, which this driver (two threads) may not train as a one-thread model
    List<String> grid = GRID.stream().map(a -> a.equals("random:20") ? "worst:20" : a).toList();
    Path store = tmp.resolve("store");
    AtomicInteger asked = new AtomicInteger();
    assertThat(run(() -> {
      asked.incrementAndGet();
      return sc;
    }, grid, store, tmp.resolve("spark-out"))).isEqualTo(0);
    assertThat(asked).hasValue(2); // once for the search, once for the cells
    Path localStore = tmp.resolve("local-store");
    local(grid, localStore, tmp.resolve("local-out"));
    // the original, RT, the second RT, the unlearned model and the id file of the same set: the same cells, the
    // same metrics
    assertThat(listing(store)).hasSize(5).isEqualTo(listing(localStore));
    assertThat(metricsByCell(tmp.resolve("spark-out"))).hasSize(4).isEqualTo(metricsByCell(tmp.resolve("local-out")));
  }

  @Test
  @Order(6)
  void tuneOnSparkWritesTheRowsAndRecipeOfALocalOneThreadTuneAndARerunStartsNoSparkJob() throws Exception {
    Path sparkRecipes = tmp.resolve("spark-recipes");
    Path localRecipes = tmp.resolve("local-recipes");
    List<String> tune = List.of("tune", "--methods", "ft", "--grid", "ft.lr=0.01,0.1", "--grid", "ft.epochs=1",
        "--tuning-seeds", "2", "--forget", "random:20", "--model", "mlp", "--width", "16", "--train-size", "100",
        "--val-size", "30", "--test-size", "50", "--epochs", "2", "--batch-size", "32");
    AtomicInteger asked = new AtomicInteger();
    Supplier<JavaSparkContext> context = () -> {
      asked.incrementAndGet();
      return sc;
    };
    List<String> onSpark = Stream.concat(tune.stream(), Stream.of("--recipes", sparkRecipes.toString())).toList();
    assertThat(run(context, onSpark, tmp.resolve("store"), tmp.resolve("spark-out"))).isEqualTo(0);
    local(Stream.concat(tune.stream(), Stream.of("--recipes", localRecipes.toString())).toList(),
        tmp.resolve("local-store"), tmp.resolve("local-out"));

    // 2 tuning seeds x (retrain, original, 2 points of ft): the same cells, the same metrics, the same winner
    Map<String, JsonNode> spark = metricsByCell(tmp.resolve("spark-out"), "tuning.jsonl");
    assertThat(spark).hasSize(8).isEqualTo(metricsByCell(tmp.resolve("local-out"), "tuning.jsonl"));
    assertThat(listing(tmp.resolve("store"))).hasSize(4).isEqualTo(listing(tmp.resolve("local-store")));
    JsonNode sparkWinner = Json.MAPPER.readTree(Recipe.fileFor(sparkRecipes, "fashion-mnist", "mlp", "random:20")
        .toFile()).get("winners").get("ft");
    JsonNode localWinner = Json.MAPPER.readTree(Recipe.fileFor(localRecipes, "fashion-mnist", "mlp", "random:20")
        .toFile()).get("winners").get("ft");
    assertThat(sparkWinner.get("params")).isEqualTo(localWinner.get("params"));
    assertThat(sparkWinner.get("avg_gap_per_seed")).isEqualTo(localWinner.get("avg_gap_per_seed"));

    String rows = Files.readString(tmp.resolve("spark-out").resolve("tuning.jsonl"));
    assertThat(run(context, onSpark, tmp.resolve("store"), tmp.resolve("spark-out"))).isEqualTo(0);
    assertThat(Files.readString(tmp.resolve("spark-out").resolve("tuning.jsonl"))).isEqualTo(rows);
    assertThat(asked).hasValue(1); // the first run's one scenario; never in the rerun
  }

  @Test
  @Order(2)
  void aMemberWhoseTasksFailEndsTheRunWithOneLineNamingItAndWritesNothing() throws IOException {
    Path data = Files.createDirectories(tmp.resolve("fashion-mnist"));
    try (Stream<Path> files = Files.list(Path.of("/usr/share/datasets/fashion-mnist"))) {
      for (Path f : files.toList()) {
        Files.copy(f, data.resolve(f.getFileName()));
      }
    }
    Path store = tmp.resolve("store");
    Experiment e = new Experiment("fashion-mnist", data, "mlp", 16, new SplitConfig(100, 30, 50, 0), TRAINING,
        new ArtifactStore(store)).trainedWith(1);
    Ensemble ensemble = new Ensemble(e, e.task(ForgetSpec.parse("random:20"), 7), 2, 11);
    Files.move(data, tmp.resolve("elsewhere")); // the executors load the data by its path, and find nothing
    assertThatThrownBy(() -> new SparkEnsembleExecutor(() -> sc).compute(ensemble,
        List.of(Member.of(Member.ORIGINAL, 0)), line -> {}))
        .isInstanceOf(LetheException.class)
        .hasMessageStartingWith("a Spark task failed while computing the ensemble's members: shadow 0 original: "
            + "Fashion-MNIST directory " + data + " not found; install Debian's dataset-fashion-mnist package")
        .hasMessageEndingWith("; the members finished are stored, rerun to compute the rest")
        .hasMessageNotContaining("\n");
    assertThat(listing(store)).isEmpty();
  }

  @Test
  @Order(3)
  void aRepeatedTaskComputesItsMemberOnceAndAKilledExecutorsTaskIsRetriedToTheSameBytes() throws Exception {
    Path reference = tmp.resolve("reference");
    Ensemble clean = ensemble(reference);
    List<Member> all = clean.members(false, List.of());
    List<Finished> finished = new SparkEnsembleExecutor(() -> sc).compute(clean, all, line -> {});
    assertThat(finished).extracting(Finished::member).containsExactlyInAnyOrderElementsOf(all);
    assertThat(finished).allMatch(Finished::computed);
    assertThat(finished).extracting(Finished::worker).containsOnly(0, 1);

    // every member twice in one job, as speculative attempts would run it: one attempt computes, the other waits
    // for the artifact's lock and finds it stored
    Path twice = tmp.resolve("twice");
    List<String> lines = new ArrayList<>();
    for (Member m : all) {
      lines.add(EnsembleJob.line(m));
      lines.add(EnsembleJob.line(m));
    }
    Ensemble repeated = ensemble(twice);
    List<Finished> answers = sc.parallelize(lines, lines.size()).map(new LetheTask(LetheTask.Kind.ENSEMBLE, EnsembleJob.of(repeated))).collect()
        .stream().map(d -> EnsembleJob.finished(repeated, d.answer(), Integer.parseInt(d.executor()))).toList();
    Map<Member, Long> computedTimes = answers.stream().filter(Finished::computed)
        .collect(Collectors.groupingBy(Finished::member, Collectors.counting()));
    assertThat(computedTimes).containsOnlyKeys(all).allSatisfy((m, times) -> assertThat(times).isEqualTo(1L));
    assertSameMembers(twice, reference);

    // an executor killed while it computes: Spark retries its task elsewhere, and the retry finds the member stored
    // or computes it again from nothing (the dead attempt left only temporary files, which are not members)
    Path killed = tmp.resolve("killed");
    int failedBefore = failedTasks.get();
    CompletableFuture<List<Finished>> run =
        CompletableFuture.supplyAsync(() -> new SparkEnsembleExecutor(() -> sc).compute(ensemble(killed), all, l -> {}));
    // the executor to kill is the one that holds a member's lock now, not merely one that took a lock earlier: an
    // executor whose task has already finished would lose nothing
    ProcessHandle executor = null;
    while (executor == null && !run.isDone()) {
      executor = memberLockHolder(killed).orElse(null);
      Thread.sleep(executor == null ? 2 : 0);
    }
    assertThat(executor).as("an executor holding a member's lock before the job ended").isNotNull();
    executor.destroyForcibly();
    assertThat(run.get()).extracting(Finished::member).containsExactlyInAnyOrderElementsOf(all);
    for (int i = 0; i < 100 && failedTasks.get() == failedBefore; i++) {
      Thread.sleep(100); // task-end events reach the listener asynchronously
    }
    assertThat(failedTasks.get()).as("tasks lost with the killed executor").isGreaterThan(failedBefore);
    assertSameMembers(killed, reference);
  }

  /** Runs {@code grid} with lethe-spark on {@code context}. */
  private static int run(Supplier<JavaSparkContext> context, List<String> grid, Path store, Path out) {
    List<String> args = new ArrayList<>(grid);
    args.addAll(List.of("--store", store.toString(), "--out", out.toString()));
    StringWriter err = new StringWriter();
    int status = SparkLethe.execute(new PrintWriter(err, true), context, args.toArray(String[]::new));
    assertThat(err.toString()).as("error lines").isEmpty();
    return status;
  }

  /**
   * Runs {@code grid} as {@code lethe bench --threads 1} does, in a JVM of one PyTorch thread (this one runs two),
   * and requires it to succeed.
   */
  private static void local(List<String> grid, Path store, Path out, String... more) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx2g",
        "-XX:MaxDirectMemorySize=64m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
        "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(grid);
    cmd.addAll(List.of("--threads", "1", "--store", store.toString(), "--out", out.toString()));
    cmd.addAll(List.of(more));
    Path log = Files.createTempFile(store.getParent(), "local", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor()).as(Files.readString(log)).isEqualTo(0);
  }

  /** An ensemble of 2 shadows of the tiny grid's experiment, in {@code store}, keyed by one thread. */
  private static Ensemble ensemble(Path store) {
    Experiment e = new Experiment("fashion-mnist", null, "mlp", 16, new SplitConfig(100, 30, 50, 0), TRAINING,
        new ArtifactStore(store)).trainedWith(1);
    return new Ensemble(e, e.task(ForgetSpec.parse("random:20"), 7), 2, 11);
  }

  private static void assertSameMembers(Path store, Path reference) throws IOException {
    assertThat(listing(store)).isEqualTo(listing(reference)).hasSize(4);
    assertSameContent(store, reference, listing(reference));
  }

  /** The models {@code dirs} of {@code store} are those of {@code reference}: the same files, the same bytes. */
  private static void assertSameContent(Path store, Path reference, List<String> dirs) throws IOException {
    for (String dir : dirs) {
      for (String file : CONTENT) {
        Path theirs = reference.resolve(dir).resolve(file);
        Path ours = store.resolve(dir).resolve(file);
        assertThat(Files.exists(ours)).as(dir + "/" + file).isEqualTo(Files.exists(theirs));
        if (Files.exists(theirs)) {
          assertThat(Files.readAllBytes(ours)).as(dir + "/" + file).isEqualTo(Files.readAllBytes(theirs));
        }
      }
    }
  }

  /**
   * The executor JVM that holds a member lock of {@code store} ({@link Ensemble#compute}) at this moment, if one
   * does: the lock files' inodes looked up among the POSIX locks the kernel lists in /proc/locks, with their owners.
   */
  private static Optional<ProcessHandle> memberLockHolder(Path store) throws IOException {
    if (!Files.isDirectory(store)) {
      return Optional.empty();
    }
    Set<Long> inodes;
    try (Stream<Path> files = Files.list(store)) {
      inodes = files.filter(f -> f.getFileName().toString().endsWith(Ensemble.MEMBER_LOCK + ".lock"))
          .map(f -> {
            try {
              return ((Number) Files.getAttribute(f, "unix:ino")).longValue();
            } catch (IOException e) {
              return -1L;
            }
          }).collect(Collectors.toSet());
    }
    // "1: POSIX  ADVISORY  WRITE 4242 fd:01:393219 0 EOF"; a waiter's line has "->" before POSIX
    for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 6 && f[1].equals("POSIX")
          && inodes.contains(Long.parseLong(f[5].substring(f[5].lastIndexOf(':') + 1)))) {
        Optional<ProcessHandle> holder = ProcessHandle.of(Long.parseLong(f[4]));
        if (holder.isPresent() && isExecutor(holder.get())) {
          return holder;
        }
      }
    }
    return Optional.empty();
  }

  /** True for an executor JVM this JVM's local-cluster workers started (its long command line read from /proc). */
  private static boolean isExecutor(ProcessHandle process) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"))
          .contains("CoarseGrainedExecutorBackend");
    } catch (IOException e) {
      return false; // it has exited
    }
  }

  /** The thread count a stored model's key names. */
  private static int memberThreads(Path dir) {
    JsonNode key = dev.lethe.model.Checkpoints.metadata(dir).path("key");
    return key.has("threads") ? key.get("threads").asInt() : key.path("experiment").path("threads").asInt();
  }

  /** Each row's metrics but its timings ({@link #TIMING}), by cell key. */
  private static Map<String, JsonNode> metricsByCell(Path out) throws IOException {
    return metricsByCell(out, "results.jsonl");
  }

  /** As {@link #metricsByCell(Path)}, the rows of {@code file} in {@code out} ({@code tuning.jsonl}). */
  private static Map<String, JsonNode> metricsByCell(Path out, String file) throws IOException {
    Map<String, JsonNode> byCell = new TreeMap<>();
    for (String line : Files.readAllLines(out.resolve(file))) {
      JsonNode row = Json.MAPPER.readTree(line);
      var metrics = Json.MAPPER.createObjectNode();
      row.get("metrics").fields().forEachRemaining(f -> {
        if (!f.getKey().matches(TIMING)) {
          metrics.set(f.getKey(), f.getValue());
        }
      });
      byCell.put(row.get("cell_key").asText(), metrics);
    }
    return byCell;
  }

  /** The files under {@code dir}, as paths relative to it, sorted. */
  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList();
    }
  }

  /** The artifacts in a store (their names are content keys), sorted. */
  private static List<String> listing(Path store) throws IOException {
    if (!Files.isDirectory(store)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(store)) {
      return dirs.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }
}
