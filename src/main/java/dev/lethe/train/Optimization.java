package dev.lethe.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lethe.model.Network;
import java.util.function.IntConsumer;

/**
 * The one optimisation loop of Lethe. Each step runs in a child NDManager of the network's manager that is
 * closed after the update, so only parameters and optimiser state outlive a step. A non-finite loss stops
 * the run with an error naming the step, before the parameters are touched.
 */
public final class Optimization {
  private Optimization() {}

  /**
   * Runs {@code schedule.steps()} steps of {@code loss} with {@code optimizer}. Each step first runs
   * {@link StepLoss#prepare} (outside the gradient collector), then the backward pass and the update.
   *
   * @param what names the run in error messages ("training the original", "ga")
   * @return the loss of the last step
   */
  public static double run(
      Network network, UpdateRule optimizer, Schedule schedule, StepLoss loss, String what, Progress progress) {
    return run(network, optimizer, schedule, loss, what, progress, t -> { });
  }

  /**
   * As {@link #run(Network, UpdateRule, Schedule, StepLoss, String, Progress)}, calling {@code afterUpdate}
   * with the step index after every update, outside the gradient collector (FastClip's spectral clipping).
   */
  public static double run(
      Network network, UpdateRule optimizer, Schedule schedule, StepLoss loss, String what, Progress progress,
      IntConsumer afterUpdate) {
    return run(network.manager(), optimizer, schedule, loss, what, progress, afterUpdate);
  }

  /**
   * As {@link #run(Network, UpdateRule, Schedule, StepLoss, String, Progress)} for parameters that are not a
   * {@link Network}'s (a small auxiliary model): each step's manager is a child of {@code owner}, the manager
   * of the parameters.
   */
  public static double run(
      NDManager owner, UpdateRule optimizer, Schedule schedule, StepLoss loss, String what, Progress progress) {
    return run(owner, optimizer, schedule, loss, what, progress, t -> { });
  }

  private static double run(
      NDManager owner, UpdateRule optimizer, Schedule schedule, StepLoss loss, String what, Progress progress,
      IntConsumer afterUpdate) {
    double last = Double.NaN;
    for (int t = 0; t < schedule.steps(); t++) {
      try (NDManager step = owner.newSubManager()) {
        loss.prepare(step, t);
        last = backward(step, loss, t, what, schedule.steps());
        optimizer.step(schedule.lrAt(t), step);
      }
      afterUpdate.accept(t);
      int epochs = (schedule.steps() + schedule.stepsPerEpoch() - 1) / schedule.stepsPerEpoch();
      progress.step(
          t, schedule.steps(), t / schedule.stepsPerEpoch(), epochs, schedule.imagesPerStep(), last);
    }
    return last;
  }

  /** Runs {@code loss} with a fresh SGD optimiser ({@code momentum}, {@code weightDecay}) that is closed after. */
  public static double run(
      Network network,
      double momentum,
      double weightDecay,
      Schedule schedule,
      StepLoss loss,
      String what,
      Progress progress) {
    try (SgdOptimizer sgd = new SgdOptimizer(network, momentum, weightDecay)) {
      return run(network, sgd, schedule, loss, what, progress);
    }
  }

  /**
   * Computes {@code loss} at step {@code t} and accumulates its gradient into the parameters' gradients.
   *
   * @return the loss value
   */
  public static double backward(NDManager step, StepLoss loss, int t, String what, int steps) {
    double value;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray objective = loss.loss(step, t);
      value = objective.getFloat();
      if (!Double.isFinite(value)) {
        throw new LossDivergedException(what, t + 1, steps, "the loss is " + value);
      }
      collector.backward(objective);
    }
    return value;
  }
}
