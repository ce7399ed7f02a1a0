package dev.lethe.unlearn.method;

import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.Unlearner;

/**
 * No unlearning at all: a copy of the original. It is the "do nothing" bar of every benchmark table; a
 * method whose gap to retraining is not smaller than this one's has not unlearned anything.
 */
public final class Original implements Unlearner {
  /** The registry id. */
  public static final String ID = "original";

  /** No hyperparameters. */
  public record Options() {
    /** The only value. */
    public static Options defaults() {
      return new Options();
    }
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Options options() {
    return Options.defaults();
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    return original.copy();
  }
}
