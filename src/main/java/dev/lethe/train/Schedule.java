package dev.lethe.train;

import java.util.Objects;

/**
 * The shape of an optimisation run: how many steps, how they group into epochs (for progress lines),
 * how many images a step sees, and the learning-rate schedule.
 *
 * @param steps total optimisation steps
 * @param stepsPerEpoch steps in one pass over the data
 * @param imagesPerStep images per step (for the images/s figure)
 * @param lr base learning rate
 * @param lrSchedule how the rate changes over the steps
 */
public record Schedule(int steps, int stepsPerEpoch, int imagesPerStep, double lr, LrSchedule lrSchedule) {
  /** Validates the schedule. */
  public Schedule {
    if (steps <= 0 || stepsPerEpoch <= 0) {
      throw new IllegalArgumentException("steps must be positive: " + steps + ", " + stepsPerEpoch);
    }
    Objects.requireNonNull(lrSchedule, "lrSchedule");
  }

  /** The learning rate at step {@code t}. */
  public double lrAt(int t) {
    return lrSchedule.at(lr, t, steps);
  }
}
