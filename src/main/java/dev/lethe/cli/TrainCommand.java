package dev.lethe.cli;

import dev.lethe.audit.ClassificationMetrics;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lethe train}: trains (or loads from the store) the original model and saves it. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train the original model on the training pool (cached in the store) and save a checkpoint.")
public final class TrainCommand implements Callable<Integer> {
  @Mixin ExperimentOptions experiment;

  @Option(names = "--seed", defaultValue = "1", description = "Initialisation and shuffle seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--save", defaultValue = "lethe-out/original",
      description = "Checkpoint directory to write (default: ${DEFAULT-VALUE}).")
  Path save;

  @Option(names = "--threads", description = "PyTorch intra-op threads (default: all cores).")
  Integer threads;

  @Override
  public Integer call() {
    Threads.apply(threads);
    Experiment exp = experiment.experiment();
    ArtifactStore.Artifact artifact = exp.original(seed, Progress.stderr("train"));
    try (Network net = artifact.network()) {
      double trainAcc = ClassificationMetrics.accuracyPercent(
          Prediction.logits(net, exp.splits().pool()), exp.splits().pool().labels());
      double testAcc = ClassificationMetrics.accuracyPercent(
          Prediction.logits(net, exp.splits().test()), exp.splits().test().labels());
      Checkpoints.save(net, save, artifact.metadata());
      System.out.printf(Locale.ROOT,
          "original %s on %s: train accuracy %.2f%%, test accuracy %.2f%%, trained in %.1fs%s%nsaved to %s%n",
          exp.architecture().name(), experiment.dataset, trainAcc, testAcc,
          artifact.metadata().path("train_seconds").asDouble(), artifact.reused() ? " (from the store)" : "",
          save);
    }
    return 0;
  }
}
