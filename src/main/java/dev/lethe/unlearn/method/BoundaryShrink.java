package dev.lethe.unlearn.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.Choice;
import dev.lethe.Doc;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Batches;
import dev.lethe.train.Losses;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.SgdOptions;
import dev.lethe.unlearn.blocks.AdversarialExamples;
import dev.lethe.unlearn.blocks.Attacks;
import java.util.Objects;

/**
 * BS (Boundary Shrinking): relabel each forget image with its "nearest wrong class" and fine-tune on
 * those labels (Chen et al., "Boundary Unlearning: Rapid Forgetting of Deep Networks via Shifting the
 * Decision Boundary", CVPR 2023; as coded in OPTML-Group/Unlearn-Saliency {@code unlearn/boundary_sh.py}).
 * A frozen copy of the original (eval mode, never stepped) takes one FGSM step of size {@code epsilon}
 * on each forget image ({@link Attacks#fgsm}); its prediction on the perturbed image is the new label,
 * which can still be the true label, as in the code. The live copy then minimises CE(f(x), label) on the
 * <em>clean</em> forget images, BatchNorm in train mode, SGD with a constant rate; no retain data.
 *
 * <p>The reference code attacks each batch as it is drawn. Here the labels of all forget images are
 * computed once before training: the frozen model never changes and the eval-mode attack treats every
 * sample on its own, so each image gets the same label in every epoch either way (and DJL allows only one
 * gradient collector at a time, so the attack cannot run inside a training step). The training batches are
 * augmented as the training recipe says (the reference loaders are augmented), but the labels come from the
 * attack on clean images, where the reference attacks each augmented batch.
 *
 * <p>Defaults: ε = 0.1 in [0, 1] pixel space, hard-coded in the reference. The code's 10 epochs against
 * a 182-epoch retrain are scaled to 2 against our 40-epoch retrain; constant rate, as under the code's
 * MultiStep schedule. The rate is searched per setting in the reference (the authors' own code used 1e-5
 * for 10 epochs). 3e-4 is the smallest rate that emptied the forgotten class in a probe on
 * Fashion-MNIST class:Sandal (cnn width 16, 8,000-image pool, 40-epoch original with retain accuracy
 * 99.6 %): forget / retain accuracy 90.9 / 96.4 % at 3e-5, 33.2 / 94.1 % at 1e-4, 0.2 / 89.9 % at 3e-4,
 * 0.0 / 84.9 % at 1e-3 (one seed, ε = 0.1). Train-mode BatchNorm on forget-only batches costs retain
 * accuracy at any rate.
 *
 * <p>{@code attack=pgd} replaces the single FGSM step by AMUN's L2 PGD with a doubling radius
 * ({@link Attacks#pgdL2}, {@value #PGD_STEPS} steps per radius, starting at {@code epsilon}): every label
 * is then a genuinely wrong class, the nearest one along the attack path, where FGSM's label can still be
 * the true one.
 */
public final class BoundaryShrink extends OptionsUnlearner<BoundaryShrink.Options> {
  /** The registry id. */
  public static final String ID = "bs";

  /** How the nearest wrong class is found. */
  public enum Attack implements Choice {
    /** One FGSM step of size epsilon, as the reference code ({@link Attacks#fgsm}). */
    FGSM,
    /** AMUN's L2 PGD with a doubling radius from epsilon ({@link Attacks#pgdL2}). */
    PGD
  }

  /** BS hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @SgdOptions.Docs(epochs = "passes over the forget set") SgdOptions sgd,
      @Doc("FGSM step size (L-inf), or PGD's initial L2 radius, in [0, 1] pixel units, in (0, 1]") double epsilon,
      @Doc("how the nearest wrong class is found: fgsm (reference code) or pgd (AMUN's L2 PGD, doubling radius)")
          Attack attack) implements SgdOptions.Holder<Options> {
    /** Validates the options. */
    public Options {
      sgd.check(ID);
      if (!(epsilon > 0 && epsilon <= 1)) {
        throw new LetheException(ID + ".epsilon must be in (0, 1] (pixel units), got " + epsilon);
      }
      Objects.requireNonNull(attack, "attack");
    }

    /** The defaults described in the class comment: 2 epochs at a constant 3e-4, FGSM with ε 0.1. */
    public static Options defaults() {
      return new Options(
          SgdOptions.defaults().withEpochs(2).withLr(3e-4).withSchedule(LrSchedule.CONSTANT), 0.1, Attack.FGSM);
    }

    @Override
    public Options withSgd(SgdOptions sgd) {
      return new Options(sgd, epsilon, attack);
    }

    public Options withEpsilon(double epsilon) {
      return new Options(sgd, epsilon, attack);
    }

    public Options withAttack(Attack attack) {
      return new Options(sgd, epsilon, attack);
    }
  }

  /** PGD's iterations per radius and radius doublings when {@code attack=pgd} (AMUN's cheap setting). */
  private static final int PGD_STEPS = 10;

  private static final int PGD_DOUBLINGS = 11;

  /** BS with {@code options}, its forget batches (not the attack's inputs) augmented by {@code augmentation}. */
  public BoundaryShrink(Options options, Augmentation augmentation) {
    super(ID, options, augmentation);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    Dataset forget = task.forget();
    SgdOptions sgd = o.sgd();
    int[] labels;
    try (Network frozen = original.copy()) {
      labels = o.attack() == Attack.PGD
          ? AdversarialExamples.labels(frozen, forget, o.epsilon(), PGD_STEPS, PGD_DOUBLINGS, sgd.batchSize())
          : nearestWrongLabels(frozen, forget, o.epsilon(), sgd.batchSize());
    }
    return original.updatedCopy(net -> {
      BatchStream batches = new BatchStream(forget, sgd.batchSize(), seed, true, augmentation);
      Schedule schedule = sgd.plan(batches.batchesPerEpoch(), Math.min(sgd.batchSize(), forget.size()));
      Optimization.run(
          net, sgd.momentum(), sgd.weightDecay(), schedule,
          (step, t) -> relabelledStep(net, step, batches, labels), ID, progress);
    });
  }

  /**
   * The BS label of every row of {@code data}: the arg-max of {@code frozen} (eval mode) on the row's
   * image after one FGSM step of size {@code epsilon} against its true label. Attacks run in chunks of
   * {@code batchSize} rows; {@code frozen}'s parameters are unchanged and its gradients zero afterwards.
   */
  static int[] nearestWrongLabels(Network frozen, Dataset data, double epsilon, int batchSize) {
    int[] out = new int[data.size()];
    for (int start = 0; start < data.size(); start += batchSize) {
      int[] rows = new int[Math.min(batchSize, data.size() - start)];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = start + i;
      }
      try (NDManager step = frozen.manager().newSubManager()) {
        NDArray adversarial =
            Attacks.fgsm(frozen, step, Batches.images(step, data, rows), Batches.labels(step, data, rows),
                epsilon);
        long[] predicted = frozen.forward(adversarial, false).argMax(1).toLongArray();
        for (int i = 0; i < rows.length; i++) {
          out[rows[i]] = (int) predicted[i];
        }
      }
    }
    return out;
  }

  private static NDArray relabelledStep(Network net, NDManager step, BatchStream batches, int[] labels) {
    int[] rows = batches.next();
    int[] targets = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      targets[i] = labels[rows[i]];
    }
    return Losses.crossEntropy(
        net.forward(batches.images(step, rows), true), Batches.labels(step, targets));
  }
}
