package dev.lethe.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * PowerQR, the spectrum extraction of FastClip (Ebrahimpour-Boroojeny et al., "Spectrum Extraction and
 * Clipping for Implicitly Linear Layers", AISTATS 2024; ported from Ali-E/FastClip
 * {@code models/clip_toolbox.py::power_qr}): the top-k singular values and right singular vectors of a conv
 * or linear layer, the adjoint coming from autograd so any padding, stride and dilation is exact. One
 * iteration on the k rows of X: L = 1/2 sum ||M(X)||^2, G = dL/dX = M^T M X, Y = X + G, thin QR Y^T = QR,
 * X <- Q^T; then sigma_i = sqrt(|R_ii - 1|), since R_ii tends to 1 + sigma_i^2. The shift by the identity
 * keeps Y of full rank. The layer's weight is used detached, so its gradient is never touched; M is the
 * layer without its bias, which equals layer(x) - layer(0). The QR is modified Gram-Schmidt with one
 * re-orthogonalisation, in double precision in Java (k is small; DJL has no QR).
 */
public final class PowerQr {
  /** Iterations from a random start when extracting a spectrum (the code's {@code init_pqr_iter}). */
  public static final int DEFAULT_ITERATIONS = 100;

  private PowerQr() {}

  /**
   * Singular values in descending order with their right singular vectors.
   *
   * @param values the top singular values, largest first
   * @param vectors {@code vectors[i]} is the unit right singular vector of {@code values[i]}, flattened
   */
  public record Spectrum(double[] values, float[][] vectors) {}

  /**
   * The top {@code k} singular values of {@code layer} after {@code iterations} PowerQR iterations from a
   * Gaussian start drawn from {@code seed}.
   *
   * @throws LetheException if {@code k} is not in [1, rank bound] or {@code iterations} is not positive
   */
  public static Spectrum top(Layers.Affine layer, int k, int iterations, long seed) {
    if (k < 1 || k > layer.rankBound()) {
      throw new LetheException("cannot extract " + k + " singular values of layer " + layer.name() + " ("
          + layer.kind() + ", input " + layer.input() + "): ask for 1 to " + layer.rankBound()
          + ", the smaller of its input and output sizes");
    }
    if (iterations < 1) {
      throw new LetheException("PowerQR needs at least 1 iteration, got " + iterations);
    }
    float[][] x = gaussian(k, layer.inputSize(), new SplittableRandom(seed));
    double[] sigma = iterate(layer, x, iterations);
    Integer[] order = new Integer[k];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingDouble(i -> -sigma[i]));
    double[] values = new double[k];
    float[][] vectors = new float[k][];
    for (int i = 0; i < k; i++) {
      values[i] = sigma[order[i]];
      vectors[i] = x[order[i]];
    }
    return new Spectrum(values, vectors);
  }

  /**
   * Runs {@code iterations} PowerQR iterations on {@code layer} from the rows of {@code x} (each a flattened
   * input of the layer), overwriting them with the new orthonormal rows: a warm start for the next call.
   *
   * @return the singular-value estimates, in row order (not sorted)
   */
  public static double[] iterate(Layers.Affine layer, float[][] x, int iterations) {
    int k = x.length;
    Shape batch = new Shape(k).addAll(layer.input().slice(1));
    double[] r = new double[k];
    NDArray parameter = layer.weight().getArray();
    try (NDManager scope = parameter.getManager().newSubManager()) {
      NDArray weight = parameter.stopGradient();
      weight.attach(scope);
      for (int it = 0; it < iterations; it++) {
        try (NDManager step = scope.newSubManager()) {
          NDArray leaf = step.create(flatten(x), batch);
          leaf.setRequiresGradient(true);
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(layer.apply(leaf, weight).square().sum().mul(0.5f));
          }
          float[] g = leaf.getGradient().toFloatArray();
          double[][] y = new double[k][];
          int n = x[0].length;
          for (int i = 0; i < k; i++) {
            y[i] = new double[n];
            for (int j = 0; j < n; j++) {
              y[i][j] = x[i][j] + (double) g[i * n + j];
            }
          }
          r = orthonormalise(y);
          for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
              x[i][j] = (float) y[i][j];
            }
          }
        }
      }
    }
    double[] sigma = new double[k];
    for (int i = 0; i < k; i++) {
      sigma[i] = Math.sqrt(Math.abs(r[i] - 1));
    }
    return sigma;
  }

  /** {@code k} rows of {@code n} standard normal values. */
  public static float[][] gaussian(int k, long n, SplittableRandom random) {
    float[][] x = new float[k][Math.toIntExact(n)];
    for (float[] row : x) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    return x;
  }

  /**
   * Thin QR of the matrix whose columns are the rows of {@code y}: replaces them by Q's columns and returns
   * R's diagonal (modified Gram-Schmidt, applied twice for orthogonality in floating point).
   */
  static double[] orthonormalise(double[][] y) {
    double[] diagonal = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      double[] v = y[i];
      for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < i; j++) {
          double dot = dot(y[j], v);
          for (int t = 0; t < v.length; t++) {
            v[t] -= dot * y[j][t];
          }
        }
      }
      double norm = Math.sqrt(dot(v, v));
      for (int t = 0; t < v.length; t++) {
        v[t] /= norm;
      }
      diagonal[i] = norm;
    }
    return diagonal;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int t = 0; t < a.length; t++) {
      s += a[t] * b[t];
    }
    return s;
  }

  private static float[] flatten(float[][] rows) {
    int n = rows[0].length;
    float[] flat = new float[rows.length * n];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * n, n);
    }
    return flat;
  }
}
