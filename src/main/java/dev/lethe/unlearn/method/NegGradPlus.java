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

  /** NegGrad+ hyperparameters. */
  public record Options(
      @Doc("passes over the retain set") int epochs,
      @Doc("base learning rate") double lr,
      @Doc("images per step, for each of the two batches") int batchSize,
      @Doc("SGD momentum") double momentum,
      @Doc("weight decay") double weightDecay,
      @Doc("learning-rate schedule: cosine, step or constant") String schedule,
      @Doc("weight of the retain loss; the forget ascent gets 1 - alpha") double alpha) {
    /** Validates the options. */
    public Options {
      OptionChecks.sgd(ID, epochs, lr, batchSize, momentum, weightDecay, schedule);
      OptionChecks.unitInterval(ID + ".alpha", alpha);
    }
  }

  /** The defaults described in the class comment. */
  public static final Options DEFAULTS = new Options(2, 0.01, 128, 0.9, 5e-4, "cosine", 0.99);

  /** NegGrad+ with {@code options}. */
  public NegGradPlus(Options options) {
    super(ID, options);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    Network net = original.copy();
    SplittableRandom random = new SplittableRandom(seed);
    BatchStream retain = new BatchStream(task.retain(), o.batchSize(), random.nextLong(), true);
    BatchStream forget = new BatchStream(task.forget(), o.batchSize(), random.nextLong(), true);
    Schedule schedule =
        new Schedule(
            o.epochs() * retain.batchesPerEpoch(), retain.batchesPerEpoch(),
            2 * o.batchSize(), o.lr(), o.schedule());
    float alpha = (float) o.alpha();
    Optimization.run(
        net, o.momentum(), o.weightDecay(), schedule,
        (step, t) ->
            Training.crossEntropyStep(net, step, retain, true)
                .mul(alpha)
                .sub(Training.crossEntropyStep(net, step, forget, true).mul(1 - alpha)),
        ID, progress);
    return net;
  }
}
