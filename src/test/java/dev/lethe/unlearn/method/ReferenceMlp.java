package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.nn.Parameter;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Splits;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import dev.lethe.train.ParameterMask;
import dev.lethe.train.TinyData;
import java.util.List;

/**
 * The tiny network of the exact-value method tests, re-derived in plain double arithmetic: an {@code mlp}
 * on 2 inputs (1x1x2 images) with two ReLU layers of 2 units and 3 classes. Its parameters are held as
 * flat row-major arrays in {@link Network#trainableParameters()} order: W1 (2x2, out x in), b1, W2 (2x2),
 * b2, W3 (3x2), b3. Forward pass, cross-entropy, backpropagation and PyTorch's SGD are written out here
 * without calling the library, so a test can compare a method's weights with an independent computation.
 */
final class ReferenceMlp {
  static final ModelSpec SPEC = new ModelSpec("mlp", 1, 1, 2, 3, 2);
  /** Rows x columns of each parameter tensor (biases are columns of one). */
  private static final int[][] SHAPES = {{2, 2}, {2, 1}, {2, 2}, {2, 1}, {3, 2}, {3, 1}};
  private static final int W1 = 0;
  private static final int B1 = 1;
  private static final int W2 = 2;
  private static final int B2 = 3;
  private static final int W3 = 4;
  private static final int B3 = 5;

  /**
   * The smallest |hidden pre-activation| {@link #gradient} accepts: float rounding (about 1e-6 here) must
   * not be able to put the library's ReLU on the other side of its kink than this derivation's.
   */
  private static final double RELU_MARGIN = 1e-3;

  /** The starting weights of the SFR-on and SalUn tests. */
  static final double[][] WEIGHTS = {
    {0.9, 0.2, 0.8, 0.9}, {0.0, 0.1},
    {0.7, 1.0, -0.1, 0.8}, {0.1, 0.0},
    {1.5, -1.7, 1.8, -0.6, -1.9, -0.4}, {0.3, -0.3, -0.1}
  };
  /** The pool of those tests: two images of each class; class 0 (rows 0 and 1) is forgotten. */
  static final double[][] POOL_X = {{0.2, 0.2}, {0.6, 0.7}, {0.5, 0.6}, {0.2, 0.8}, {0.6, 0.5}, {0.4, 0.4}};
  static final int[] POOL_Y = {0, 0, 1, 1, 2, 2};

  private ReferenceMlp() {}

  /** A 1x1x2 dataset of {@code x} with labels {@code y} over {@link TinyData#CLASSES}. */
  static Dataset dataset(String name, double[][] x, int[] y) {
    float[] pixels = new float[2 * x.length];
    int[] ids = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      pixels[2 * i] = (float) x[i][0];
      pixels[2 * i + 1] = (float) x[i][1];
      ids[i] = i;
    }
    return new Dataset(name, 1, 1, 2, pixels, y.clone(), ids, TinyData.CLASSES);
  }

  /** The task forgetting class 0 of {@link #POOL_X}: forget rows 0-1, retain rows 2-5, in pool order. */
  static ForgetTask classZeroTask() {
    Dataset pool = dataset("mlp-pool", POOL_X, POOL_Y);
    return ForgetTask.derive(ForgetSpec.parse("class:0"), new Splits(pool, pool, pool), 0);
  }

  /** A network of {@link #SPEC} holding {@code weights} (rounded to float). */
  static Network network(double[][] weights) {
    Network net = Network.create(SPEC, 0);
    List<Parameter> params = net.trainableParameters();
    assertThat(params).hasSize(SHAPES.length);
    for (int p = 0; p < SHAPES.length; p++) {
      long[] shape = params.get(p).getArray().getShape().getShape();
      long[] expected = SHAPES[p][1] == 1 ? new long[] {SHAPES[p][0]} : new long[] {SHAPES[p][0], SHAPES[p][1]};
      assertThat(shape).as(params.get(p).getName()).isEqualTo(expected);
      float[] values = new float[weights[p].length];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) weights[p][i];
      }
      params.get(p).getArray().set(values);
    }
    return net;
  }

  /** The trainable parameters of {@code net} as doubles, in the layout of {@link #WEIGHTS}. */
  static double[][] weightsOf(Network net) {
    List<Parameter> params = net.trainableParameters();
    double[][] out = new double[params.size()][];
    for (int p = 0; p < out.length; p++) {
      float[] v = params.get(p).getArray().toFloatArray();
      out[p] = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        out[p][i] = v[i];
      }
    }
    return out;
  }

  /** The 0/1 entries of {@code mask}, in the layout of {@link #WEIGHTS}. */
  static double[][] entriesOf(ParameterMask mask) {
    double[][] out = new double[mask.size()][];
    for (int i = 0; i < out.length; i++) {
      float[] v = mask.get(i).toFloatArray();
      out[i] = new double[v.length];
      for (int j = 0; j < v.length; j++) {
        out[i][j] = v[j];
      }
    }
    return out;
  }

  /** Asserts every weight of {@code net} is within {@code tolerance} of {@code expected}. */
  static void assertWeights(Network net, double[][] expected, double tolerance, String what) {
    double[][] actual = weightsOf(net);
    for (int p = 0; p < expected.length; p++) {
      for (int i = 0; i < expected[p].length; i++) {
        assertThat(actual[p][i]).as("%s: tensor %d entry %d", what, p, i).isCloseTo(expected[p][i], within(tolerance));
      }
    }
  }

  static double[][] copy(double[][] a) {
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
    }
    return out;
  }

  static double[][] zerosLike(double[][] a) {
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = new double[a[i].length];
    }
    return out;
  }

  /** {@code a + b}, tensor by tensor. */
  static double[][] plus(double[][] a, double[][] b) {
    double[][] out = copy(a);
    for (int p = 0; p < a.length; p++) {
      for (int i = 0; i < a[p].length; i++) {
        out[p][i] += b[p][i];
      }
    }
    return out;
  }

  /** {@code a ⊙ b}, tensor by tensor (a gradient times a 0/1 mask). */
  static double[][] times(double[][] a, double[][] b) {
    double[][] out = copy(a);
    for (int p = 0; p < a.length; p++) {
      for (int i = 0; i < a[p].length; i++) {
        out[p][i] *= b[p][i];
      }
    }
    return out;
  }

  /** {@code a · s}. */
  static double[][] scaled(double[][] a, double s) {
    double[][] out = copy(a);
    for (double[] t : out) {
      for (int i = 0; i < t.length; i++) {
        t[i] *= s;
      }
    }
    return out;
  }

  /** √(Σ a²) over every entry of every tensor. */
  static double norm(double[][] a) {
    double sum = 0;
    for (double[] t : a) {
      for (double v : t) {
        sum += v * v;
      }
    }
    return Math.sqrt(sum);
  }

  /** The pre-activations z1, z2 and the logits z3 of one image. */
  private static double[][] forward(double[][] w, double[] x) {
    double[] z1 = affine(w[W1], w[B1], x);
    double[] z2 = affine(w[W2], w[B2], relu(z1));
    double[] z3 = affine(w[W3], w[B3], relu(z2));
    return new double[][] {z1, z2, z3};
  }

  private static double[] affine(double[] weight, double[] bias, double[] in) {
    double[] out = bias.clone();
    for (int o = 0; o < out.length; o++) {
      for (int i = 0; i < in.length; i++) {
        out[o] += weight[o * in.length + i] * in[i];
      }
    }
    return out;
  }

  private static double[] relu(double[] z) {
    double[] a = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      a[i] = Math.max(0, z[i]);
    }
    return a;
  }

  /** Softmax of the logits of one image. */
  static double[] probabilities(double[][] w, double[] x) {
    double[] z = forward(w, x)[2];
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[z.length];
    for (int k = 0; k < z.length; k++) {
      p[k] = Math.exp(z[k] - max);
      sum += p[k];
    }
    for (int k = 0; k < z.length; k++) {
      p[k] /= sum;
    }
    return p;
  }

  /** Cross-entropy −log p_y of one image. */
  static double crossEntropy(double[][] w, double[] x, int y) {
    return -Math.log(probabilities(w, x)[y]);
  }

  /**
   * The gradient of {@code Σ_i coef[i] · CE(x_i, y_i)} with respect to every parameter: {@link #gradientAt} with
   * the error at the logits δ3 = coef·(p − onehot y).
   */
  static double[][] gradient(double[][] w, double[][] xs, int[] ys, double[] coef) {
    double[][] d3 = new double[xs.length][];
    for (int s = 0; s < xs.length; s++) {
      d3[s] = probabilities(w, xs[s]);
      d3[s][ys[s]] -= 1;
      for (int k = 0; k < d3[s].length; k++) {
        d3[s][k] *= coef[s];
      }
    }
    return gradientAt(w, xs, d3);
  }

  /**
   * The gradient with respect to every parameter of a loss whose derivative by the logits of image s is
   * {@code d3[s]}, by backpropagation: δ2 = (W3ᵀ δ3) ⊙ [z2 > 0]; δ1 = (W2ᵀ δ2) ⊙ [z1 > 0]; each layer's weight
   * gradient is δ times its input, its bias gradient δ. Fails if a hidden pre-activation is within
   * {@link #RELU_MARGIN} of 0.
   */
  static double[][] gradientAt(double[][] w, double[][] xs, double[][] d3) {
    double[][] g = zerosLike(w);
    for (int s = 0; s < xs.length; s++) {
      double[][] z = forward(w, xs[s]);
      for (int layer = 0; layer < 2; layer++) {
        for (double v : z[layer]) {
          assertThat(Math.abs(v)).as("a ReLU of the fixture is at its kink").isGreaterThan(RELU_MARGIN);
        }
      }
      double[] a1 = relu(z[0]);
      double[] a2 = relu(z[1]);
      double[] d2 = backThrough(w[W3], d3[s], z[1]);
      double[] d1 = backThrough(w[W2], d2, z[0]);
      accumulate(g[W3], g[B3], d3[s], a2);
      accumulate(g[W2], g[B2], d2, a1);
      accumulate(g[W1], g[B1], d1, xs[s]);
    }
    return g;
  }

  /** The logits of one image. */
  static double[] logits(double[][] w, double[] x) {
    return forward(w, x)[2];
  }

  /** Mean cross-entropy gradient over {@code xs}. */
  static double[][] meanGradient(double[][] w, double[][] xs, int[] ys) {
    double[] coef = new double[xs.length];
    java.util.Arrays.fill(coef, 1.0 / xs.length);
    return gradient(w, xs, ys, coef);
  }

  /** (Wᵀ δ) ⊙ [z > 0]: the error at the pre-activations z below a layer. */
  private static double[] backThrough(double[] weight, double[] delta, double[] z) {
    double[] out = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      for (int o = 0; o < delta.length; o++) {
        out[i] += weight[o * z.length + i] * delta[o];
      }
      out[i] = z[i] > 0 ? out[i] : 0;
    }
    return out;
  }

  private static void accumulate(double[] gw, double[] gb, double[] delta, double[] in) {
    for (int o = 0; o < delta.length; o++) {
      gb[o] += delta[o];
      for (int i = 0; i < in.length; i++) {
        gw[o * in.length + i] += delta[o] * in[i];
      }
    }
  }

  /** The rows {@code rows} of {@code x}. */
  static double[][] rows(double[][] x, int... rows) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = x[rows[i]];
    }
    return out;
  }

  /** The entries {@code rows} of {@code y}. */
  static int[] rows(int[] y, int... rows) {
    int[] out = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = y[rows[i]];
    }
    return out;
  }

  /**
   * PyTorch's SGD ({@code d = g + wd·w; v = μ·v + d; w −= lr·v}, the buffer starting at 0), with an
   * optional freeze mask whose 0 entries keep both weight and velocity as they are.
   */
  static final class Sgd {
    private final double momentum;
    private final double weightDecay;
    private double[][] velocity;

    Sgd(double momentum, double weightDecay) {
      this.momentum = momentum;
      this.weightDecay = weightDecay;
    }

    /** One update of {@code w} in place from {@code g} with rate {@code lr}; {@code freeze} may be null. */
    void step(double[][] w, double[][] g, double lr, double[][] freeze) {
      if (velocity == null) {
        velocity = zerosLike(w);
      }
      for (int p = 0; p < w.length; p++) {
        for (int i = 0; i < w[p].length; i++) {
          if (freeze != null && freeze[p][i] == 0) {
            continue;
          }
          double d = g[p][i] + weightDecay * w[p][i];
          velocity[p][i] = momentum * velocity[p][i] + d;
          w[p][i] -= lr * velocity[p][i];
        }
      }
    }
  }
}
