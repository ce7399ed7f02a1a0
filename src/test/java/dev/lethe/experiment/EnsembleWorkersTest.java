package dev.lethe.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.TestData;
import dev.lethe.experiment.Ensemble.Member;
import dev.lethe.experiment.EnsembleExecutor.Finished;
import dev.lethe.model.Checkpoints;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.Unlearner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EnsembleWorkers} on a tiny ensemble (6 shadows of an mlp on a 48-image pool of a tiny Fashion-MNIST
 * directory, which the worker processes load by name like the parent).
 */
class EnsembleWorkersTest {
  private static final TrainConfig TRAINING = new TrainConfig(4, 16, 0.05, 0.9, 5e-4, LrSchedule.COSINE);
  private static final String THREADS = "ai.djl.pytorch.num_threads";

  @TempDir Path tmp;
  private Path data;

  @BeforeEach
  void data() throws IOException {
    data = TestData.tinyFashionMnist(tmp.resolve("fashion-mnist"), 80, 16);
  }

  private Experiment experiment(Path store) {
    return new Experiment("fashion-mnist", data, "mlp", 16, new SplitConfig(48, 16, 0, 3), TRAINING,
        new ArtifactStore(store));
  }

  private static Ensemble ensemble(Experiment e) {
    return new Ensemble(e, e.task(ForgetSpec.parse("random:12"), 7), 6, 11);
  }

  private static Unlearner ft() {
    return new MethodRegistry(TRAINING).get("ft").create(Map.of("epochs", "1"));
  }

  @Test
  void twoWorkersStoreBitForBitTheMembersOneThreadComputesInProcessAndTheParentThenOnlyLoads() throws Exception {
    Path inProcess = tmp.resolve("in-process");
    List<Member> all = new ArrayList<>();
    oneThread(() -> {
      // what --workers 1 --threads 1 computes
      Experiment e = experiment(inProcess);
      assertThat(e.threads()).isEqualTo(1);
      Ensemble ensemble = ensemble(e);
      all.addAll(ensemble.members(true, List.of(ft())));
      for (Member m : all) {
        assertThat(ensemble.compute(m, Progress.silent())).as(m.toString()).isTrue();
      }
    });
    assertThat(all).hasSize(24);

    Path byWorkers = tmp.resolve("workers");
    Experiment parent = experiment(byWorkers).trainedWith(1);
    Ensemble ensemble = ensemble(parent);
    List<String> lines = new ArrayList<>();
    List<Finished> finished = EnsembleWorkers.compute(ensemble, all, 2, lines::add);
    assertThat(finished).extracting(Finished::member).containsExactlyInAnyOrderElementsOf(all);
    assertThat(finished).allMatch(Finished::computed);
    assertThat(finished).extracting(Finished::worker).contains(1, 2);
    // a twin starts only after its shadow original finished
    for (int j = 0; j < 6; j++) {
      int shadow = j;
      int original = indexOf(finished, m -> m.role().equals(Member.ORIGINAL) && m.shadow() == shadow);
      int twin = indexOf(finished, m -> m.role().equals(Member.TWIN) && m.shadow() == shadow);
      assertThat(original).isLessThan(twin);
    }
    assertThat(lines).hasSize(25);
    assertThat(lines.get(0)).isEqualTo("computing 24 ensemble member(s) in 2 worker process(es) of one thread");
    assertThat(lines.get(1)).matches("worker [12] computed shadow \\d original in \\d+\\.\\d s \\(1 of 24\\)");

    assertThat(listing(byWorkers)).isEqualTo(listing(inProcess)).hasSize(24);
    for (String dir : listing(inProcess)) {
      for (String file : List.of("model.params", "outputs/pool.npy", "outputs/validation.npy", "outputs/test.npy")) {
        assertThat(Files.readAllBytes(byWorkers.resolve(dir).resolve(file))).as(dir + "/" + file)
            .isEqualTo(Files.readAllBytes(inProcess.resolve(dir).resolve(file)));
      }
    }
    ensemble.originals(Progress.silent());
    ensemble.retrains(Progress.silent());
    ensemble.secondRetrains(Progress.silent());
    ensemble.twins(ft(), Progress.silent());
    assertThat(parent.store().computations()).isZero();
    assertThat(EnsembleWorkers.compute(ensemble, all, 2, lines::add)).isEmpty();

    // a warm rerun (bench --audit strong --workers 2 over a full store) loads each member once: to check it is
    // stored whole, which keeps what the audits then read
    Experiment warm = experiment(byWorkers).trainedWith(1);
    Ensemble again = ensemble(warm);
    assertThat(EnsembleWorkers.compute(again, all, 2, lines::add)).isEmpty();
    again.originals(Progress.silent());
    again.retrains(Progress.silent());
    again.secondRetrains(Progress.silent());
    again.twins(ft(), Progress.silent());
    assertThat(warm.store().loads()).isEqualTo(24);
    assertThat(warm.store().computations()).isZero();
  }

  @Test
  void aKilledWorkerLosesOnlyItsOwnMemberAndARerunComputesExactlyTheMissingOnes() throws Exception {
    Path store = tmp.resolve("store");
    Ensemble first = ensemble(experiment(store).trainedWith(1));
    List<Member> all = first.members(false, List.of());
    oneThread(() -> {
      Ensemble here = ensemble(experiment(store));
      for (Member m : all.subList(0, 3)) {
        here.compute(m, Progress.silent());
      }
    });

    List<String> lines = new ArrayList<>();
    assertThatThrownBy(() -> EnsembleWorkers.compute(first, all, 2, line -> {
      lines.add(line);
      if (line.contains(" computed ") && lines.size() == 2) {
        ProcessHandle.current().children().findFirst().orElseThrow().destroyForcibly();
      }
    })).isInstanceOf(LetheException.class)
        .hasMessageMatching("ensemble worker [12] (was killed \\(signal 9\\)|its input closed.*) while computing "
            + "shadow \\d (original|retrain): .*; the members finished are stored, rerun to compute the rest")
        .hasMessageNotContaining("\n");
    // the members of the first run were not computed again, and nothing is half-written
    assertThat(String.join("\n", lines)).doesNotContain("shadow 0 original in", "shadow 1 original in",
        "shadow 2 original in");
    for (String dir : listing(store)) {
      assertThat(Checkpoints.exists(store.resolve(dir))).as(dir).isTrue();
    }

    Ensemble rerun = ensemble(experiment(store).trainedWith(1));
    Set<Member> missing = new HashSet<>();
    for (Member m : all) {
      if (!rerun.stored(m)) {
        missing.add(m);
      }
    }
    assertThat(missing).isNotEmpty().doesNotContainAnyElementsOf(all.subList(0, 3));
    List<Finished> rest = EnsembleWorkers.compute(rerun, all, 1, line -> {});
    assertThat(rest).extracting(Finished::member).containsExactlyInAnyOrderElementsOf(missing);
    assertThat(rest).allMatch(Finished::computed);
    assertThat(all).allMatch(rerun::stored);
  }

  @Test
  void aFailingWorkerFailsTheRunWithOneLineNamingTheMemberAndItsLastStderrLine() throws Exception {
    Path store = tmp.resolve("store");
    Ensemble ensemble = ensemble(experiment(store).trainedWith(1));
    List<Member> two = ensemble.members(false, List.of()).subList(0, 2);
    Path moved = Files.move(data, tmp.resolve("elsewhere"));
    assertThatThrownBy(() -> EnsembleWorkers.compute(ensemble, two, 1, line -> {}))
        .isInstanceOf(LetheException.class)
        .hasMessageStartingWith("ensemble worker 1 exited with status 2 while computing shadow 0 original: lethe: ")
        .hasMessageContaining(data.toString())
        .hasMessageNotContaining("\n");
    assertThat(listing(store)).isEmpty();
    Files.move(moved, data);
    assertThat(EnsembleWorkers.compute(ensemble, two, 1, line -> {})).extracting(Finished::member)
        .containsExactlyElementsOf(two);
  }

  @Test
  void anEnsembleKeyedForOneThreadIsNotTrainedInAProcessOfTwo() {
    Experiment e = experiment(tmp.resolve("store"));
    assertThat(e.threads()).isEqualTo(2);
    Ensemble ensemble = ensemble(e.trainedWith(1));
    assertThatThrownBy(() -> ensemble.originals(Progress.silent())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("keyed as trained with 1 intra-op thread(s), but this process runs 2");
    assertThatThrownBy(() -> EnsembleWorkers.compute(ensemble(e), List.of(), 2, line -> {}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(e.trainedWith(1).fingerprint().get("threads").asInt()).isEqualTo(1);
    assertThat(e.trainedWith(2)).isSameAs(e);
  }

  /** Runs {@code work} with this JVM as a process of one PyTorch thread, as a worker is. */
  private static void oneThread(Runnable work) {
    Engine.getInstance();
    String threads = System.getProperty(THREADS);
    int engineThreads = JniUtils.getNumThreads();
    try {
      System.setProperty(THREADS, "1");
      JniUtils.setNumThreads(1);
      work.run();
    } finally {
      if (threads == null) {
        System.clearProperty(THREADS);
      } else {
        System.setProperty(THREADS, threads);
      }
      JniUtils.setNumThreads(engineThreads);
    }
  }

  private static int indexOf(List<Finished> finished, java.util.function.Predicate<Member> which) {
    for (int i = 0; i < finished.size(); i++) {
      if (which.test(finished.get(i).member())) {
        return i;
      }
    }
    throw new AssertionError("not finished");
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
