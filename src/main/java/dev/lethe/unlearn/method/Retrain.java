package dev.lethe.unlearn.method;

import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import dev.lethe.unlearn.Unlearner;

/**
 * Exact unlearning, the gold standard every audit compares against: a fresh network trained from scratch on
 * the retain set with exactly the recipe of the original (Cao and Yang, "Towards Making Systems Forget with
 * Machine Unlearning", S&amp;P 2015). Its options are the original's training config.
 */
public final class Retrain implements Unlearner {
  /** The registry id. */
  public static final String ID = "retrain";
  private final TrainConfig config;

  /** Retraining with the original's {@code config}. */
  public Retrain(TrainConfig config) {
    this.config = config;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public TrainConfig options() {
    return config;
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    return Training.trainFresh(original.architecture(), task.retain(), config, seed, "retraining", progress);
  }
}
