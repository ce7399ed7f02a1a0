package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;

/**
 * FT: fine-tune the original on the retain set only, so the forget set fades through catastrophic
 * forgetting (Warnecke et al., "Machine Unlearning of Features and Labels", NDSS 2023; the FT baseline of
 * Jia et al., "Model Sparsity Can Simplify Machine Unlearning", NeurIPS 2023). Update: SGD on CE(D_r).
 * BatchNorm runs in train mode. Defaults: the reference code's lr 0.01 with cosine decay; its 10 epochs
 * against a 160-200-epoch retrain are scaled to 3 epochs against our 30-40-epoch retrain. Retain batches are
 * augmented as the training recipe says, as the reference code's loaders are copies of the augmented train set.
 */
public final class FineTune extends OptionsUnlearner<FineTune.Options> {
  /** The registry id. */
  public static final String ID = "ft";

  /** FT hyperparameters. */
  public record Options(
      @Doc("passes over the retain set") int epochs,
      @Doc("base learning rate") double lr,
      @Doc("images per step") int batchSize,
      @Doc("SGD momentum") double momentum,
      @Doc("weight decay") double weightDecay,
      @Doc("learning-rate schedule: cosine, step or constant") String schedule) {
    /** Validates the options. */
    public Options {
      OptionChecks.sgd(ID, epochs, lr, batchSize, momentum, weightDecay, schedule);
    }
  }

  /** The defaults described in the class comment. */
  public static final Options DEFAULTS = new Options(3, 0.01, 128, 0.9, 5e-4, "cosine");

  /** FT with {@code options}, its retain batches augmented by {@code augmentation}. */
  public FineTune(Options options, Augmentation augmentation) {
    super(ID, options, augmentation);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    Network net = original.copy();
    TrainConfig config =
        new TrainConfig(
            o.epochs(), o.batchSize(), o.lr(), o.momentum(),
            o.weightDecay(), o.schedule(), 0, augmentation);
    Training.fit(net, task.retain(), config, seed, ID, progress);
    return net;
  }
}
