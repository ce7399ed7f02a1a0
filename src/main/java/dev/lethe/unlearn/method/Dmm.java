package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.MatchingOptions;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.ReferenceModels;
import dev.lethe.unlearn.blocks.OutputMatching;
import dev.lethe.unlearn.blocks.TrakAttribution;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Datamodel matching (Georgiev et al., "Attribute-to-Delete: Machine Unlearning via Datamodel Matching", ICLR 2025;
 * the authors' {@code dm_matching}, RoyRin/data-unlearning-bench @beae27e): predict by data attribution the logits a
 * model retrained without the forget set would give, {@code g(x) = f(x) − m Σ_{i∈F} B[i, x, :]}, on the forget set
 * and a retain sample, then fine-tune the original to match them ({@link OutputMatching}: MSE on logits, Adam,
 * lr × γ per epoch). The authors read B from a precomputed matrix (named {@code trak_scores_matrix}; their default
 * path is a regression datamodel file, {@code regression_v2/all_logit_vitaly_infls_denoised.npy}, fitted, by the
 * paper's account, on 1,000 to 20,000 models trained on random halves of the data), whose entries are output changes,
 * so {@code dm_multiplier} 1 applies them as they are. Here B is estimated at run time by {@link TrakAttribution}:
 * TRAK with one checkpoint (the original) by default, or with {@code checkpoints} independently trained models
 * ({@code checkpoints − 1} more originals with other seeds, trained or loaded before the timed run as training-time
 * work, their effects averaged; 3 models raised the correlation with a real retrain from 0.30-0.39 to 0.32-0.45,
 * but on the bench's random:0.1 at the K = 1 multiplier they did not lower the Avg Gap, BENCHMARKS.md; under {@code --requests} the pool of request 2 on is what the earlier requests left, so its extra
 * originals are trained after those deletions, as retrains are, and that training is not in the run time either),
 * per-example margin gradients randomly projected to {@code dimension} dimensions, and TRAK's kernel scaled by the
 * mean Gauss-Newton curvature to the one-step Newton step's scale, so that m = 1 subtracts effects of a real retrain's
 * size too (TRAK's own scores rank examples but are 13-40× too small as output changes; BENCHMARKS.md, issue #12).
 * Its cost, part of the run time, per checkpoint: one per-example backward pass over the whole training pool (the
 * default 8,000-image pool: about a minute on one core) and two forward passes over the fine-tuning set, plus one
 * with the original. Defaults: the code's loop ({@link MatchingOptions}) and {@code dm_multiplier} 1; d = 512 (TRAK's
 * ImageNet/CIFAR runs use 2,048 or more; our pool of 8,000 and cnn of about 20,500 parameters need less; with d above
 * the pool size the kernel is singular but for the ridge and the estimate grows) and a ridge of 1e-3 of the mean
 * kernel diagonal (the {@code trak} library's default is 0; a small one keeps the kernel well conditioned when d
 * approaches the pool size), not tuned. The retain sample is drawn with the run seed (the code: a fixed 42). Batches
 * are never augmented: the targets are outputs on clean images.
 */
public final class Dmm extends OptionsUnlearner<Dmm.Options> {
  /** The registry id. */
  public static final String ID = "dmm";

  /** DMM hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @Doc("TRAK projection dimension d of the per-example gradients") int dimension,
      @Doc("TRAK ridge: lambda as a multiple of the kernel's mean diagonal") double ridge,
      @Doc("dm_multiplier m: scale of the attributed effect subtracted from the original's logits") double multiplier,
      @Doc("TRAK checkpoints: the original and checkpoints - 1 more models trained as it was, with other seeds"
          + " (training-time work, outside the run time); their attributed effects are averaged") int checkpoints,
      MatchingOptions matching) {
    /** Validates the options. */
    public Options {
      OptionChecks.positive(ID + ".dimension", dimension);
      OptionChecks.positive(ID + ".ridge", ridge);
      OptionChecks.nonNegative(ID + ".multiplier", multiplier);
      OptionChecks.positive(ID + ".checkpoints", checkpoints);
      Objects.requireNonNull(matching, "matching").check(ID);
    }

    /** d = 512, ridge 1e-3, m = 1, one checkpoint and the code's loop defaults. */
    public static Options defaults() {
      return new Options(512, 1e-3, 1.0, 1, MatchingOptions.defaults());
    }

    public Options withDimension(int dimension) {
      return new Options(dimension, ridge, multiplier, checkpoints, matching);
    }

    public Options withRidge(double ridge) {
      return new Options(dimension, ridge, multiplier, checkpoints, matching);
    }

    public Options withMultiplier(double multiplier) {
      return new Options(dimension, ridge, multiplier, checkpoints, matching);
    }

    public Options withCheckpoints(int checkpoints) {
      return new Options(dimension, ridge, multiplier, checkpoints, matching);
    }

    public Options withMatching(MatchingOptions matching) {
      return new Options(dimension, ridge, multiplier, checkpoints, matching);
    }
  }

  /** DMM with {@code options}. */
  public Dmm(Options options) {
    super(ID, options);
  }

  @Override
  public int extraOriginals() {
    return o.checkpoints() - 1;
  }

  /** DMM from the original alone; with {@code dmm.checkpoints} above 1 the call is rejected: its models are missing. */
  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    return unlearn(original, task, ReferenceModels.NONE, seed, progress);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, ReferenceModels references, long seed,
      Progress progress) {
    int extra = o.checkpoints() - 1;
    int given = references == null ? 0 : references.originalCount();
    if (given != extra) {
      throw new LetheException(ID + ".checkpoints=" + o.checkpoints() + " needs " + extra + " more model"
          + (extra == 1 ? "" : "s") + " trained as the original was, but " + given + " were given: run it with"
          + " lethe forget or lethe bench, which train them, or pass experiment.referenceModels(method, task,"
          + " progress)");
    }
    SplittableRandom random = new SplittableRandom(seed);
    OutputMatching.RetainSample sample =
        OutputMatching.retainSample(task, o.matching().retainMultiplier(), ID, random.nextLong());
    long projectionSeed = random.nextLong();
    return original.updatedCopy(net -> {
      // the copy is still the original here: the attribution reads it before any step; the extra originals are
      // loaded for the attribution only
      float[][][] targets;
      List<Network> checkpoints = new ArrayList<>(List.of(net));
      try {
        for (int k = 0; k < extra; k++) {
          checkpoints.add(references.original(k));
        }
        targets = TrakAttribution.predictRetrained(checkpoints, task.pool(), task.rows().forget(),
            new Dataset[] {task.forget(), sample.retain()}, o.dimension(), o.ridge(), o.multiplier(),
            projectionSeed, ID, progress.child("attribution"));
      } finally {
        checkpoints.subList(1, checkpoints.size()).forEach(Network::close);
      }
      OutputMatching.run(net, task, targets[0], sample, targets[1], o.matching().loop(), random.nextLong(), ID,
          progress);
    });
  }
}
