package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.MatchingOptions;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.ReferenceModels;
import dev.lethe.unlearn.blocks.OutputMatching;
import java.util.Objects;

/**
 * Oracle matching (Georgiev et al., "Attribute-to-Delete: Machine Unlearning via Datamodel Matching", ICLR 2025;
 * the authors' {@code oracle_matching}, RoyRin/data-unlearning-bench @beae27e): the {@link OutputMatching} loop
 * with, as targets, the mean eval-mode logits of models retrained from scratch without the forget set, on the
 * forget set and on a retain sample: {@code min_θ MSE(f_θ(x), mean_m f_m^RT(x))} over {@code x ∈ F ∪ S_R}. It
 * needs those retrained models, so it is no practical method but the upper bound of datamodel matching (what
 * {@code dmm} would do with a perfect attribution): it declares {@link #retrainedModels()}, the experiment trains or
 * loads them before the run starts (their training stays out of the method's run time and is shared by every run
 * on the same task), and none of them is the audit's RT. The code averages {@code num_oracles} = 10 of them; 2 here
 * by default, because each is a full retrain of our recipe (so 10 would cost ten RTs per task, and every shadow of
 * the audit ensemble needs its own). The loop's options are the code's defaults ({@link MatchingOptions});
 * the code draws the retain sample with a fixed seed 42, Lethe with the run seed. Batches are never augmented:
 * the targets are the retrained models' outputs on clean images.
 */
public final class OracleMatching extends OptionsUnlearner<OracleMatching.Options> {
  /** The registry id. */
  public static final String ID = "oracle-matching";

  /** Oracle-matching hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @Doc("retrained models whose mean logits are the targets (the code: 10; each is one full retrain)") int models,
      MatchingOptions matching) {
    /** Validates the options. */
    public Options {
      OptionChecks.positive(ID + ".models", models);
      Objects.requireNonNull(matching, "matching").check(ID);
    }

    /** Two retrained models and the code's loop defaults. */
    public static Options defaults() {
      return new Options(2, MatchingOptions.defaults());
    }

    public Options withModels(int models) {
      return new Options(models, matching);
    }

    public Options withMatching(MatchingOptions matching) {
      return new Options(models, matching);
    }
  }

  /** Oracle matching with {@code options}. */
  public OracleMatching(Options options) {
    super(ID, options);
  }

  @Override
  public int retrainedModels() {
    return o.models();
  }

  /** Rejects the call: oracle matching cannot run without retrained models. */
  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    throw new LetheException(ID + " needs " + o.models() + " models retrained without the forget set, and none were"
        + " given: run it with lethe forget or lethe bench, which train them, or call unlearn(original, task,"
        + " experiment.referenceModels(method, task, progress), seed, progress)");
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, ReferenceModels references, long seed,
      Progress progress) {
    if (references == null || references.retrainedCount() != o.models()) {
      throw new LetheException(ID + " needs " + o.models() + " models retrained without the forget set, but "
          + (references == null ? "none" : references.retrainedCount()) + " were given: pass"
          + " experiment.referenceModels(method, task, progress)");
    }
    OutputMatching.RetainSample sample = OutputMatching.retainSample(task, o.matching().retainMultiplier(), ID, seed);
    float[][] forgetTargets = references.meanRetrainedLogits(task.forget());
    float[][] retainTargets = references.meanRetrainedLogits(sample.retain());
    return original.updatedCopy(net -> OutputMatching.run(
        net, task, forgetTargets, sample, retainTargets, o.matching().loop(), seed, ID, progress));
  }
}
