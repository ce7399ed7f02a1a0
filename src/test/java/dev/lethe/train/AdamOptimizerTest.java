package dev.lethe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamOptimizerTest {
  private static final Dataset DATA = TinyData.separable("tiny", 8, 1, 21);
  private static final int[] ROWS = {0, 1, 2, 3, 4, 5, 6, 7};

  private static StepLoss fixedBatch(Network net) {
    return (step, t) ->
        Losses.crossEntropy(
            net.forward(Batches.images(step, DATA, ROWS), true), Batches.labels(step, DATA, ROWS));
  }

  private static float[][] read(List<Parameter> params, NDManager step, boolean gradients) {
    float[][] out = new float[params.size()][];
    for (int i = 0; i < params.size(); i++) {
      NDArray a = params.get(i).getArray();
      if (gradients) {
        a = a.getGradient();
        a.attach(step);
      }
      out[i] = a.toFloatArray();
    }
    return out;
  }

  @Test
  void followsPyTorchAdamWithBiasCorrectionAndL2WeightDecay() {
    double b1 = 0.8;
    double b2 = 0.99;
    double eps = 1e-3; // large enough to matter in the check
    double wd = 0.1;
    double[] lrs = {0.05, 0.01, 0.02};
    try (Network net = Network.create(TinyData.mlp(4), 3); AdamOptimizer adam = new AdamOptimizer(net, b1, b2, eps, wd)) {
      List<Parameter> params = adam.parameters();
      StepLoss loss = fixedBatch(net);
      float[][] w = read(params, null, false);
      double[][] m = new double[params.size()][];
      double[][] v = new double[params.size()][];
      for (int p = 0; p < params.size(); p++) {
        m[p] = new double[w[p].length];
        v[p] = new double[w[p].length];
      }
      for (int n = 1; n <= lrs.length; n++) {
        float[][] g;
        try (NDManager step = net.manager().newSubManager()) {
          Optimization.backward(step, loss, n - 1, "test", lrs.length);
          g = read(params, step, true);
          adam.step(lrs[n - 1], step);
        }
        float[][] after = read(params, null, false);
        for (int p = 0; p < params.size(); p++) {
          for (int i = 0; i < w[p].length; i++) {
            double d = g[p][i] + wd * w[p][i];
            m[p][i] = b1 * m[p][i] + (1 - b1) * d;
            v[p][i] = b2 * v[p][i] + (1 - b2) * d * d;
            double mHat = m[p][i] / (1 - Math.pow(b1, n));
            double vHat = v[p][i] / (1 - Math.pow(b2, n));
            double expected = w[p][i] - lrs[n - 1] * mHat / (Math.sqrt(vHat) + eps);
            assertThat((double) after[p][i]).as("step %d, %s[%d]", n, params.get(p).getName(), i)
                .isCloseTo(expected, within(2e-6));
          }
        }
        w = after;
      }
      try (NDManager step = net.manager().newSubManager()) {
        for (float[] g : read(params, step, true)) {
          assertThat(g).containsOnly(0f);
        }
      }
    }
  }

  @Test
  void theFirstStepMovesEveryWeightByTheRateAgainstItsGradientSign() {
    // hand computation: m1 = (1-b1) g, v1 = (1-b2) g^2, so m1/(1-b1) / sqrt(v1/(1-b2)) = sign(g)
    try (Network net = Network.create(TinyData.mlp(4), 3); AdamOptimizer adam = new AdamOptimizer(net, 0)) {
      List<Parameter> params = adam.parameters();
      float[][] w = read(params, null, false);
      float[][] g;
      try (NDManager step = net.manager().newSubManager()) {
        Optimization.backward(step, fixedBatch(net), 0, "test", 1);
        g = read(params, step, true);
        adam.step(0.01, step);
      }
      float[][] after = read(params, null, false);
      int checked = 0;
      for (int p = 0; p < params.size(); p++) {
        for (int i = 0; i < w[p].length; i++) {
          if (Math.abs(g[p][i]) > 1e-4) {
            assertThat((double) after[p][i]).isCloseTo(w[p][i] - 0.01 * Math.signum(g[p][i]), within(1e-6));
            checked++;
          }
        }
      }
      assertThat(checked).isGreaterThan(20);
    }
  }

  @Test
  void stateDoesNotLeakArraysPerStep() {
    try (Network net = Network.create(TinyData.mlp(4), 3); AdamOptimizer adam = new AdamOptimizer(net, 5e-4)) {
      StepLoss loss = fixedBatch(net);
      Optimization.run(net, adam, new Schedule(2, 2, 8, 0.01, LrSchedule.CONSTANT), loss, "warm-up", Progress.silent());
      int before = net.manager().getManagedArrays().size();
      Optimization.run(net, adam, new Schedule(10, 5, 8, 0.01, LrSchedule.CONSTANT), loss, "test", Progress.silent());
      assertThat(net.manager().getManagedArrays().size()).isEqualTo(before);
    }
  }
}
