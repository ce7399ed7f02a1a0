package dev.lethe.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.lethe.Choice;

/**
 * Learning-rate schedules evaluated per optimisation step, as PyTorch's schedulers are stepped per iteration:
 * {@code cosine} anneals the base rate to 0 over all steps, {@code step} multiplies it by 0.1 at 50 % and again
 * at 75 % of the steps, {@code constant} keeps it.
 */
public enum LrSchedule implements Choice {
  /** {@code 0.5·base·(1 + cos(π·step/total))}. */
  COSINE,
  /** {@code base} for the first half, {@code base/10} to 75 %, then {@code base/100}. */
  STEP,
  /** {@code base} throughout. */
  CONSTANT;

  /** The schedule named {@code id} ({@code cosine}, {@code step}, {@code constant}); a one-line error otherwise. */
  @JsonCreator
  public static LrSchedule parse(String id) {
    return Choice.parse(LrSchedule.class, "schedule", id);
  }

  /** The CLI and JSON name. */
  @JsonValue
  @Override
  public String id() {
    return Choice.super.id();
  }

  /** The learning rate at {@code step} (0-based) of {@code total}. */
  public double at(double base, int step, int total) {
    return switch (this) {
      case COSINE -> 0.5 * base * (1 + Math.cos(Math.PI * step / Math.max(1, total)));
      case STEP -> step < total / 2 ? base : step < (3 * total) / 4 ? base * 0.1 : base * 0.01;
      case CONSTANT -> base;
    };
  }

  /**
   * The rate of 1-based {@code epoch} under an epoch-wise multi-step decay: {@code base × rate^k}, where k
   * counts the {@code milestones} strictly below {@code epoch}, so milestone 3 keeps epochs 1–3 at
   * {@code base} and decays from epoch 4 on. This is RepDistiller's {@code adjust_learning_rate}, which
   * SCRUB's code calls at the start of every epoch; the milestones need not be sorted.
   */
  public static double multiStep(double base, double rate, int[] milestones, int epoch) {
    int passed = 0;
    for (int milestone : milestones) {
      if (epoch > milestone) {
        passed++;
      }
    }
    return base * Math.pow(rate, passed);
  }
}
