package dev.lethe.unlearn.method;

import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.SgdOptions;

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

  /** FT hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @SgdOptions.Docs(epochs = "passes over the retain set") SgdOptions sgd)
      implements SgdOptions.Holder<Options> {
    /** Validates the options. */
    public Options {
      sgd.check(ID);
    }

    /** The defaults described in the class comment: {@link SgdOptions#defaults()} as they are. */
    public static Options defaults() {
      return new Options(SgdOptions.defaults());
    }

    @Override
    public Options withSgd(SgdOptions sgd) {
      return new Options(sgd);
    }
  }

  /** FT with {@code options}, its retain batches augmented by {@code augmentation}. */
  public FineTune(Options options, Augmentation augmentation) {
    super(ID, options, augmentation);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    return original.updatedCopy(net -> {
      SgdOptions sgd = o.sgd();
      TrainConfig config = new TrainConfig(
          sgd.epochs(), sgd.batchSize(), sgd.lr(), sgd.momentum(), sgd.weightDecay(), sgd.schedule(), 0, augmentation);
      Training.fit(net, task.retain(), config, seed, ID, progress);
    });
  }
}
