package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.Progress;
import dev.lethe.train.SgdOptimizer;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.blocks.RandomLabelLoop;

/**
 * RL (random labels): fine-tune on the forget set relabelled at random, interleaved with the retain set
 * (Golatkar et al., "Eternal Sunshine of the Spotless Net", CVPR 2020; as coded by Fan et al., SalUn,
 * ICLR 2024). Each epoch is one pass over D_f, every batch with fresh labels drawn uniformly from all
 * classes (they can equal the true label, as in the reference code), then one pass over D_r with true
 * labels. BatchNorm in train mode. Defaults: SalUn's CIFAR-10 rate 0.013 rounded to 0.01, constant as
 * under its MultiStep schedule; 10 epochs against a 182-epoch retrain scaled to 2. Both streams are
 * augmented as the training recipe says (the reference loaders are augmented).
 */
public final class RandomLabels extends OptionsUnlearner<RandomLabels.Options> {
  /** The registry id. */
  public static final String ID = "rl";

  /** RL hyperparameters. */
  public record Options(
      @Doc("passes over forget then retain set") int epochs,
      @Doc("base learning rate") double lr,
      @Doc("images per step") int batchSize,
      @Doc("SGD momentum") double momentum,
      @Doc("weight decay") double weightDecay,
      @Doc("learning-rate schedule: cosine, step or constant") String schedule,
      @Doc("interleave passes over the retain set (false: the setting without D_R, forget set only)")
          boolean useRetain) {
    /** Validates the options. */
    public Options {
      OptionChecks.sgd(ID, epochs, lr, batchSize, momentum, weightDecay, schedule);
    }
  }

  /** The defaults described in the class comment. */
  public static final Options DEFAULTS = new Options(2, 0.01, 128, 0.9, 5e-4, "constant", true);

  /** RL with {@code options}, its forget and retain batches augmented by {@code augmentation}. */
  public RandomLabels(Options options, Augmentation augmentation) {
    super(ID, options, augmentation);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    Network net = original.copy();
    try (SgdOptimizer sgd = new SgdOptimizer(net, o.momentum(), o.weightDecay())) {
      RandomLabelLoop.run(net, sgd, task, seed, o.epochs(), o.batchSize(), o.lr(),
          o.schedule(), o.useRetain(), augmentation, ID, progress);
    }
    return net;
  }
}
