package dev.lethe.unlearn.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lethe.Choice;
import dev.lethe.Doc;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.AdamOptimizer;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Batches;
import dev.lethe.train.Losses;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.train.StepLoss;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.blocks.Distillation;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * ManiF-SMC: manifold forgetting with self mode connectivity (Wang, Tian, Zhang, Chen and Yu, "Approximate
 * Machine Unlearning through Manifold Representation Forgetting Guided by Self Mode Connectivity", KDD
 * 2026, arXiv 2605.22871; official code wwq5-code/ManiF, {@code create_unlearning_with_topk_loader},
 * {@code connect_determined_alpha} and {@code unlearning_with_topk} in
 * {@code On_MNIST/26Mar25/MNIST_Normal_distribution.py}). Unlearning happens in representation space: the
 * embedding z is {@link Network#embed}, the output of the features block.
 *
 * <p>Offline, with the original in eval mode: ẑ = L2-normalised embeddings of D_R; each forget sample x_e
 * gets its k retained neighbours S_k by cosine similarity, the centroid c_e = mean of ẑ over S_k and a
 * positive p_e from S_k. Then, with Adam, for every batch of forget samples: a margin α (no gradient) from a
 * surrogate model θ_s, {@code α = MSE(z_s(x_e), c_e) − MSE(z_s(p_e), c_e)}, and the loss
 * {@code L = max(0, s·[MSE(z(p_e), c_e) − MSE(z(x_e), c_e) + α + CE(head(z(p_e)), y_e)])}: the forget
 * sample is pushed off its centroid, the retained neighbour pulled onto it, until the gap reaches the
 * surrogate's. MSE is the mean over batch and dimensions and the clamp acts on the batch mean, as in the
 * code (both make per-sample and batch margins equivalent). As in the code, a and p are not normalised at
 * loss time although c_e is built from normalised embeddings. The CE term (the MNIST code's "with label"
 * variant; it scores the positive's logits against the forget sample's label) is dropped with
 * {@code withLabel=false}.
 *
 * <p>Where paper and code differ the code is the default. {@code positive}: {@code top1} (code) takes the
 * most similar neighbour; {@code random} (paper, rebuttal Q3) draws one of S_k with replacement each time
 * the sample is used. {@code surrogate}: {@code code} is {@code θ_s = (1−t)·θ + t·θ_fresh}, θ the current
 * model and θ_fresh an untrained initialisation drawn anew for every batch from the run's seed (as the code
 * does; one initialisation per batch costs one network build, cheap next to the four forward passes, so
 * it is not cached). {@code paper} is the quadratic Bézier point
 * {@code φ_w(t) = (1−t)²·θ + 2t(1−t)·w + t²·θ_o} between the current model and the original, whose
 * control point w is a fresh initialisation per batch trained for {@code curveSteps} Adam steps at
 * {@code curveLr} (θ and θ_o frozen) on the batch's S_k (k neighbours per forget sample, one mini-batch),
 * minimising {@code MSE(z_φ(x_s), c_s)} plus, with {@code withLabel}, {@code CE(φ(x_s), y_s)}: the paper
 * names neither the objective nor the budget, so both are ours (10 steps at 1e-2 lowered the fit loss by
 * about a third on the tiny test data; 1e-3 barely moved it). Surrogates interpolate every parameter,
 * BatchNorm running statistics included (the code interpolates only the trainable ones and keeps the
 * current model's statistics); the surrogate runs in the same BatchNorm mode as the unlearning, and in
 * train mode, the code's, running statistics are not used at all. The margin is a constant: it changes
 * the gradient only by deciding whether the clamp is active.
 *
 * <p>BatchNorm: train mode during unlearning ({@code bnTrain}, as the code's {@code vib.train()}), so the
 * forget batches and their positives move the running statistics; {@code bnTrain=false} uses eval mode
 * throughout. Defaults are the MNIST code's: Adam lr 5e-4, 1 epoch, batch 16, k 5, t 0.5, s 0.1, with
 * label. Our base models are plain classifiers, not the paper's MMCR-trained VAE encoder. Batches are never
 * augmented: the code materialises the unlearning images (and their neighbours) once, without augmentation.
 */
public final class ManifSmc extends OptionsUnlearner<ManifSmc.Options> {
  /** The registry id. */
  public static final String ID = "manif-smc";
  /** The model the margin is measured on. */
  public enum Surrogate implements Choice {
    /** The code's linear interpolation from the current model to a fresh initialisation. */
    CODE,
    /** The paper's quadratic Bézier point between the current model and the original, with a trained control point. */
    PAPER
  }

  /** Which retained neighbour is a forget sample's positive. */
  public enum Positive implements Choice {
    /** The code's most similar neighbour. */
    TOP1,
    /** The paper's: one of the k neighbours drawn at random each time the sample is used. */
    RANDOM
  }
  /** Images per forward pass while embedding whole splits. */
  private static final int CHUNK = 500;

  /**
   * ManiF-SMC hyperparameters (its own fields: Adam, not SGD); {@code with*} returns a copy with one field
   * changed.
   */
  public record Options(
      @Doc("passes over the forget set") int epochs,
      @Doc("Adam learning rate") double lr,
      @Doc("forget images per step") int batchSize,
      @Doc("retained neighbours per forget sample (top-k by cosine similarity)") int k,
      @Doc("position t of the surrogate between the current model (0) and the other end (1)") double t,
      @Doc("scale s of the triplet loss") double scale,
      @Doc("add the cross-entropy of the positive's logits against the forget label (code's label variant)")
          boolean withLabel,
      @Doc("margin surrogate: code (interpolate to a fresh init) or paper (trained Bezier control point)")
          Surrogate surrogate,
      @Doc("positive sample: top1 (code) or random (paper: a random one of the k neighbours)")
          Positive positive,
      @Doc("BatchNorm in train mode (true, official code) or eval mode (false)") boolean bnTrain,
      @Doc("surrogate=paper: Adam steps training the control point w on each batch's neighbours")
          int curveSteps,
      @Doc("surrogate=paper: Adam learning rate of the control point w") double curveLr) {
    /** Validates the options. */
    public Options {
      OptionChecks.positive(ID + ".epochs", epochs);
      OptionChecks.positive(ID + ".lr", lr);
      OptionChecks.batchSize(ID + ".batchSize", batchSize);
      if (k < 1) {
        throw new LetheException(ID + ".k must be at least 1, got " + k);
      }
      OptionChecks.unitInterval(ID + ".t", t);
      OptionChecks.positive(ID + ".scale", scale);
      Objects.requireNonNull(surrogate, "surrogate");
      Objects.requireNonNull(positive, "positive");
      OptionChecks.positive(ID + ".curveSteps", curveSteps);
      OptionChecks.positive(ID + ".curveLr", curveLr);
    }

    /** The defaults described in the class comment. */
    public static Options defaults() {
      return new Options(1, 5e-4, 16, 5, 0.5, 0.1, true, Surrogate.CODE, Positive.TOP1, true, 10, 1e-2);
    }

    public Options withEpochs(int epochs) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withLr(double lr) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withBatchSize(int batchSize) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withK(int k) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withT(double t) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withScale(double scale) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withWithLabel(boolean withLabel) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withSurrogate(Surrogate surrogate) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withPositive(Positive positive) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withBnTrain(boolean bnTrain) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withCurveSteps(int curveSteps) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }

    public Options withCurveLr(double curveLr) {
      return new Options(epochs, lr, batchSize, k, t, scale, withLabel, surrogate, positive, bnTrain, curveSteps,
          curveLr);
    }
  }

  /** ManiF-SMC with {@code options}. */
  public ManifSmc(Options options) {
    super(ID, options);
  }

  /**
   * The offline part: for forget sample e, {@code rows[e]} are its k retained neighbours (rows of D_R, most
   * similar first) and {@code centroids[e]} the mean of their L2-normalised embeddings.
   */
  record Neighbours(int[][] rows, float[][] centroids) {}

  /** Representation-space forgetting reads the embedding and feeds it to the head. */
  @Override
  public Set<Network.Part> needs() {
    return Set.of(Network.Part.EMBEDDING);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    original.require(needs(), ID);
    return original.updatedCopy(net -> {
      try (Network surrogate = original.copy();
          Network anchor = o.surrogate() == Surrogate.PAPER ? original.copy() : null;
          AdamOptimizer adam = new AdamOptimizer(net, 0)) {
        Neighbours neighbours = neighbours(net, task.forget(), task.retain(), o.k(), CHUNK);
        SplittableRandom random = new SplittableRandom(seed);
        BatchStream batches = new BatchStream(task.forget(), o.batchSize(), random.nextLong(), true);
        Schedule schedule =
            new Schedule(o.epochs() * batches.batchesPerEpoch(), batches.batchesPerEpoch(),
                Math.min(o.batchSize(), task.forget().size()), o.lr(), LrSchedule.CONSTANT);
        Optimization.run(
            net, adam, schedule,
            new Step(net, surrogate, anchor, task, neighbours, batches, random.split(), random.split()),
            ID, progress);
      }
    });
  }

  /** One unlearning step; {@link #prepare} draws the batch and computes its margin without gradients. */
  private final class Step implements StepLoss {
    private final Network net;
    private final Network surrogate;
    private final Network anchor;
    private final ForgetTask task;
    private final Neighbours neighbours;
    private final BatchStream batches;
    private final SplittableRandom initSeeds;
    private final SplittableRandom positiveDraws;
    private NDArray forget;
    private NDArray positives;
    private NDArray centroids;
    private NDArray labels;
    private float margin;

    Step(Network net, Network surrogate, Network anchor, ForgetTask task, Neighbours neighbours,
        BatchStream batches, SplittableRandom initSeeds, SplittableRandom positiveDraws) {
      this.net = net;
      this.surrogate = surrogate;
      this.anchor = anchor;
      this.task = task;
      this.neighbours = neighbours;
      this.batches = batches;
      this.initSeeds = initSeeds;
      this.positiveDraws = positiveDraws;
    }

    @Override
    public void prepare(NDManager step, int t) {
      int[] rows = batches.next();
      int[] positiveRows = new int[rows.length];
      for (int i = 0; i < rows.length; i++) {
        int[] near = neighbours.rows()[rows[i]];
        positiveRows[i] = o.positive() == Positive.TOP1 ? near[0] : near[positiveDraws.nextInt(near.length)];
      }
      forget = batches.images(step, rows);
      positives = Batches.images(step, task.retain(), positiveRows);
      centroids = Distillation.gather(step, neighbours.centroids(), rows);
      labels = Batches.labels(step, task.forget(), rows);
      try (Network other = net.fresh(initSeeds.nextLong())) {
        if (anchor == null) {
          combine(surrogate, new double[] {1 - o.t(), o.t()}, net, other);
        } else {
          fitControlPoint(other, rows);
        }
      }
      margin = (float) (mse(surrogate.embed(forget, o.bnTrain()), centroids).getFloat()
          - mse(surrogate.embed(positives, o.bnTrain()), centroids).getFloat());
    }

    @Override
    public NDArray loss(NDManager step, int t) {
      NDArray a = net.embed(forget, o.bnTrain());
      NDArray p = net.embed(positives, o.bnTrain());
      NDArray ce = o.withLabel() ? Losses.crossEntropy(net.head(p, o.bnTrain()), labels) : null;
      return tripletLoss(a, p, centroids, margin, ce, o.scale());
    }

    /**
     * Trains the control point {@code w} (a fresh network) so that the Bézier point
     * {@code φ = (1−t)²·θ + 2t(1−t)·w + t²·θ_o}, left in {@link #surrogate}, fits the neighbours of
     * {@code rows}, with θ and θ_o frozen. The loss is evaluated at φ, so its gradient with respect to w is
     * c = 2t(1−t) times the gradient at φ, and an Adam step Δw moves φ by c·Δw: Adam on φ itself with the
     * loss scaled by c and the rate by c takes exactly these steps, with no second network to keep in sync.
     */
    private void fitControlPoint(Network w, int[] rows) {
      double tt = o.t();
      double c = 2 * tt * (1 - tt);
      combine(surrogate, new double[] {(1 - tt) * (1 - tt), c, tt * tt}, net, w, anchor);
      if (c == 0) {
        return; // t = 0 or 1: an end of the curve, where w has no weight
      }
      int k = o.k();
      int[] near = new int[rows.length * k];
      float[][] targets = new float[near.length][];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(neighbours.rows()[rows[i]], 0, near, i * k, k);
        Arrays.fill(targets, i * k, (i + 1) * k, neighbours.centroids()[rows[i]]);
      }
      Dataset retain = task.retain();
      try (AdamOptimizer control = new AdamOptimizer(surrogate, 0)) {
        Schedule schedule =
            new Schedule(o.curveSteps(), o.curveSteps(), near.length, c * o.curveLr(), LrSchedule.CONSTANT);
        Optimization.run(
            surrogate, control, schedule,
            (step, s) -> {
              NDArray z = surrogate.embed(Batches.images(step, retain, near), o.bnTrain());
              NDArray fit = mse(z, Distillation.gather(step, targets, range(0, targets.length)));
              NDArray loss = o.withLabel()
                  ? fit.add(Losses.crossEntropy(surrogate.head(z, o.bnTrain()), Batches.labels(step, retain, near)))
                  : fit;
              return loss.mul((float) c);
            },
            ID + " control point", Progress.silent());
      }
    }
  }

  /**
   * Sets every parameter of {@code target} (BatchNorm running statistics included) to
   * {@code Σ weights[j] · sources[j]}; all networks share one architecture.
   */
  static void combine(Network target, double[] weights, Network... sources) {
    List<Pair<String, Parameter>> out = target.parameters();
    List<List<Pair<String, Parameter>>> in = Arrays.stream(sources).map(Network::parameters).toList();
    try (NDManager scratch = target.manager().newSubManager()) {
      for (int i = 0; i < out.size(); i++) {
        NDArray sum = null;
        for (int j = 0; j < sources.length; j++) {
          NDArray term = in.get(j).get(i).getValue().getArray().mul((float) weights[j]);
          term.attach(scratch);
          sum = sum == null ? term : sum.addi(term);
        }
        sum.copyTo(out.get(i).getValue().getArray());
      }
    }
  }

  /**
   * The triplet loss anchored at the centroid, {@code max(0, s·[MSE(p, c) − MSE(a, c) + margin + extra])},
   * with MSE the mean over batch and dimensions; {@code extra} (a scalar, e.g. a cross-entropy) may be null.
   */
  static NDArray tripletLoss(NDArray a, NDArray p, NDArray c, float margin, NDArray extra, double scale) {
    NDArray bracket = mse(p, c).sub(mse(a, c)).add(margin);
    if (extra != null) {
      bracket = bracket.add(extra);
    }
    return bracket.mul((float) scale).maximum(0f);
  }

  /** Mean squared difference over all elements (PyTorch's {@code F.mse_loss}). */
  static NDArray mse(NDArray x, NDArray y) {
    return x.sub(y).square().mean();
  }

  /**
   * For every row of {@code forget}, its {@code k} most cosine-similar rows of {@code retain} under
   * {@code original}'s embeddings in eval mode (ties to the lower row) and the mean of their L2-normalised
   * embeddings. The similarities are computed {@code chunk} rows of D_R at a time, so memory stays at
   * |D_F| x d plus a chunk.
   */
  static Neighbours neighbours(Network original, Dataset forget, Dataset retain, int k, int chunk) {
    if (k > retain.size()) {
      throw new LetheException(
          ID + ".k = " + k + " exceeds the " + retain.size() + " retained samples; lower " + ID + ".k");
    }
    int n = forget.size();
    int[][] best = new int[n][k];
    float[][] scores = new float[n][k];
    for (float[] s : scores) {
      Arrays.fill(s, Float.NEGATIVE_INFINITY);
    }
    try (NDManager scratch = original.manager().newSubManager()) {
      NDArray queries = normalisedEmbeddings(original, scratch, forget, range(0, n), chunk).transpose();
      for (int start = 0; start < retain.size(); start += chunk) {
        int[] rows = range(start, Math.min(retain.size(), start + chunk));
        try (NDManager part = scratch.newSubManager()) {
          float[] sims = normalisedEmbeddings(original, part, retain, rows, chunk).matMul(queries).toFloatArray();
          for (int r = 0; r < rows.length; r++) {
            for (int e = 0; e < n; e++) {
              insert(best[e], scores[e], rows[r], sims[r * n + e]);
            }
          }
        }
      }
      float[][] centroids = new float[n][];
      int group = Math.max(1, chunk / k);
      for (int start = 0; start < n; start += group) {
        int end = Math.min(n, start + group);
        int[] near = new int[(end - start) * k];
        for (int e = start; e < end; e++) {
          System.arraycopy(best[e], 0, near, (e - start) * k, k);
        }
        try (NDManager part = scratch.newSubManager()) {
          NDArray z = normalisedEmbeddings(original, part, retain, near, chunk);
          float[] means = z.reshape(end - start, k, -1).mean(new int[] {1}).toFloatArray();
          int d = means.length / (end - start);
          for (int e = start; e < end; e++) {
            centroids[e] = Arrays.copyOfRange(means, (e - start) * d, (e - start + 1) * d);
          }
        }
      }
      return new Neighbours(best, centroids);
    }
  }

  /** Inserts {@code row} with {@code score} into the descending top list if it beats its last entry. */
  private static void insert(int[] rows, float[] scores, int row, float score) {
    int at = scores.length;
    while (at > 0 && score > scores[at - 1]) {
      at--;
    }
    if (at == scores.length) {
      return;
    }
    System.arraycopy(rows, at, rows, at + 1, rows.length - at - 1);
    System.arraycopy(scores, at, scores, at + 1, scores.length - at - 1);
    rows[at] = row;
    scores[at] = score;
  }

  /**
   * L2-normalised eval-mode embeddings of {@code rows} of {@code data}, {@code chunk} images per forward
   * pass, owned by {@code manager}.
   */
  private static NDArray normalisedEmbeddings(
      Network network, NDManager manager, Dataset data, int[] rows, int chunk) {
    NDArray out = null;
    for (int start = 0; start < rows.length; start += chunk) {
      int[] part = Arrays.copyOfRange(rows, start, Math.min(rows.length, start + chunk));
      NDArray z = network.embed(Batches.images(manager, data, part), false);
      // F.normalize: z / max(||z||, 1e-12)
      NDArray unit = z.div(z.norm(new int[] {1}, true).maximum(1e-12f));
      out = out == null ? unit : out.concat(unit, 0);
    }
    return out;
  }

  private static int[] range(int from, int to) {
    int[] out = new int[to - from];
    for (int i = 0; i < out.length; i++) {
      out[i] = from + i;
    }
    return out;
  }
}
