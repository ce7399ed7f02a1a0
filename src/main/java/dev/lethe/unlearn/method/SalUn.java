package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.ParameterMask;
import dev.lethe.train.Progress;
import dev.lethe.train.SgdOptimizer;
import dev.lethe.train.SgdOptimizer.MaskMode;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.SgdOptions;
import dev.lethe.unlearn.blocks.RandomLabelLoop;
import dev.lethe.unlearn.blocks.Saliency;
import java.util.Objects;

/**
 * SalUn: weight saliency plus random labels (Fan et al., "SalUn: Empowering Machine Unlearning via
 * Gradient-based Weight Saliency in Both Image Classification and Generation", ICLR 2024; official code
 * OPTML-Group/Unlearn-Saliency). The mask keeps the top {@code sparsity} fraction of weights by
 * {@code |Σ_b ∇ CE_b(D_f)|} on the original in eval mode (every layer, ranked globally); then the RL loop
 * of {@link RandomLabels} ({@link RandomLabelLoop}) runs with every step masked. {@code maskMode}:
 * {@code grad_only} is the paper's code (weight decay and momentum still move masked weights, issue #32);
 * {@code hard_freeze} (default) is the fix merged as PR #33. Defaults: the README's CIFAR-10 τ 0.5 and lr 0.013 rounded to 0.01, constant
 * as under its MultiStep schedule; 10 epochs against a 182-epoch retrain scaled to 2. The RL batches are
 * augmented as the training recipe says (the reference loaders are augmented); the mask's gradient pass reads
 * clean images, where the reference's reads the augmented forget loader.
 */
public final class SalUn extends OptionsUnlearner<SalUn.Options> {
  /** The registry id. */
  public static final String ID = "salun";

  /** SalUn hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @Doc("fraction of weights the mask keeps trainable, in (0, 1)") double sparsity,
      @SgdOptions.Docs(epochs = "passes over forget then retain set") SgdOptions sgd,
      @Doc("hard_freeze (masked weights never move; PR #33) or grad_only (paper code)") MaskMode maskMode,
      @Doc("interleave passes over the retain set (false: the setting without D_R, forget set only)")
          boolean useRetain) implements SgdOptions.Holder<Options> {
    /** Validates the options. */
    public Options {
      sgd.check(ID);
      OptionChecks.openUnitInterval(ID + ".sparsity", sparsity);
      Objects.requireNonNull(maskMode, "maskMode");
    }

    /** The defaults described in the class comment: τ 0.5, 2 epochs at a constant rate, hard freeze. */
    public static Options defaults() {
      return new Options(
          0.5, SgdOptions.defaults().withEpochs(2).withSchedule(LrSchedule.CONSTANT), MaskMode.HARD_FREEZE, true);
    }

    public Options withSparsity(double sparsity) {
      return new Options(sparsity, sgd, maskMode, useRetain);
    }

    @Override
    public Options withSgd(SgdOptions sgd) {
      return new Options(sparsity, sgd, maskMode, useRetain);
    }

    public Options withMaskMode(MaskMode maskMode) {
      return new Options(sparsity, sgd, maskMode, useRetain);
    }

    public Options withUseRetain(boolean useRetain) {
      return new Options(sparsity, sgd, maskMode, useRetain);
    }
  }

  /** SalUn with {@code options}, its forget and retain batches augmented by {@code augmentation}. */
  public SalUn(Options options, Augmentation augmentation) {
    super(ID, options, augmentation);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    return original.updatedCopy(net -> {
      SgdOptions s = o.sgd();
      try (ParameterMask mask = Saliency.topGradient(net, task.forget(), o.sparsity(), s.batchSize());
          SgdOptimizer sgd = new SgdOptimizer(net, s.momentum(), s.weightDecay(), mask, o.maskMode())) {
        RandomLabelLoop.run(
            net, sgd, task, seed, s.epochs(), s.batchSize(), s.lr(), s.schedule(), o.useRetain(), augmentation, ID,
            progress);
      }
    });
  }
}
