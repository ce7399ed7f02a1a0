package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.ParameterMask;
import dev.lethe.train.Progress;
import dev.lethe.train.SgdOptimizer;
import dev.lethe.unlearn.MaskModes;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.blocks.RandomLabelLoop;
import dev.lethe.unlearn.blocks.Saliency;

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

  /** SalUn hyperparameters. */
  public record Options(
      @Doc("fraction of weights the mask keeps trainable, in (0, 1)") double sparsity,
      @Doc("passes over forget then retain set") int epochs,
      @Doc("base learning rate") double lr,
      @Doc("images per step") int batchSize,
      @Doc("SGD momentum") double momentum,
      @Doc("weight decay") double weightDecay,
      @Doc("learning-rate schedule: cosine, step or constant") String schedule,
      @Doc("hard_freeze (masked weights never move; PR #33) or grad_only (paper code)") String maskMode,
      @Doc("interleave passes over the retain set (false: the setting without D_R, forget set only)")
          boolean useRetain) {
    /** Validates the options. */
    public Options {
      OptionChecks.sgd(ID, epochs, lr, batchSize, momentum, weightDecay, schedule);
      OptionChecks.openUnitInterval(ID + ".sparsity", sparsity);
      MaskModes.parse(ID, maskMode);
    }
  }

  /** The defaults described in the class comment. */
  public static final Options DEFAULTS =
      new Options(0.5, 2, 0.01, 128, 0.9, 5e-4, "constant", "hard_freeze", true);

  /** SalUn with {@code options}, its forget and retain batches augmented by {@code augmentation}. */
  public SalUn(Options options, Augmentation augmentation) {
    super(ID, options, augmentation);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    Network net = original.copy();
    try (ParameterMask mask = Saliency.topGradient(net, task.forget(), o.sparsity(), o.batchSize());
        SgdOptimizer sgd = new SgdOptimizer(net, o.momentum(), o.weightDecay(), mask, MaskModes.parse(ID, o.maskMode()))) {
      RandomLabelLoop.run(
          net, sgd, task, seed, o.epochs(), o.batchSize(), o.lr(), o.schedule(), o.useRetain(), augmentation, ID,
          progress);
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
    return net;
  }
}
