package dev.lethe.unlearn.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Batches;
import dev.lethe.train.Losses;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.train.SgdOptimizer;
import dev.lethe.train.Training;
import java.util.SplittableRandom;

/**
 * The random-label fine-tuning loop of RL (Golatkar et al., CVPR 2020, as coded by Fan et al., SalUn, ICLR
 * 2024), which SalUn runs under its saliency mask: passes over the forget set with fresh uniform random
 * labels, interleaved with passes over the retain set with true labels.
 */
public final class RandomLabelLoop {
  private RandomLabelLoop() {}

  /**
   * The RL loop: {@code epochs} times one pass over D_f with fresh uniform random
   * labels, then (if {@code useRetain}) one pass over D_r with true labels, stepping {@code sgd} (which
   * may carry a mask); both streams augmented by {@code augmentation}.
   */
  public static void run(Network net, SgdOptimizer sgd, ForgetTask task, long seed, int epochs,
      int batchSize, double lr, LrSchedule lrSchedule, boolean useRetain, Augmentation augmentation, String what,
      Progress progress) {
    SplittableRandom random = new SplittableRandom(seed);
    BatchStream forget = new BatchStream(task.forget(), batchSize, random.nextLong(), true, augmentation);
    BatchStream retain = new BatchStream(task.retain(), batchSize, random.nextLong(), true, augmentation);
    int forgetSteps = forget.batchesPerEpoch();
    int cycle = forgetSteps + (useRetain ? retain.batchesPerEpoch() : 0);
    Schedule schedule = new Schedule(epochs * cycle, cycle, batchSize, lr, lrSchedule);
    Optimization.run(
        net, sgd, schedule,
        (step, t) ->
            t % cycle < forgetSteps
                ? randomLabelStep(net, step, forget, random)
                : Training.crossEntropyStep(net, step, retain, true),
        what, progress);
  }

  private static NDArray randomLabelStep(
      Network net, NDManager step, BatchStream forget, SplittableRandom random) {
    int[] rows = forget.next();
    int classes = forget.data().numClasses();
    int[] labels = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      labels[i] = random.nextInt(classes);
    }
    return Losses.crossEntropy(net.forward(forget.images(step, rows), true), Batches.labels(step, labels));
  }
}
