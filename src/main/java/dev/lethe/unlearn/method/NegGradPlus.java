package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Optimization;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.train.Training;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.SgdOptions;
import java.util.SplittableRandom;

/**
 * NegGrad+: retain descent plus weighted forget ascent in one objective (Kurmanji et al., "Towards
 * Unbounded Machine Unlearning", NeurIPS 2023). Each step pairs a retain batch with the next forget batch
 * (the forget stream cycles) and minimises {@code alpha * CE(D_r batch) - (1 - alpha) * CE(D_f batch)}.
 * BatchNorm in train mode. Defaults: alpha 0.99 as in the public ports; epochs counted over the retain
 * set and scaled to our retrain budget. Batches are never augmented, as in SCRUB's notebooks
 * ({@code negative_grad} on loaders built with {@code augment=False}).
 */
public final class NegGradPlus extends OptionsUnlearner<NegGradPlus.Options> {
  /** The registry id. */
  public static final String ID = "neggrad+";

  /** NegGrad+ hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @SgdOptions.Docs(
              epochs = "passes over the retain set", batchSize = "images per step, for each of the two batches")
          SgdOptions sgd,
      @Doc("weight of the retain loss; the forget ascent gets 1 - alpha") double alpha)
      implements SgdOptions.Holder<Options> {
    /** Validates the options. */
    public Options {
      sgd.check(ID);
      OptionChecks.unitInterval(ID + ".alpha", alpha);
    }

    /** The defaults described in the class comment: 2 epochs, alpha 0.99. */
    public static Options defaults() {
      return new Options(SgdOptions.defaults().withEpochs(2), 0.99);
    }

    @Override
    public Options withSgd(SgdOptions sgd) {
      return new Options(sgd, alpha);
    }

    public Options withAlpha(double alpha) {
      return new Options(sgd, alpha);
    }
  }

  /** NegGrad+ with {@code options}. */
  public NegGradPlus(Options options) {
    super(ID, options);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    return original.updatedCopy(net -> {
      SplittableRandom random = new SplittableRandom(seed);
      SgdOptions sgd = o.sgd();
      BatchStream retain = new BatchStream(task.retain(), sgd.batchSize(), random.nextLong(), true);
      BatchStream forget = new BatchStream(task.forget(), sgd.batchSize(), random.nextLong(), true);
      Schedule schedule = sgd.plan(retain.batchesPerEpoch(), 2 * sgd.batchSize());
      float alpha = (float) o.alpha();
      Optimization.run(
          net, sgd.momentum(), sgd.weightDecay(), schedule,
          (step, t) ->
              Training.crossEntropyStep(net, step, retain, true)
                  .mul(alpha)
                  .sub(Training.crossEntropyStep(net, step, forget, true).mul(1 - alpha)),
          ID, progress);
    });
  }
}
