package org.example.lethe;

import dev.lethe.Doc;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import dev.lethe.unlearn.OptionsUnlearner;

/**
 * A method of someone's own, outside Lethe and written against its public API only, as the registry tests load it:
 * fine-tune a copy of the original on the retain set at a constant learning rate (plain SGD, batch 16).
 */
public final class RetainFineTune extends OptionsUnlearner<RetainFineTune.Options> {
  /** Its registry id. */
  public static final String ID = "my-ft";

  /**
   * Its hyperparameters.
   *
   * @param epochs passes over the retain set
   * @param lr the constant learning rate
   */
  public record Options(@Doc("passes over the retain set") int epochs, @Doc("constant learning rate") double lr) {}

  /** The method with {@code options}. */
  public RetainFineTune(Options options) {
    super(ID, options);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    Network net = original.copy();
    Training.fit(net, task.retain(), new TrainConfig(o.epochs(), 16, o.lr(), 0, 0, LrSchedule.CONSTANT), seed, ID, progress);
    return net;
  }
}
