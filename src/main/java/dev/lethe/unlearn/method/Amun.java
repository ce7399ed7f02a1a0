package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.BatchStream;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.train.SgdOptimizer;
import dev.lethe.train.Training;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.blocks.AdversarialExamples;
import dev.lethe.unlearn.blocks.Attacks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AMUN (Ebrahimpour-Boroojeny, Sundaram and Chandrasekaran, "AMUN: Adversarial Machine UNlearning",
 * arXiv 2503.00917; ICML 2025 as "Not All Wrong is Bad: Using Adversarial Examples for Unlearning", PMLR
 * 267:14950-14971; code {@code Ali-E/AMUN}): fine-tune on adversarial examples of the forget samples,
 * each labelled with the original's own wrong prediction, which lowers the confidence on the nearby
 * forget sample while the change stays local to its decision boundary.
 *
 * <p>A frozen copy of the original builds D_A once ({@link AdversarialExamples#dataset}) with {@link
 * Attacks#pgdL2} (untargeted L2 PGD, no
 * random start, ε doubling until the prediction changes; label = the prediction on the adversarial image,
 * never the true label: a forget image whose attack fails within {@code maxDoublings} is left out of
 * D_A). A copy is then fine-tuned with plain cross-entropy on the shuffled union of D_R (if
 * {@code useRetain}), D_F with true labels (if {@code useForget}) and D_A, BatchNorm in train mode, SGD
 * with the rate multiplied by {@code lrDecay} after every epoch (the code's StepLR(1, 0.1)). As in the
 * code, D_R and D_F rows of a batch are augmented as the training recipe says, D_A rows never (the attack
 * itself reads clean images).
 *
 * <p>Registered twice: {@code amun} (D_R ∪ D_F ∪ D_A, the code's default with D_R) and {@code amun-a}
 * (the code's "advonly": D_R ∪ D_A). {@code useRetain=false} gives the settings without D_R that the paper
 * highlights (D_F ∪ D_A, or D_A alone for amun-a).
 *
 * <p>Defaults: the HEAD attack (ε0 = 0.04 in L2 over C×H×W, 50 steps per radius); 11 doublings, after
 * which the radius (82) exceeds the L2 diameter of any 3×32×32 or 1×28×28 image in [0, 1], so more cannot
 * help. Fine-tuning as in the code (lr 0.01, momentum 0.9, weight decay 5e-4, batch 128, lr ÷10 per
 * epoch), with its 10 epochs against a 200-epoch original scaled to 3 against our 40-epoch retrain: under
 * the per-epoch decay the code does real training only in its first two epochs anyway.
 */
public final class Amun extends OptionsUnlearner<Amun.Options> {
  /** The registry id of AMUN on D_R ∪ D_F ∪ D_A. */
  public static final String ID = "amun";
  /** The registry id of AMUN-A ("advonly") on D_R ∪ D_A. */
  public static final String ID_ADV_ONLY = "amun-a";

  /**
   * AMUN hyperparameters (its own SGD fields: the rate decays per epoch by {@code lrDecay}, no schedule);
   * {@code with*} returns a copy with one field changed. Checked by {@link Amun}'s constructor, in the name of
   * the id it is registered under.
   */
  public record Options(
      @Doc("passes over the fine-tuning set") int epochs,
      @Doc("learning rate of the first epoch") double lr,
      @Doc("factor applied to the learning rate after every epoch, in (0, 1]") double lrDecay,
      @Doc("images per step") int batchSize,
      @Doc("SGD momentum") double momentum,
      @Doc("weight decay") double weightDecay,
      @Doc("initial L2 radius of the PGD attack in [0, 1] pixel units (over C x H x W)") double epsilon,
      @Doc("PGD steps per radius") int attackSteps,
      @Doc("how often the PGD radius may double before a forget image is given up") int maxDoublings,
      @Doc("fine-tune on the retain set too") boolean useRetain,
      @Doc("fine-tune on the forget set with its true labels too") boolean useForget) {
    /** The defaults of {@code amun}, described in the class comment. */
    public static Options defaults() {
      return new Options(3, 0.01, 0.1, 128, 0.9, 5e-4, 0.04, 50, 11, true, true);
    }

    /** The defaults of {@code amun-a}: as {@link #defaults()} without the forget set. */
    public static Options advOnlyDefaults() {
      return defaults().withUseForget(false);
    }

    public Options withEpochs(int epochs) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withLr(double lr) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withLrDecay(double lrDecay) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withBatchSize(int batchSize) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withMomentum(double momentum) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withWeightDecay(double weightDecay) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withEpsilon(double epsilon) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withAttackSteps(int attackSteps) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withMaxDoublings(int maxDoublings) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withUseRetain(boolean useRetain) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }

    public Options withUseForget(boolean useForget) {
      return new Options(epochs, lr, lrDecay, batchSize, momentum, weightDecay, epsilon, attackSteps, maxDoublings,
          useRetain, useForget);
    }
  }

  /**
   * AMUN registered under {@code id} with {@code options}; D_R and D_F rows of its batches are augmented by
   * {@code augmentation}, D_A rows never.
   */
  public Amun(String id, Options options, Augmentation augmentation) {
    super(id, options, augmentation);
    check(id, options);
  }

  /** Validates {@code o} in the name of {@code id} (the record is shared by amun and amun-a). */
  private static void check(String id, Options o) {
    OptionChecks.sgd(id, o.epochs(), o.lr(), o.batchSize(), o.momentum(), o.weightDecay());
    if (!(o.lrDecay() > 0 && o.lrDecay() <= 1)) {
      throw new LetheException(id + ".lrDecay must be in (0, 1], got " + o.lrDecay());
    }
    OptionChecks.positive(id + ".epsilon", o.epsilon());
    OptionChecks.positive(id + ".attackSteps", o.attackSteps());
    OptionChecks.nonNegative(id + ".maxDoublings", o.maxDoublings());
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    Dataset adversarial;
    long started = System.nanoTime();
    double[] distances;
    try (Network frozen = original.copy()) {
      distances = new double[task.forget().size()];
      adversarial = AdversarialExamples.dataset(frozen, task.forget(), o.epsilon(), o.attackSteps(),
          o.maxDoublings(), o.batchSize(), distances);
    }
    progress.note(String.format(java.util.Locale.ROOT,
        "D_A: %d of %d forget images flipped, median L2 distance %.3f, attack %.1f s",
        adversarial.size(), task.forget().size(), median(distances), (System.nanoTime() - started) / 1e9));
    List<Dataset> parts = new ArrayList<>();
    if (o.useRetain()) {
      parts.add(task.retain());
    }
    if (o.useForget()) {
      parts.add(task.forget());
    }
    int real = parts.stream().mapToInt(Dataset::size).sum();
    parts.add(adversarial);
    Dataset data = concat(parts);
    if (data.size() < 2) {
      throw new LetheException(
          id() + " has " + data.size() + " images to fine-tune on (no adversarial example was found and"
              + " useRetain/useForget exclude the rest); enable useRetain or raise maxDoublings");
    }
    return original.updatedCopy(net -> {
      try (SgdOptimizer sgd = new SgdOptimizer(net, o.momentum(), o.weightDecay())) {
        // D_A comes last in data: the code feeds it through the clean transform
        BatchStream batches = new BatchStream(data, o.batchSize(), seed, true, augmentation, real);
        int steps = batches.batchesPerEpoch();
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
          double lr = o.lr() * Math.pow(o.lrDecay(), epoch - 1);
          Schedule schedule =
              new Schedule(steps, steps, Math.min(o.batchSize(), data.size()), lr, LrSchedule.CONSTANT);
          Optimization.run(
              net, sgd, schedule, (step, t) -> Training.crossEntropyStep(net, step, batches, true), id(),
              progress.child("epoch " + epoch + "/" + o.epochs()));
        }
      }
    });
  }

  private static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** The rows of {@code parts}, in order, as one dataset (named after the first part). */
  static Dataset concat(List<Dataset> parts) {
    Dataset first = parts.get(0);
    int size = first.imageSize();
    int n = 0;
    for (Dataset d : parts) {
      n += d.size();
    }
    float[] pixels = new float[n * size];
    int[] labels = new int[n];
    int[] ids = new int[n];
    int at = 0;
    for (Dataset d : parts) {
      System.arraycopy(d.pixels(), 0, pixels, at * size, d.size() * size);
      System.arraycopy(d.labels(), 0, labels, at, d.size());
      System.arraycopy(d.ids(), 0, ids, at, d.size());
      at += d.size();
    }
    return new Dataset(first.name() + "+amun", first.channels(), first.height(), first.width(), pixels, labels,
        ids, first.classNames());
  }
}
