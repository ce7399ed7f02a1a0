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
import dev.lethe.model.Layers;
import dev.lethe.model.Network;
import dev.lethe.train.Batches;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OptionsUnlearner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * ModHiFi-U, data-free class unlearning by subset fidelity (Kashyap, Murti, Nayak, Narshana and Bhattacharyya,
 * "ModHiFi: Identifying High Fidelity predictive components for Model Modification", NeurIPS 2025, Alg. 1).
 * A conv or linear layer's output channel c is a sum of per-input-channel contributions, Y_c = Σ_i A_ci (A_ci:
 * input channel i through the kernel slice W[c, i], bias left out); the pair (c, i) is a component. From
 * eval-mode forward passes over forget-class images only, each component gets
 *
 * <ul>
 *   <li>{@code score=fidelity} (the default): the closed-form singleton subset fidelity (§3) s_ci = 1 −
 *       E‖Y_c − α_ci A_ci‖² / E‖Y_c‖² = E⟨Y_c, A_ci⟩² / (E‖A_ci‖² E‖Y_c‖²), in [0, 1]; or
 *   <li>{@code score=alpha}: the least-squares coefficient α_ci = E⟨Y_c, A_ci⟩ / E‖A_ci‖² that s_ci is built
 *       from, large α read as high fidelity, which the method note reports as the paper's estimate for vision
 *       models;
 * </ul>
 *
 * <p>where E sums over images and output positions. In every edited layer the top {@code fraction} of its
 * components (⌈p · C_out · C_in⌉, ties to the lower (c, i)) are zeroed ({@code edit=zero}, BatchNorm networks) or
 * negated ({@code edit=negate}, the paper's LayerNorm-and-residual variant). No gradient, no label, no retain image
 * and no fine-tuning: the class is removed by the edit alone.
 *
 * <p>Decisions the paper leaves to its code, which was not available (the method note works from the paper
 * text): the default score is the fidelity the paper defines rather than α, because α is unbounded and grows as
 * a contribution shrinks (A = εY gives 1/ε), and because, measured here, it is the class-selective one: on the
 * tiny class task at p 0.1 fidelity lowers the forget set's true-class probability more than the retain set's and
 * keeps every retain image, while α lowers the retain set's more; on a Fashion-MNIST cnn (2,000-image pool, 15
 * epochs, class Sandal) p 0.3 takes forget accuracy to 23 % with fidelity but only to 76 % with α. The statistics
 * of every layer come from one set of passes through the original, so an edit upstream
 * does not change the scores downstream; the edited layers are every conv and linear layer but the last (the
 * classifier, which the paper's VGG-19 run does not edit either), or the last {@code layers} of them (the paper:
 * the last 12 of VGG-19's 16 convs). The paper reads synthetic forget-class images (no training data at all);
 * here D_f, the pool's images of the class, stands in for them, up to {@code samples} images in pool order (the
 * paper's timing section uses 2,000; a Fashion-MNIST class of the default 8,000-image pool holds about 800, so
 * by default all of them). Batches of 64 as in the paper's App. C.6.1. Scaled to our budget: nothing to scale, it
 * costs a few eval-mode passes over D_f (the paper: 10 s against GA's 30 s). Class specs only: {@link #supports}
 * is false for any other, and {@link #unlearn} rejects them on one line.
 */
public final class ModHiFiU extends OptionsUnlearner<ModHiFiU.Options> {
  /** The registry id. */
  public static final String ID = "modhifi-u";

  /** How a component's fidelity to the forget class is scored. */
  public enum Score implements Choice {
    /** The singleton subset fidelity E⟨Y_c, A_ci⟩² / (E‖A_ci‖² E‖Y_c‖²). */
    FIDELITY,
    /** α_ci = E⟨Y_c, A_ci⟩ / E‖A_ci‖², the estimate the method note reports for the paper's vision models. */
    ALPHA
  }

  /** What happens to the selected components' kernel slices. */
  public enum Edit implements Choice {
    /** W[c, i] ← 0: the BatchNorm networks of the paper (ResNet-50, VGG-19). */
    ZERO,
    /** W[c, i] ← −W[c, i]: the LayerNorm-and-residual variant (Swin-T). */
    NEGATE
  }

  /** ModHiFi-U hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @Doc("p: fraction of each edited layer's (output, input) channel components to edit") double fraction,
      @Doc("component score: fidelity (singleton subset fidelity) or alpha (its least-squares coefficient)")
          Score score,
      @Doc("edit of the selected components: zero (BatchNorm networks) or negate (LayerNorm variant)") Edit edit,
      @Doc("edit only the last N conv/linear layers before the classifier (0 = all of them)") int layers,
      @Doc("forget-class images the statistics read, in pool order (0 = all)") int samples,
      @Doc("images per forward pass") int batchSize) {
    /** Validates the options. */
    public Options {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new LetheException(ID + ".fraction must be in (0, 1], got " + fraction);
      }
      Objects.requireNonNull(score, "score");
      Objects.requireNonNull(edit, "edit");
      OptionChecks.nonNegative(ID + ".layers", layers);
      OptionChecks.nonNegative(ID + ".samples", samples);
      OptionChecks.positive(ID + ".batchSize", batchSize);
    }

    /**
     * The defaults of the class comment: p 0.1 (the middle of the paper's 0.01-0.2), fidelity, zero, all layers,
     * 2,000 images.
     */
    public static Options defaults() {
      return new Options(0.1, Score.FIDELITY, Edit.ZERO, 0, 2000, 64);
    }

    public Options withFraction(double fraction) {
      return new Options(fraction, score, edit, layers, samples, batchSize);
    }

    public Options withScore(Score score) {
      return new Options(fraction, score, edit, layers, samples, batchSize);
    }

    public Options withEdit(Edit edit) {
      return new Options(fraction, score, edit, layers, samples, batchSize);
    }

    public Options withLayers(int layers) {
      return new Options(fraction, score, edit, layers, samples, batchSize);
    }

    public Options withSamples(int samples) {
      return new Options(fraction, score, edit, layers, samples, batchSize);
    }

    public Options withBatchSize(int batchSize) {
      return new Options(fraction, score, edit, layers, samples, batchSize);
    }
  }

  /**
   * One layer's component statistics over the forget images, indexed [c][i].
   *
   * @param dot Σ ⟨Y_c, A_ci⟩
   * @param squares Σ ‖A_ci‖²
   * @param output Σ ‖Y_c‖², per output channel
   */
  record Statistics(double[][] dot, double[][] squares, double[] output) {
    /** The score of every component, [c][i]; a component that contributes nothing scores 0. */
    double[][] scores(Score score) {
      double[][] s = new double[dot.length][dot[0].length];
      for (int c = 0; c < dot.length; c++) {
        for (int i = 0; i < dot[c].length; i++) {
          double d = dot[c][i];
          double a = squares[c][i];
          if (a > 0) {
            s[c][i] = score == Score.ALPHA ? d / a : output[c] > 0 ? d * d / (a * output[c]) : 0;
          }
        }
      }
      return s;
    }
  }

  /** ModHiFi-U with {@code options}. */
  public ModHiFiU(Options options) {
    super(ID, options);
  }

  /** Class specs only. */
  @Override
  public boolean supports(ForgetSpec spec) {
    return spec instanceof ForgetSpec.ClassForget;
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    if (!supports(task.spec())) {
      throw new LetheException(ID + " unlearns whole classes from the class's images alone: use --forget class:NAME"
          + " (got " + task.spec().text() + ")");
    }
    return original.updatedCopy(net -> {
      List<Layers.Affine> layers = edited(net);
      List<Statistics> statistics = statistics(net, layers, task.forget());
      for (int l = 0; l < layers.size(); l++) {
        edit(layers.get(l), selected(statistics.get(l).scores(o.score()), o.fraction()));
      }
    });
  }

  /** The conv and linear layers the options edit: all but the last (the classifier), or the last N of those. */
  private List<Layers.Affine> edited(Network net) {
    List<Layers.Affine> all = Layers.affine(net);
    if (all.size() < 2) {
      throw new LetheException(ID + " edits the conv and linear layers before the classifier, and network "
          + net.architecture().name() + " has none; pick another --model");
    }
    List<Layers.Affine> before = all.subList(0, all.size() - 1);
    return o.layers() == 0 ? before : before.subList(Math.max(0, before.size() - o.layers()), before.size());
  }

  /**
   * The statistics of every layer in {@code layers} from eval-mode passes of {@code net} over the first
   * {@code samples} images of {@code forget}; only images are read, never labels.
   */
  List<Statistics> statistics(Network net, List<Layers.Affine> layers, Dataset forget) {
    int n = o.samples() == 0 ? forget.size() : Math.min(o.samples(), forget.size());
    List<Statistics> out = new ArrayList<>();
    for (Layers.Affine layer : layers) {
      long[] w = layer.weight().getArray().getShape().getShape();
      out.add(new Statistics(new double[(int) w[0]][(int) w[1]], new double[(int) w[0]][(int) w[1]],
          new double[(int) w[0]]));
    }
    for (int start = 0; start < n; start += o.batchSize()) {
      int[] rows = IntStream.range(start, Math.min(n, start + o.batchSize())).toArray();
      try (NDManager step = net.manager().newSubManager()) {
        Map<String, NDArray> inputs = Layers.inputs(net, Batches.images(step, forget, rows));
        for (int l = 0; l < layers.size(); l++) {
          Layers.Affine layer = layers.get(l);
          accumulate(layer, inputs.get(layer.name()), out.get(l));
        }
      }
    }
    return out;
  }

  /** Adds one batch's Σ⟨Y_c, A_ci⟩, Σ‖A_ci‖² and Σ‖Y_c‖² to {@code s}. */
  private static void accumulate(Layers.Affine layer, NDArray x, Statistics s) {
    NDArray w = layer.weight().getArray();
    NDArray y = layer.apply(x, w);
    int outputs = s.output().length;
    int inputs = s.dot()[0].length;
    if (!layer.isConv()) {
      // A_ci = x_i W_ci per image, so the sums are W ∘ (YᵀX) and W² ∘ Σ x_i²: no per-channel forward
      add(s.dot(), w.mul(y.transpose().matMul(x)).toFloatArray(), inputs);
      add(s.squares(), w.square().mul(x.square().sum(new int[] {0})).toFloatArray(), inputs);
    } else {
      int[] axes = {0, 2, 3};
      for (int i = 0; i < inputs; i++) {
        NDIndex channel = new NDIndex(":, {}:{}", i, i + 1);
        NDArray a = layer.apply(x.get(channel), w.get(channel));
        float[] dot = a.mul(y).sum(axes).toFloatArray();
        float[] squares = a.square().sum(axes).toFloatArray();
        for (int c = 0; c < outputs; c++) {
          s.dot()[c][i] += dot[c];
          s.squares()[c][i] += squares[c];
        }
      }
    }
    float[] yy = y.square().sum(IntStream.range(0, y.getShape().dimension()).filter(a -> a != 1).toArray())
        .toFloatArray();
    for (int c = 0; c < outputs; c++) {
      s.output()[c] += yy[c];
    }
  }

  private static void add(double[][] into, float[] flat, int inputs) {
    for (int k = 0; k < flat.length; k++) {
      into[k / inputs][k % inputs] += flat[k];
    }
  }

  /**
   * Whether each component [c][i] is among the top ⌈p · C_out · C_in⌉ scores (ties go to the lower flat index
   * c · C_in + i).
   */
  static boolean[][] selected(double[][] scores, double fraction) {
    int inputs = scores[0].length;
    int total = scores.length * inputs;
    int k = (int) Math.ceil(fraction * total - 1e-9);
    boolean[][] out = new boolean[scores.length][inputs];
    IntStream.range(0, total).boxed()
        .sorted(Comparator.<Integer>comparingDouble(j -> -scores[j / inputs][j % inputs]).thenComparing(j -> j))
        .limit(k)
        .forEach(j -> out[j / inputs][j % inputs] = true);
    return out;
  }

  /** Zeroes or negates the kernel slices W[c, i] of the {@code chosen} components. */
  private void edit(Layers.Affine layer, boolean[][] chosen) {
    NDArray weight = layer.weight().getArray();
    float[] w = weight.toFloatArray();
    int inputs = chosen[0].length;
    int slice = (int) (weight.size() / (chosen.length * (long) inputs));
    for (int c = 0; c < chosen.length; c++) {
      for (int i = 0; i < inputs; i++) {
        if (chosen[c][i]) {
          for (int k = (c * inputs + i) * slice, end = k + slice; k < end; k++) {
            w[k] = o.edit() == Edit.ZERO ? 0f : -w[k];
          }
        }
      }
    }
    try (NDManager scratch = weight.getManager().newSubManager()) {
      scratch.create(w, weight.getShape()).copyTo(weight);
    }
  }
}
