package dev.lethe.train;

import dev.lethe.LetheException;

/**
 * A run whose loss became non-finite: a finished outcome of a benchmark cell ({@code status: "collapsed"}),
 * not a crash of the whole grid. Carries the step and the reason as fields, so callers record them without
 * parsing the message.
 */
public final class LossDivergedException extends LetheException {
  private static final long serialVersionUID = 1L;

  private final String what;
  private final int step;
  private final int steps;
  private final String reason;

  /**
   * @param what the run that diverged ("training the original", "ga")
   * @param step the 1-based step at which it diverged
   * @param steps the run's total steps
   * @param reason what was non-finite, e.g. "the loss is NaN"
   */
  public LossDivergedException(String what, int step, int steps, String reason) {
    super(what + " diverged: " + reason + " at step " + step + " of " + steps
        + "; lower the learning rate or check the input data");
    this.what = what;
    this.step = step;
    this.steps = steps;
    this.reason = reason;
  }

  /** The run that diverged ("training the original", "ga"). */
  public String what() {
    return what;
  }

  /** The run's total steps. */
  public int steps() {
    return steps;
  }

  /** The 1-based step at which the loss became non-finite. */
  public int step() {
    return step;
  }

  /** What was non-finite, e.g. "the loss is NaN". */
  public String reason() {
    return reason;
  }
}
