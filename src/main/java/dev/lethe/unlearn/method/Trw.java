package dev.lethe.unlearn.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.lethe.Choice;
import dev.lethe.Doc;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Batches;
import dev.lethe.train.Losses;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.SgdOptions;
import dev.lethe.unlearn.blocks.ClassSimilarity;
import dev.lethe.unlearn.blocks.Distillation;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * TRW (tilted reweighting), class unlearning by fine-tuning towards the output distribution a retrained
 * model would give the forgotten class (Ebrahimpour-Boroojeny, Wang and Sundaram, "On the Necessity of
 * Output Distribution Reweighting for Effective Class Unlearning", arXiv 2506.20893 v4; v1 called the
 * β = 0 case RWFT). No code is public and the paper's full text was not available: this is the method
 * note's reconstruction (§3.2) from the abstract and the public ICLR-2026 reviews. For forgotten class f:
 *
 * <ol>
 *   <li>Class similarity, once, from the original θ_o ({@link ClassSimilarity}): r_k = the mean eval-mode
 *       logit vector of θ_o over the pool's images of class k ({@code similarity=logits}; class f's are
 *       the forget set) or the head's weight row k ({@code similarity=head}); PCA to d ≤ K − 1
 *       components (with all of them, the default, the projection only centres the vectors; a smaller d
 *       drops low-variance directions); {@code s_j = softmax_{j≠f}(cos(P r_f, P r_j) / τ)}.
 *   <li>Targets, once, from one eval-mode forward of θ_o over D_f: p_f ← 0, renormalise, tilt by
 *       {@code exp(β s_j)}, renormalise; computed as {@code q = softmax_{j≠f}(z_j + β s_j)} on the logits
 *       z, which is the same distribution without underflow. β = 0 is plain renormalisation (RWFT). The
 *       paper frames q as the KL projection of the renormalised distribution onto {@code E_q[s] ≥ c}, whose
 *       solution is this tilt; β is fixed here instead of being solved for from c.
 *   <li>Fine-tune a copy of θ_o on {@code L = E_{D_f} KL(q ‖ softmax f_θ(x)) + λ E_{D_r} CE(f_θ(x), y)}.
 * </ol>
 *
 * <p>Decisions the sources leave open, taken here: every step draws one forget batch and one retain batch
 * (each {@code batchSize} images), forwards them as one concatenated batch with BatchNorm in train mode
 * (so the running statistics see a mixed batch, as in a shuffled D_f ∪ D_r loader, not forget-only
 * batches), and minimises the KL term on the forget rows plus λ times the cross-entropy on the retain
 * rows: an unbiased stochastic gradient of L. An epoch is one pass over D_r; the forget stream cycles.
 * The KL is computed as the soft cross-entropy {@link Losses#softCrossEntropy} (equal gradient). The
 * similarity source (the reviews say "derived from logit weights"), τ, d, the epochs and the optimiser
 * are not known: defaults are SGD lr 0.01, momentum 0.9, wd 5e-4, batch 128, constant rate, λ = 1,
 * β = 10 (the paper's), τ = 0.1, all components, and 2 epochs as RL and SalUn here; one epoch reads
 * about twice |D_r| images, so on a 10-class task TRW costs about 1.8x RL's default. Class specs only:
 * {@link #supports} is false for any other, and {@link #unlearn} rejects them with a one-line error. With no
 * code to follow, the batches are augmented as the training recipe says (the field's default); the
 * similarity and target passes read clean images.
 */
public final class Trw extends OptionsUnlearner<Trw.Options> {
  /** The registry id. */
  public static final String ID = "trw";

  /** The class representations the similarity can be computed from. */
  public enum Similarity implements Choice {
    /** The original's mean eval-mode logit vector over the pool's images of each class. */
    LOGITS,
    /** The head's weight row of each class. */
    HEAD
  }

  /** TRW hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @SgdOptions.Docs(
              epochs = "passes over the retain set, each retain batch paired with a forget batch",
              batchSize = "images per step from each of the forget and the retain set")
          SgdOptions sgd,
      @Doc("tilt strength beta (0 = plain renormalisation, v1 RWFT)") double beta,
      @Doc("temperature tau of the softmax over class similarities") double temperature,
      @Doc("lambda: weight of the retain cross-entropy") double retainWeight,
      @Doc("class representation: logits (mean logit vector of the original per class) or head (weight rows)")
          Similarity similarity,
      @Doc("PCA components kept (0 = all, at most K-1)") int components) implements SgdOptions.Holder<Options> {
    /** Validates the options. */
    public Options {
      sgd.check(ID);
      OptionChecks.nonNegative(ID + ".beta", beta);
      OptionChecks.positive(ID + ".temperature", temperature);
      OptionChecks.nonNegative(ID + ".retainWeight", retainWeight);
      OptionChecks.nonNegative(ID + ".components", components);
      Objects.requireNonNull(similarity, "similarity");
    }

    /** The defaults described in the class comment: 2 epochs at a constant rate, β 10, τ 0.1, λ 1, logits. */
    public static Options defaults() {
      return new Options(
          SgdOptions.defaults().withEpochs(2).withSchedule(LrSchedule.CONSTANT), 10.0, 0.1, 1.0, Similarity.LOGITS, 0);
    }

    @Override
    public Options withSgd(SgdOptions sgd) {
      return new Options(sgd, beta, temperature, retainWeight, similarity, components);
    }

    public Options withBeta(double beta) {
      return new Options(sgd, beta, temperature, retainWeight, similarity, components);
    }

    public Options withTemperature(double temperature) {
      return new Options(sgd, beta, temperature, retainWeight, similarity, components);
    }

    public Options withRetainWeight(double retainWeight) {
      return new Options(sgd, beta, temperature, retainWeight, similarity, components);
    }

    public Options withSimilarity(Similarity similarity) {
      return new Options(sgd, beta, temperature, retainWeight, similarity, components);
    }

    public Options withComponents(int components) {
      return new Options(sgd, beta, temperature, retainWeight, similarity, components);
    }
  }

  /** TRW with {@code options}, its forget and retain batches (not its targets' inputs) augmented by {@code augmentation}. */
  public Trw(Options options, Augmentation augmentation) {
    super(ID, options, augmentation);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    int forgotten = forgottenClass(task);
    original.require(needs(), ID + ".similarity=head");
    return original.updatedCopy(net -> {
      // the copy is still θ_o here: similarity and targets come from it before any step
      float[][] forgetLogits = Prediction.logits(net, task.forget());
      double[] similarity = ClassSimilarity.toForgotten(
          representations(net, task, forgetLogits), forgotten, o.components(), o.temperature());
      float[][] targets = targets(forgetLogits, forgotten, similarity, o.beta());
      SplittableRandom random = new SplittableRandom(seed);
      SgdOptions sgd = o.sgd();
      BatchStream forget = new BatchStream(task.forget(), sgd.batchSize(), random.nextLong(), true, augmentation);
      BatchStream retain = new BatchStream(task.retain(), sgd.batchSize(), random.nextLong(), true, augmentation);
      Schedule schedule = sgd.plan(retain.batchesPerEpoch(),
          Math.min(sgd.batchSize(), task.forget().size()) + Math.min(sgd.batchSize(), task.retain().size()));
      Optimization.run(net, sgd.momentum(), sgd.weightDecay(), schedule,
          (step, t) -> loss(net, step, forget, retain, targets), ID, progress);
    });
  }

  /** With {@code similarity=head}, the class representations are the rows of a linear head. */
  @Override
  public Set<Network.Part> needs() {
    return o.similarity() == Similarity.HEAD ? Set.of(Network.Part.LINEAR_HEAD) : Set.of();
  }

  /** Specs of one class only. */
  @Override
  public boolean supports(ForgetSpec spec) {
    return spec instanceof ForgetSpec.ClassForget c && c.classes().size() == 1;
  }

  /** The one forgotten class of a class task; a one-line error for any other spec. */
  private int forgottenClass(ForgetTask task) {
    if (!supports(task.spec()) || task.forgetClasses().length != 1) {
      throw new LetheException(
          ID + " unlearns a whole class: use --forget class:NAME (got " + task.spec().text() + ")");
    }
    return task.forgetClasses()[0];
  }

  /** {@code KL(q ‖ p_θ)} on the next forget batch plus λ·CE on the next retain batch, in one forward. */
  private NDArray loss(Network net, NDManager step, BatchStream forget, BatchStream retain, float[][] targets) {
    int[] forgetRows = forget.next();
    int[] retainRows = retain.next();
    NDArray images = forget.images(step, forgetRows).concat(retain.images(step, retainRows), 0);
    NDArray logits = net.forward(images, true);
    int n = forgetRows.length;
    NDArray forgetTerm = Losses.softCrossEntropy(
        logits.get(new NDIndex(":{}", n)), Distillation.gather(step, targets, forgetRows));
    NDArray retainTerm = Losses.crossEntropy(
        logits.get(new NDIndex("{}:", n)), Batches.labels(step, retain.data(), retainRows));
    return forgetTerm.add(retainTerm.mul((float) o.retainWeight()));
  }

  /**
   * One representation per class, from the original (which {@code net} still is): the mean eval-mode
   * logit vector over the pool's images of each class ({@code forgetLogits} are D_f's, already
   * predicted), or the head's weight rows.
   *
   * @throws LetheException if a class has no image in the pool
   */
  private double[][] representations(Network net, ForgetTask task, float[][] forgetLogits) {
    int classes = net.classes();
    double[][] r = new double[classes][];
    if (o.similarity() == Similarity.HEAD) {
      float[] w = net.headWeight().toFloatArray();
      int dim = w.length / classes;
      for (int k = 0; k < classes; k++) {
        r[k] = new double[dim];
        for (int c = 0; c < dim; c++) {
          r[k][c] = w[k * dim + c];
        }
      }
      return r;
    }
    int[] counts = new int[classes];
    for (Dataset data : new Dataset[] {task.forget(), task.retain()}) {
      float[][] logits = data == task.forget() ? forgetLogits : Prediction.logits(net, data);
      for (int i = 0; i < logits.length; i++) {
        int y = data.label(i);
        if (r[y] == null) {
          r[y] = new double[classes];
        }
        for (int c = 0; c < classes; c++) {
          r[y][c] += logits[i][c];
        }
        counts[y]++;
      }
    }
    for (int k = 0; k < classes; k++) {
      if (counts[k] == 0) {
        throw new LetheException(String.format(Locale.ROOT,
            "%s.similarity=logits needs images of every class, but class %d has none in the training pool;"
                + " use %s.similarity=head or a larger training pool", ID, k, ID));
      }
      for (int c = 0; c < classes; c++) {
        r[k][c] /= counts[k];
      }
    }
    return r;
  }

  /**
   * The TRW target distribution per row of the original's logits: {@code q_f = 0} and
   * {@code q_j ∝ p_j exp(β s_j)} for j ≠ f, i.e. {@code softmax_{j≠f}(z_j + β s_j)}, in double.
   */
  static float[][] targets(float[][] logits, int forgotten, double[] similarity, double beta) {
    float[][] q = new float[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      int k = logits[i].length;
      double[] tilted = new double[k];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        if (j != forgotten) {
          tilted[j] = logits[i][j] + beta * similarity[j];
          max = Math.max(max, tilted[j]);
        }
      }
      double sum = 0;
      for (int j = 0; j < k; j++) {
        tilted[j] = j == forgotten ? 0 : Math.exp(tilted[j] - max);
        sum += tilted[j];
      }
      q[i] = new float[k];
      for (int j = 0; j < k; j++) {
        q[i][j] = (float) (tilted[j] / sum);
      }
    }
    return q;
  }
}
