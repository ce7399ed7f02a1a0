package dev.lethe.unlearn;

import dev.lethe.LetheException;

/** Range checks shared by the options records; each failure is a one-line error naming the parameter. */
public final class OptionChecks {
  private OptionChecks() {}

  public static void positive(String name, double value) {
    if (!(value > 0) || !Double.isFinite(value)) {
      throw new LetheException(name + " must be a positive number, got " + value);
    }
  }

  public static void nonNegative(String name, double value) {
    if (!(value >= 0) || !Double.isFinite(value)) {
      throw new LetheException(name + " must be a non-negative number, got " + value);
    }
  }

  public static void unitInterval(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new LetheException(name + " must be in [0, 1], got " + value);
    }
  }

  public static void openUnitInterval(String name, double value) {
    if (!(value > 0 && value < 1)) {
      throw new LetheException(name + " must be in (0, 1), got " + value);
    }
  }

  /** A mini-batch size: at least 2, because BatchNorm cannot normalise one sample. */
  public static void batchSize(String name, int value) {
    if (value < 2) {
      throw new LetheException(name + " must be at least 2 (BatchNorm), got " + value);
    }
  }

  /** The SGD fields every iterative method carries ({@link SgdOptions}, or its own where its loop differs). */
  public static void sgd(String method, int epochs, double lr, int batchSize, double momentum, double wd) {
    positive(method + ".epochs", epochs);
    positive(method + ".lr", lr);
    batchSize(method + ".batchSize", batchSize);
    if (momentum < 0 || momentum >= 1) {
      throw new LetheException(method + ".momentum must be in [0, 1), got " + momentum);
    }
    nonNegative(method + ".weightDecay", wd);
  }
}
