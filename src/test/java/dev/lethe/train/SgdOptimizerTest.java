package dev.lethe.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import java.util.List;
import org.junit.jupiter.api.Test;

class SgdOptimizerTest {
  private static final Dataset DATA = TinyData.separable("tiny", 8, 1, 21);
  private static final int[] ROWS = {0, 1, 2, 3, 4, 5, 6, 7};

  /** Cross-entropy of the fixed batch {@link #ROWS}, so every backward sees the same data. */
  private static StepLoss fixedBatch(Network net) {
    return (step, t) ->
        Losses.crossEntropy(
            net.forward(Batches.images(step, DATA, ROWS), true), Batches.labels(step, DATA, ROWS));
  }

  private static float[][] gradients(List<Parameter> params, NDManager step) {
    float[][] out = new float[params.size()][];
    for (int i = 0; i < params.size(); i++) {
      NDArray g = params.get(i).getArray().getGradient();
      g.attach(step);
      out[i] = g.toFloatArray();
    }
    return out;
  }

  private static float[][] weights(List<Parameter> params) {
    float[][] out = new float[params.size()][];
    for (int i = 0; i < params.size(); i++) {
      out[i] = params.get(i).getArray().toFloatArray();
    }
    return out;
  }

  @Test
  void followsPyTorchSemanticsWithChangingLearningRate() {
    double mu = 0.9;
    double wd = 0.1;
    double lr1 = 0.5;
    double lr2 = 0.05;
    try (Network net = Network.create(TinyData.mlp(4), 3); SgdOptimizer sgd = new SgdOptimizer(net, mu, wd)) {
      List<Parameter> params = sgd.parameters();
      assertThat(params).hasSize(6);
      StepLoss loss = fixedBatch(net);
      float[][] w0 = weights(params);
      float[][] g1;
      try (NDManager step = net.manager().newSubManager()) {
        Optimization.backward(step, loss, 0, "test", 2);
        g1 = gradients(params, step);
        sgd.step(lr1, step);
      }
      float[][] w1 = weights(params);
      float[][] g2;
      try (NDManager step = net.manager().newSubManager()) {
        Optimization.backward(step, loss, 1, "test", 2);
        g2 = gradients(params, step);
        sgd.step(lr2, step);
      }
      float[][] w2 = weights(params);
      int moved = 0;
      for (int p = 0; p < params.size(); p++) {
        for (int i = 0; i < w0[p].length; i++) {
          double v1 = g1[p][i] + wd * w0[p][i];
          double e1 = w0[p][i] - lr1 * v1;
          assertThat((double) w1[p][i]).as("w1 of %s[%d]", params.get(p).getName(), i)
              .isCloseTo(e1, org.assertj.core.data.Offset.offset(1e-6));
          double v2 = mu * v1 + g2[p][i] + wd * w1[p][i];
          double e2 = w1[p][i] - lr2 * v2;
          assertThat((double) w2[p][i]).as("w2 of %s[%d]", params.get(p).getName(), i)
              .isCloseTo(e2, org.assertj.core.data.Offset.offset(1e-6));
          // DJL's native rule (v = mu*v + lr*(g + wd*w); w -= v) gives a different second step here
          double djl = w1[p][i] - (mu * lr1 * v1 + lr2 * (g2[p][i] + wd * w1[p][i]));
          if (Math.abs(djl - e2) > 1e-4) {
            moved++;
          }
        }
      }
      assertThat(moved).as("entries where the rate-folding rule would differ").isGreaterThan(0);
    }
  }

  @Test
  void withoutMomentumOrDecayItIsPlainGradientDescent() {
    try (Network net = Network.create(TinyData.mlp(4), 3); SgdOptimizer sgd = new SgdOptimizer(net, 0, 0)) {
      List<Parameter> params = sgd.parameters();
      StepLoss loss = fixedBatch(net);
      for (int t = 0; t < 2; t++) {
        float[][] w = weights(params);
        float[][] g;
        try (NDManager step = net.manager().newSubManager()) {
          Optimization.backward(step, loss, t, "test", 2);
          g = gradients(params, step);
          sgd.step(0.3, step);
        }
        float[][] after = weights(params);
        for (int p = 0; p < params.size(); p++) {
          for (int i = 0; i < w[p].length; i++) {
            assertThat((double) after[p][i]).isCloseTo(w[p][i] - 0.3 * g[p][i],
                org.assertj.core.data.Offset.offset(1e-6));
          }
        }
      }
    }
  }

  @Test
  void gradientsAreZeroedAfterStepSoTheNextBackwardDoesNotAccumulate() {
    try (Network net = Network.create(TinyData.mlp(4), 3); SgdOptimizer sgd = new SgdOptimizer(net, 0.9, 0.1)) {
      List<Parameter> params = sgd.parameters();
      StepLoss loss = fixedBatch(net);
      float[][] g1;
      try (NDManager step = net.manager().newSubManager()) {
        Optimization.backward(step, loss, 0, "test", 2);
        g1 = gradients(params, step);
        sgd.step(0.0, step); // rate 0: weights stay, gradients must still be cleared
      }
      try (NDManager step = net.manager().newSubManager()) {
        for (float[] g : gradients(params, step)) {
          assertThat(g).containsOnly(0f);
        }
      }
      float[][] g2;
      try (NDManager step = net.manager().newSubManager()) {
        Optimization.backward(step, loss, 1, "test", 2);
        g2 = gradients(params, step);
      }
      boolean nonZero = false;
      for (int p = 0; p < params.size(); p++) {
        for (int i = 0; i < g1[p].length; i++) {
          assertThat(g2[p][i]).isCloseTo(g1[p][i], org.assertj.core.data.Offset.offset(1e-6f));
          nonZero |= Math.abs(g1[p][i]) > 1e-4;
        }
      }
      assertThat(nonZero).isTrue();
    }
  }

  @Test
  void backwardAccumulatesAndZeroGradientsClearsWithoutUpdating() {
    try (Network net = Network.create(TinyData.mlp(4), 3); SgdOptimizer sgd = new SgdOptimizer(net, 0.9, 0.1)) {
      List<Parameter> params = sgd.parameters();
      StepLoss loss = fixedBatch(net);
      float[][] w = weights(params);
      float[][] once;
      float[][] twice;
      try (NDManager step = net.manager().newSubManager()) {
        Optimization.backward(step, loss, 0, "test", 2);
        once = gradients(params, step);
        Optimization.backward(step, loss, 0, "test", 2);
        twice = gradients(params, step);
        sgd.zeroGradients(step);
      }
      for (int p = 0; p < params.size(); p++) {
        for (int i = 0; i < once[p].length; i++) {
          assertThat(twice[p][i]).isCloseTo(2 * once[p][i], org.assertj.core.data.Offset.offset(1e-6f));
        }
      }
      try (NDManager step = net.manager().newSubManager()) {
        for (float[] g : gradients(params, step)) {
          assertThat(g).containsOnly(0f);
        }
      }
      assertThat(weights(params)).isEqualTo(w);
    }
  }

  @Test
  void optimizerStateDoesNotLeakArraysPerStep() {
    try (Network net = Network.create(TinyData.mlp(4), 3)) {
      StepLoss loss = fixedBatch(net);
      Schedule one = new Schedule(3, 3, 8, 0.1, LrSchedule.COSINE);
      Optimization.run(net, 0.9, 5e-4, one, loss, "warm-up", Progress.silent());
      int before = net.manager().getManagedArrays().size();
      Optimization.run(net, 0.9, 5e-4, new Schedule(20, 5, 8, 0.1, LrSchedule.COSINE), loss, "test",
          Progress.silent());
      assertThat(net.manager().getManagedArrays().size()).isEqualTo(before);
    }
  }
}
