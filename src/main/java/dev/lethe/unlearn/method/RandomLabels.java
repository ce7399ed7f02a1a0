package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.SgdOptimizer;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.SgdOptions;
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

  /** RL hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @SgdOptions.Docs(epochs = "passes over forget then retain set") SgdOptions sgd,
      @Doc("interleave passes over the retain set (false: the setting without D_R, forget set only)")
          boolean useRetain) implements SgdOptions.Holder<Options> {
    /** Validates the options. */
    public Options {
      sgd.check(ID);
    }

    /** The defaults described in the class comment: 2 epochs at a constant rate, with the retain set. */
    public static Options defaults() {
      return new Options(SgdOptions.defaults().withEpochs(2).withSchedule(LrSchedule.CONSTANT), true);
    }

    @Override
    public Options withSgd(SgdOptions sgd) {
      return new Options(sgd, useRetain);
    }

    public Options withUseRetain(boolean useRetain) {
      return new Options(sgd, useRetain);
    }
  }

  /** RL with {@code options}, its forget and retain batches augmented by {@code augmentation}. */
  public RandomLabels(Options options, Augmentation augmentation) {
    super(ID, options, augmentation);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    return original.updatedCopy(net -> {
      SgdOptions s = o.sgd();
      try (SgdOptimizer sgd = new SgdOptimizer(net, s.momentum(), s.weightDecay())) {
        RandomLabelLoop.run(net, sgd, task, seed, s.epochs(), s.batchSize(), s.lr(),
            s.schedule(), o.useRetain(), augmentation, ID, progress);
      }
    });
  }
}
