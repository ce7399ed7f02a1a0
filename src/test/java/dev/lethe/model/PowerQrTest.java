package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PowerQrTest {
  /** A one-layer block initialised from seed 7 on {@code input}, with a non-zero bias. */
  private static SequentialBlock single(NDManager manager, Block layer, Shape input) {
    SequentialBlock root = new SequentialBlock().add(layer);
    Engine.getInstance().setRandomSeed(7);
    root.initialize(manager, DataType.FLOAT32, input);
    NDArray bias = root.getParameters().get("01" + layer.getClass().getSimpleName() + "_bias").getArray();
    bias.addi(0.5f);
    return root;
  }

  private static Block conv(int kernel, int stride, int pad) {
    return Conv2d.builder().setFilters(3).setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride)).optPadding(new Shape(pad, pad)).optBias(true).build();
  }

  /**
   * The explicit matrix of the layer, column j = layer(e_j) - layer(0), from the block's own forward (bias
   * included, so this also checks that M is the layer minus its value at zero).
   */
  private static double[][] explicitMatrix(NDManager manager, Block root, Shape input) {
    int n = (int) input.size();
    try (NDManager m = manager.newSubManager()) {
      ParameterStore store = new ParameterStore(m, false);
      NDArray basis = m.eye(n).reshape(new Shape(n).addAll(input.slice(1)));
      NDArray out = root.forward(store, new NDList(basis), false).singletonOrThrow();
      NDArray zero = root.forward(store, new NDList(m.zeros(input)), false).singletonOrThrow();
      float[] columns = out.reshape(n, -1).sub(zero.reshape(1, -1)).toFloatArray();
      int rows = columns.length / n;
      double[][] a = new double[rows][n];
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < rows; i++) {
          a[i][j] = columns[j * rows + i];
        }
      }
      return a;
    }
  }

  /** Singular values of {@code a}, descending: square roots of the eigenvalues of the smaller Gram matrix. */
  static double[] singularValues(double[][] a) {
    int rows = a.length;
    int cols = a[0].length;
    boolean left = rows <= cols;
    int d = left ? rows : cols;
    double[][] g = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double s = 0;
        for (int t = 0; t < (left ? cols : rows); t++) {
          s += left ? a[i][t] * a[j][t] : a[t][i] * a[t][j];
        }
        g[i][j] = s;
      }
    }
    double[] eig = jacobiEigenvalues(g);
    return Arrays.stream(eig).map(e -> Math.sqrt(Math.max(e, 0))).boxed()
        .sorted((x, y) -> Double.compare(y, x)).mapToDouble(Double::doubleValue).toArray();
  }

  /** Cyclic Jacobi rotations until the off-diagonal mass vanishes; returns the diagonal. */
  static double[] jacobiEigenvalues(double[][] s) {
    int n = s.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = s[i].clone();
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          off += a[p][q] * a[p][q];
        }
      }
      if (off < 1e-22) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (Math.abs(a[p][q]) < 1e-300) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double sn = t * c;
          for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - sn * akq;
            a[k][q] = sn * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - sn * aqk;
            a[q][k] = sn * apk + c * aqk;
          }
        }
      }
    }
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = a[i][i];
    }
    return d;
  }

  @Test
  void jacobiFindsKnownSingularValues() {
    double[][] a = {{3, 0, 0}, {0, -2, 0}};
    assertThat(singularValues(a)).containsExactly(new double[] {3, 2}, within(1e-12));
    double[][] b = {{1, 1}, {1, 1}, {0, 0}};
    assertThat(singularValues(b)).containsExactly(new double[] {2, 0}, within(1e-12));
  }

  @ParameterizedTest(name = "conv {0}x{0} stride {1} pad {2}")
  @CsvSource({"3, 1, 1", "3, 2, 1", "1, 2, 0"})
  void convSpectrumMatchesTheDenseSvd(int kernel, int stride, int pad) {
    Shape input = new Shape(1, 2, 6, 6);
    try (NDManager manager = NDManager.newBaseManager()) {
      SequentialBlock root = single(manager, conv(kernel, stride, pad), input);
      List<Layers.Layer> layers = Layers.of(root, input);
      assertThat(layers).hasSize(1);
      Layers.Affine layer = (Layers.Affine) layers.get(0);
      assertThat(layer.kind()).isEqualTo("conv " + kernel + "x" + kernel + " s" + stride + " p" + pad);
      double[] dense = singularValues(explicitMatrix(manager, root, input));
      PowerQr.Spectrum s = PowerQr.top(layer, 3, 1000, 1);
      assertThat(s.values()).containsExactly(Arrays.copyOf(dense, 3), within(1e-3));
      assertThat(layer.weight().getArray().getGradient().abs().max().getFloat()).isZero();
    }
  }

  @Test
  void linearSpectrumMatchesTheDenseSvdAndKIsBounded() {
    Shape input = new Shape(1, 7);
    try (NDManager manager = NDManager.newBaseManager()) {
      SequentialBlock root = single(manager, Linear.builder().setUnits(5).build(), input);
      Layers.Affine layer = (Layers.Affine) Layers.of(root, input).get(0);
      assertThat(layer.kind()).isEqualTo("linear");
      assertThat(layer.rankBound()).isEqualTo(5);
      double[] dense = singularValues(explicitMatrix(manager, root, input));
      PowerQr.Spectrum s = PowerQr.top(layer, 5, 1000, 3);
      assertThat(s.values()).containsExactly(dense, within(1e-3));
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 5; j++) {
          double dot = 0;
          for (int t = 0; t < 7; t++) {
            dot += s.vectors()[i][t] * s.vectors()[j][t];
          }
          assertThat(dot).isCloseTo(i == j ? 1 : 0, within(1e-5));
        }
      }
      assertThatThrownBy(() -> PowerQr.top(layer, 6, 10, 1)).isInstanceOf(LetheException.class)
          .hasMessageContaining("cannot extract 6 singular values").hasMessageContaining("1 to 5");
      assertThatThrownBy(() -> PowerQr.top(layer, 0, 10, 1)).isInstanceOf(LetheException.class);
      assertThatThrownBy(() -> PowerQr.top(layer, 1, 0, 1)).isInstanceOf(LetheException.class)
          .hasMessageContaining("iteration");
    }
  }
}
