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
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
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

  /** Singular values of {@code a}, descending (commons-math3's dense SVD). */
  static double[] singularValues(double[][] a) {
    return new SingularValueDecomposition(new Array2DRowRealMatrix(a, false)).getSingularValues();
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
