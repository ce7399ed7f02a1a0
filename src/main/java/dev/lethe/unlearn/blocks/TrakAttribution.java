package dev.lethe.unlearn.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import dev.lethe.train.Batches;
import dev.lethe.train.Optimization;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A TRAK estimate (Park et al., "TRAK: Attributing Model Behavior at Scale", ICML 2023) of the logits a model
 * retrained without a forget set would give, from the original alone or from TRAK's ensemble of independently
 * trained checkpoints, for datamodel matching (Georgiev et al., ICLR 2025). Per training example i, {@code φ_i =
 * Pᵀ ∇_θ m_i} is the random projection (P: Rademacher ±1/√d, seeded) of the gradient of its margin {@code m_i =
 * z_y − log Σ_{k≠y} e^{z_k} = log(p_i/(1 − p_i))}, for which the cross-entropy is the logistic loss {@code
 * log(1 + e^{−m})}: its gradient is {@code −(1 − p_i) ∇ m_i} (TRAK's Q) and its Gauss-Newton curvature {@code p_i
 * (1 − p_i) ∇m_i ∇m_iᵀ} (TRAK's R). The effect of including i on logit k of x is {@code τ_k(x, i) = φ_k(x)ᵀ (r̄
 * ΦᵀΦ + λI)⁻¹ φ_i (1 − p_i)} with {@code φ_k(x) = Pᵀ ∇_θ z_k(x)}, and the predicted retrained logits are {@code g(x) =
 * f(x) − m Σ_{i∈F} τ(x, i)} ({@code dm_multiplier} m, the authors' {@code DatamodelWrappedModel}).
 *
 * <p>The kernel is TRAK's {@code ΦᵀΦ} (the {@code trak} library's {@code get_x_xtx_inv}) times the mean curvature
 * {@code r̄ = Σ p_i(1 − p_i)‖φ_i‖² / Σ ‖φ_i‖²}, the scalar that gives it the trace of the one-step Newton Hessian
 * {@code ΦᵀRΦ} from which the TRAK paper derives it. TRAK drops R and its library rescales {@code (ΦᵀΦ)⁻¹} by its
 * mean absolute entry: its scores rank training examples but are on no output scale, and taken as output changes
 * they are about {@code 1/r̄} times too small (13-40× on a small cnn), so {@code m = 1} would barely move the
 * targets. With {@code r̄} they are on the Newton step's scale and keep TRAK's ranking; the full {@code ΦᵀRΦ}, also
 * on that scale, correlated worse with real retrains, and the retain set's Hessian alone overshot 14× (BENCHMARKS.md,
 * issue #12).
 *
 * <p>Because the sum over F is a single vector {@code u = (r̄ ΦᵀΦ + λI)⁻¹ Σ_F φ_i (1 − p_i)}, {@code Σ_F τ_k(x, i) =
 * ∇_θ z_k(x) · (P u)}: a directional derivative of the logits along {@code P u}, computed by a central difference of
 * two eval-mode forward passes (step 1e-3 ‖θ‖ along the direction), which is exact for a piecewise-linear network
 * (ReLU, max-pool, eval-mode BatchNorm) away from its kinks. The target side therefore needs no per-example gradient.
 * λ is {@code ridge} times the mean diagonal of {@code r̄ ΦᵀΦ}, so it does not depend on the gradients' scale.
 *
 * <p>Cost: one eval-mode forward and backward pass per training example, one at a time (DJL has no per-example
 * gradients; about 5-10 ms each for the small cnn on one core), a P × d projection held in memory (the default cnn
 * has about 20,500 parameters: 42 MB at d = 512), a d × d Cholesky solve, and four forward passes over the targets;
 * an ensemble pays the passes, the projection and the solve once per checkpoint, plus one forward pass.
 * With a linear model, d = P and equal curvatures (squared loss, or equal p) the estimate is the Newton step of
 * removing F with the full-data Hessian ({@code TrakAttributionTest}).
 */
public final class TrakAttribution {
  private TrakAttribution() {}

  /** Relative step of the central difference along the attribution direction. */
  private static final double STEP = 1e-3;

  /** Projection entries created per block: DJL copies a Java array through a direct buffer, capped at 64 MB. */
  private static final int PROJECTION_BLOCK = 1 << 20;

  /**
   * The predicted logits of a model retrained without rows {@code forget} of {@code pool}, on every row of each of
   * {@code targets}, for the network {@code net} trained on {@code pool} (left as it was).
   *
   * @param dimension d, the projected dimension
   * @param ridge λ relative to the mean diagonal of ΦᵀΦ
   * @param multiplier m, the scale of the attributed effect (1 = as estimated)
   */
  public static float[][][] predictRetrained(Network net, Dataset pool, int[] forget, Dataset[] targets,
      int dimension, double ridge, double multiplier, long seed, String what, Progress progress) {
    return predictRetrained(List.of(net), pool, forget, targets, dimension, ridge, multiplier, seed, what, progress);
  }

  /**
   * As {@link #predictRetrained(Network, Dataset, int[], Dataset[], int, double, double, long, String, Progress)} with
   * TRAK's ensemble of checkpoints: {@code nets} are models trained on {@code pool} independently (the first is the
   * one whose logits the prediction starts from), each attributes the effect of removing {@code forget} with its own
   * features and the same projection, and the prediction is {@code f₀(x) − m · mean_j Σ_{i∈F} τ_j(x, i)}: the first
   * model's logits moved by the ensemble's mean effect. One model is the single-checkpoint estimate exactly. TRAK
   * averages the kernel products and the Q weights over its checkpoints separately ({@code trak}'s {@code
   * finalize_scores}); here each checkpoint's Q stays in its own direction, so the ensemble is a mean of whole
   * per-checkpoint effects, each on its own output scale.
   */
  public static float[][][] predictRetrained(List<Network> nets, Dataset pool, int[] forget, Dataset[] targets,
      int dimension, double ridge, double multiplier, long seed, String what, Progress progress) {
    double[][][] effect = null;
    for (int j = 0; j < nets.size(); j++) {
      double[][][] one = effect(nets.get(j), pool, forget, targets, dimension, ridge, seed, what,
          nets.size() == 1 ? progress : progress.child("checkpoint " + (j + 1) + " of " + nets.size()));
      if (effect == null) {
        effect = one;
      } else {
        for (int t = 0; t < one.length; t++) {
          for (int i = 0; i < one[t].length; i++) {
            for (int k = 0; k < one[t][i].length; k++) {
              effect[t][i][k] += one[t][i][k];
            }
          }
        }
      }
    }
    if (effect == null) {
      throw new IllegalArgumentException("no network to attribute with");
    }
    float[][][] out = new float[targets.length][][];
    for (int t = 0; t < targets.length; t++) {
      float[][] base = Prediction.logits(nets.get(0), targets[t]);
      for (int i = 0; i < base.length; i++) {
        for (int k = 0; k < base[i].length; k++) {
          base[i][k] = (float) (base[i][k] - multiplier * (effect[t][i][k] / nets.size()));
        }
      }
      out[t] = base;
    }
    return out;
  }

  /**
   * {@code Σ_{i∈forget} τ(x, i)} for {@code net}, on every row of each of {@code targets}: the directional derivative
   * of its logits along its attribution direction (zero when that direction is).
   */
  private static double[][][] effect(Network net, Dataset pool, int[] forget, Dataset[] targets, int dimension,
      double ridge, long seed, String what, Progress progress) {
    List<Parameter> params = net.trainableParameters();
    long size = net.trainableCount();
    if (dimension > size) {
      throw new LetheException(what + ".dimension=" + dimension + " exceeds the network's " + size
          + " trainable parameters: project to at most " + size);
    }
    try (NDManager work = net.manager().newSubManager()) {
      NDArray projection = projection(work, (int) size, dimension, seed);
      double[][] phi = new double[pool.size()][];
      double[] weights = new double[pool.size()];
      double[] curvatures = new double[pool.size()];
      for (int i = 0; i < pool.size(); i++) {
        weights[i] = marginFeature(net, params, pool, i, projection, phi, what);
        curvatures[i] = weights[i] * (1 - weights[i]);
        progress.step(i, pool.size(), 0, 1, 1, weights[i]);
      }
      double[] u = direction(phi, weights, curvatures, forget, ridge);
      NDArray step = work.create(toFloats(u), new Shape(dimension, 1));
      float[] directionInParameters = projection.matMul(step).toFloatArray();
      return alongDirection(net, params, directionInParameters, targets);
    }
  }

  /**
   * {@code u = (r̄ ΦᵀΦ + λI)⁻¹ Σ_{i∈forget} φ_i w_i} with {@code r̄ = Σ c_i ‖φ_i‖² / Σ ‖φ_i‖²} and λ = {@code ridge} ×
   * the mean diagonal of {@code r̄ ΦᵀΦ}, in double: the attribution direction in projected space, that is TRAK's
   * divided by r̄.
   *
   * @param phi the features of every training example (n × d)
   * @param weights w_i, the train-side weights ({@code 1 − p_i} for the margin)
   * @param curvatures c_i, the loss's second derivative in the output ({@code p_i (1 − p_i)} for the margin, 1 for
   *     squared error)
   */
  public static double[] direction(double[][] phi, double[] weights, double[] curvatures, int[] forget,
      double ridge) {
    int d = phi[0].length;
    double[][] kernel = new double[d][d];
    double curved = 0;
    double total = 0;
    for (int i = 0; i < phi.length; i++) {
      double[] row = phi[i];
      double squared = 0;
      for (double v : row) {
        squared += v * v;
      }
      curved += curvatures[i] * squared;
      total += squared;
      for (int a = 0; a < d; a++) {
        if (row[a] == 0) {
          continue;
        }
        for (int b = 0; b <= a; b++) {
          kernel[a][b] += row[a] * row[b];
        }
      }
    }
    if (!(curved > 0)) {
      throw new LetheException("every training example has curvature 0 (p = 0 or 1 to double precision): the"
          + " attribution's Newton scale is undefined; use a less saturated original or another method");
    }
    double trace = 0;
    for (int a = 0; a < d; a++) {
      trace += kernel[a][a];
    }
    double lambda = ridge * trace / d;
    for (int a = 0; a < d; a++) {
      kernel[a][a] += lambda;
      for (int b = 0; b < a; b++) {
        kernel[b][a] = kernel[a][b];
      }
    }
    double[] rhs = new double[d];
    for (int i : forget) {
      for (int a = 0; a < d; a++) {
        rhs[a] += phi[i][a] * weights[i];
      }
    }
    double[] u = choleskySolve(kernel, rhs);
    // (r̄ K + r̄ λ' I)⁻¹ = (K + λ' I)⁻¹ / r̄, and λ = ridge × mean diagonal of r̄ K scales with r̄ alike
    double mean = curved / total;
    for (int a = 0; a < d; a++) {
      u[a] /= mean;
    }
    return u;
  }

  /** Solves {@code K x = b} for symmetric positive-definite K; a one-line error if K is singular. */
  static double[] choleskySolve(double[][] k, double[] b) {
    int n = b.length;
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = k[i][j];
        for (int m = 0; m < j; m++) {
          s -= l[i][m] * l[j][m];
        }
        if (i == j) {
          if (!(s > 0)) {
            throw new LetheException("the TRAK kernel is singular (pivot " + s + " at " + i + "): raise the ridge or"
                + " lower the dimension below the number of training examples");
          }
          l[i][i] = Math.sqrt(s);
        } else {
          l[i][j] = s / l[j][j];
        }
      }
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double s = b[i];
      for (int m = 0; m < i; m++) {
        s -= l[i][m] * y[m];
      }
      y[i] = s / l[i][i];
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = y[i];
      for (int m = i + 1; m < n; m++) {
        s -= l[m][i] * x[m];
      }
      x[i] = s / l[i][i];
    }
    return x;
  }

  /** A seeded P × d Rademacher matrix scaled by 1/√d. */
  private static NDArray projection(NDManager manager, int size, int dimension, long seed) {
    return projection(manager, size, dimension, seed, PROJECTION_BLOCK);
  }

  /**
   * As {@link #projection(NDManager, int, int, long)}, filled in blocks of at most {@code blockEntries} entries
   * (whole rows), the same matrix for every block size.
   */
  static NDArray projection(NDManager manager, int size, int dimension, long seed, int blockEntries) {
    SplittableRandom random = new SplittableRandom(seed);
    float scale = (float) (1 / Math.sqrt(dimension));
    NDArray whole = manager.zeros(new Shape(size, dimension));
    int rows = Math.max(1, blockEntries / dimension);
    for (int from = 0; from < size; from += rows) {
      int n = Math.min(rows, size - from);
      float[] values = new float[n * dimension];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextBoolean() ? scale : -scale;
      }
      try (NDArray block = manager.create(values, new Shape(n, dimension))) {
        whole.set(new NDIndex("{}:{}", from, from + n), block);
      }
    }
    return whole;
  }

  /**
   * Stores {@code φ_row = Pᵀ ∇ m_row} (eval mode) in {@code phi[row]} and returns {@code 1 − p_y} of that row,
   * leaving every parameter's gradient zero.
   */
  private static double marginFeature(Network net, List<Parameter> params, Dataset pool, int row, NDArray projection,
      double[][] phi, String what) {
    try (NDManager step = net.manager().newSubManager()) {
      int[] rows = {row};
      int y = pool.label(row);
      double[] oneMinusP = new double[1];
      Optimization.backward(step, (s, t) -> {
        NDArray z = net.forward(Batches.images(s, pool, rows), false).reshape(-1);
        float[] logits = z.toFloatArray();
        oneMinusP[0] = 1 - probability(logits, y);
        float[] others = new float[logits.length];
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < logits.length; k++) {
          others[k] = k == y ? 0 : 1;
          max = Math.max(max, logits[k]);
        }
        // log Σ_{k≠y} e^{z_k} = c + log Σ_{k≠y} e^{z_k − c} for the constant c = max z, which keeps exp finite
        NDArray logOthers = z.sub(max).exp().mul(s.create(others)).sum().log().add(max);
        return z.get(y).sub(logOthers);
      }, row, what + " attribution", pool.size());
      NDList grads = new NDList();
      for (Parameter p : params) {
        NDArray g = p.getArray().getGradient();
        g.attach(step);
        grads.add(g.reshape(1, -1));
      }
      float[] projected = NDArrays.concat(grads, 1).matMul(projection).toFloatArray();
      for (Parameter p : params) {
        NDArray g = p.getArray().getGradient();
        g.subi(g);
      }
      phi[row] = new double[projected.length];
      for (int a = 0; a < projected.length; a++) {
        phi[row][a] = projected[a];
      }
      return oneMinusP[0];
    }
  }

  private static double probability(float[] logits, int y) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    return Math.exp(logits[y] - max) / sum;
  }

  /**
   * The directional derivative along {@code w} of {@code net}'s eval-mode logits on every row of each of {@code
   * targets}, by a central difference (all zero for {@code w = 0}); the parameters are restored.
   */
  private static double[][][] alongDirection(Network net, List<Parameter> params, float[] w, Dataset[] targets) {
    float[][] saved = new float[params.size()][];
    double norm = 0;
    double wNorm = 0;
    for (int p = 0; p < params.size(); p++) {
      saved[p] = params.get(p).getArray().toFloatArray();
      for (float v : saved[p]) {
        norm += (double) v * v;
      }
    }
    for (float v : w) {
      wNorm += (double) v * v;
    }
    double[][][] out = new double[targets.length][][];
    if (wNorm == 0) {
      for (int t = 0; t < targets.length; t++) {
        out[t] = new double[targets[t].size()][net.architecture().classes()];
      }
      return out;
    }
    double h = STEP * Math.sqrt(norm) / Math.sqrt(wNorm);
    float[][][] plus = shifted(net, params, saved, w, h, targets);
    float[][][] minus = shifted(net, params, saved, w, -h, targets);
    for (int t = 0; t < targets.length; t++) {
      out[t] = new double[plus[t].length][];
      for (int i = 0; i < plus[t].length; i++) {
        out[t][i] = new double[plus[t][i].length];
        for (int k = 0; k < plus[t][i].length; k++) {
          out[t][i][k] = ((double) plus[t][i][k] - minus[t][i][k]) / (2 * h);
        }
      }
    }
    return out;
  }

  /** The logits on {@code targets} with the parameters at {@code saved + h w}; then restores {@code saved}. */
  private static float[][][] shifted(Network net, List<Parameter> params, float[][] saved, float[] w, double h,
      Dataset[] targets) {
    int at = 0;
    for (int p = 0; p < params.size(); p++) {
      float[] moved = new float[saved[p].length];
      for (int j = 0; j < moved.length; j++) {
        moved[j] = (float) (saved[p][j] + h * w[at + j]);
      }
      at += moved.length;
      params.get(p).getArray().set(moved);
    }
    try {
      float[][][] out = new float[targets.length][][];
      for (int t = 0; t < targets.length; t++) {
        out[t] = Prediction.logits(net, targets[t]);
      }
      return out;
    } finally {
      for (int p = 0; p < params.size(); p++) {
        params.get(p).getArray().set(saved[p]);
      }
    }
  }

  private static float[] toFloats(double[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }
}
