package dev.lethe.train;

import dev.lethe.data.Dataset;
import dev.lethe.model.Architecture;
import dev.lethe.model.Network;

/** Trains a network on a dataset with cross-entropy and the config's SGD recipe. */
public final class Training {
  private Training() {}

  /**
   * Trains {@code network} in place on {@code data}; batches are shuffled and augmented
   * ({@code config.augment()}) from {@code seed}. With {@code config.clip() > 0} every conv and linear layer
   * is spectrally clipped ({@link SpectralClip}).
   *
   * @return the loss of the last step
   */
  public static double fit(
      Network network, Dataset data, TrainConfig config, long seed, String what, Progress progress) {
    return fit(network, data, config, seed, what, progress, 0);
  }

  /** As the public {@code fit}, checking the clip every {@code clipSteps} updates (0: the default). */
  static double fit(
      Network network, Dataset data, TrainConfig config, long seed, String what, Progress progress,
      int clipSteps) {
    BatchStream batches = new BatchStream(data, config.batchSize(), seed, true, config.augment());
    Schedule schedule =
        new Schedule(
            config.epochs() * batches.batchesPerEpoch(),
            batches.batchesPerEpoch(),
            Math.min(config.batchSize(), data.size()),
            config.lr(),
            config.schedule());
    return run(network, batches, schedule, config, seed, clipSteps, what, progress);
  }

  /**
   * Runs {@code schedule} of cross-entropy steps on {@code batches} with the config's momentum, weight
   * decay and spectral clipping (its epochs, batch size and rate are the schedule's, its augmentation the
   * stream's).
   *
   * @return the loss of the last step
   */
  public static double run(
      Network network, BatchStream batches, Schedule schedule, TrainConfig config, long seed, String what,
      Progress progress) {
    return run(network, batches, schedule, config, seed, 0, what, progress);
  }

  private static double run(
      Network network, BatchStream batches, Schedule schedule, TrainConfig config, long seed, int clipSteps,
      String what, Progress progress) {
    StepLoss loss = (step, t) -> crossEntropyStep(network, step, batches, true);
    try (SgdOptimizer sgd = new SgdOptimizer(network, config.momentum(), config.weightDecay())) {
      if (config.clip() == 0) {
        return Optimization.run(network, sgd, schedule, loss, what, progress);
      }
      SpectralClip clip = new SpectralClip(network, config.clip(), clipSteps, seed);
      double last = Optimization.run(network, sgd, schedule, loss, what, progress, clip::afterStep);
      clip.finish();
      return last;
    }
  }

  /**
   * A fresh network of {@code architecture} initialised from {@code seed} and trained on {@code data}; closed
   * again if training fails.
   */
  public static Network trainFresh(
      Architecture architecture, Dataset data, TrainConfig config, long seed, String what, Progress progress) {
    Network net = Network.create(architecture, seed);
    try {
      fit(net, data, config, seed, what, progress);
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** Mean cross-entropy of the next batch of {@code batches} (augmented as the stream says) with its true labels. */
  public static ai.djl.ndarray.NDArray crossEntropyStep(
      Network network, ai.djl.ndarray.NDManager step, BatchStream batches, boolean training) {
    int[] rows = batches.next();
    return Losses.crossEntropy(
        network.forward(batches.images(step, rows), training),
        Batches.labels(step, batches.data(), rows));
  }
}
