package dev.lethe.bench;

import dev.lethe.data.Dataset;
import dev.lethe.model.Architecture;
import dev.lethe.model.Network;
import dev.lethe.train.BatchStream;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import java.util.Arrays;

/**
 * Measures training and inference throughput (images per second) of an architecture on real data: one
 * warm-up repeat, then the median over timed repeats, run back to back in one process so the ratio is
 * meaningful on a noisy machine; plus the resident memory at the end. A clipped config ({@code --clip})
 * times the clipping too, its start and final pass included in every repeat; an augmented one
 * ({@code --augment}) times the augmentation of every training batch (inference stays clean).
 */
public final class Throughput {
  private Throughput() {}

  /** Medians and the resident set size after the runs. */
  public record Result(double trainImagesPerSecond, double inferImagesPerSecond, long residentMiB,
      int repeats, int trainStepsPerRepeat, int batchSize) {}

  /** Times {@code repeats} training runs of {@code steps} steps and inference passes over {@code data}. */
  public static Result measure(Architecture architecture, Dataset data, TrainConfig config, int repeats, int steps, long seed) {
    double[] train = new double[repeats];
    double[] infer = new double[repeats];
    try (Network net = Network.create(architecture, seed)) {
      BatchStream batches = new BatchStream(data, config.batchSize(), seed, true, config.augment());
      Schedule schedule = schedule(batches, config, steps, config.batchSize());
      for (int r = -1; r < repeats; r++) {
        long start = System.nanoTime();
        Training.run(net, batches, schedule, config, seed, "throughput", Progress.silent());
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        Prediction.logits(net, data);
        double inferSeconds = (System.nanoTime() - start) / 1e9;
        if (r >= 0) {
          train[r] = steps * (double) config.batchSize() / trainSeconds;
          infer[r] = data.size() / inferSeconds;
        }
      }
    }
    return new Result(median(train), median(infer), Progress.residentMiB(), repeats, steps, config.batchSize());
  }

  /** {@code steps} steps at the config's rate, held constant, over {@code batches}; for timing only. */
  static Schedule schedule(BatchStream batches, TrainConfig config, int steps, int imagesPerStep) {
    return new Schedule(steps, batches.batchesPerEpoch(), imagesPerStep, config.lr(), LrSchedule.CONSTANT);
  }

  /** The median of {@code values} (the mean of the middle two for an even count). */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
