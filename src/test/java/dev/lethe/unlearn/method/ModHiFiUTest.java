package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import dev.lethe.LetheException;
import dev.lethe.audit.Softmax;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Splits;
import dev.lethe.model.Architecture;
import dev.lethe.model.Layers;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import dev.lethe.train.TinyData;
import dev.lethe.unlearn.MethodRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModHiFiUTest extends TinyClassTaskTest {
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  private static final List<String> TWO = List.of("forget", "keep");

  /**
   * Two images of class 0 and two of class 1, 2 channels of 2x2. The class-0 images are, by channel and pixel,
   * X0 = [.5 .5 0 0], X1 = [0 .5 .5 0] and X0 = [0 0 .5 0], X1 = [0 0 0 1]; the class-1 images are bright
   * everywhere, so statistics that read them would differ.
   */
  private static Dataset pool() {
    float[] pixels = {
      .5f, .5f, 0, 0, 0, .5f, .5f, 0,
      0, 0, .5f, 0, 0, 0, 0, 1,
      1, 1, 1, 1, 1, 1, 1, 1,
      1, .5f, 1, .5f, 1, .5f, 1, .5f,
    };
    return new Dataset("hand", 2, 2, 2, pixels, new int[] {0, 0, 1, 1}, new int[] {0, 1, 2, 3}, TWO);
  }

  /**
   * One 1x1 conv of 2 filters without bias, W = [[1, 2], [3, -1]] (W[c][i], output c, input i), flattened into a
   * linear head: A_ci = W_ci X_i, Y_c = Σ_i A_ci.
   */
  private static Network oneConv() {
    Network net = Network.create(Architecture.custom("one-conv", new Shape(2, 2, 2), 2,
        () -> new SequentialBlock()
            .add(Conv2d.builder().setFilters(2).setKernelShape(new Shape(1, 1)).optBias(false).build())
            .add(Blocks.batchFlattenBlock()),
        k -> Linear.builder().setUnits(k).build()), 1);
    Layers.Affine conv = Layers.affine(net).get(0);
    try (var scratch = net.manager().newSubManager()) {
      scratch.create(new float[] {1, 2, 3, -1}, new Shape(2, 2, 1, 1)).copyTo(conv.weight().getArray());
    }
    return net;
  }

  private static ForgetTask forgetClassZero(Dataset pool) {
    Dataset other = new Dataset("hand/other", 2, 2, 2, new float[8], new int[] {1}, new int[] {9}, TWO);
    return ForgetTask.derive(ForgetSpec.parse("class:0"), new Splits(pool, other, other), 1);
  }

  private static float[] convWeight(Network net) {
    return Layers.affine(net).get(0).weight().getArray().toFloatArray();
  }

  private static float[] unlearnOneConv(Map<String, String> params) {
    try (Network original = oneConv();
        Network edited = REGISTRY.get(ModHiFiU.ID).create(params).unlearn(original, forgetClassZero(pool()), 1)) {
      assertThat(convWeight(original)).containsExactly(1, 2, 3, -1);
      return convWeight(edited);
    }
  }

  @Test
  void statisticsAreTheHandComputedSumsOverTheForgetImagesOnly() {
    // image 1: Y0 = [1 3 2 0]/2, Y1 = [3 2 -1 0]/2; image 2: Y0 = [0 0 1 4]/2, Y1 = [0 0 3 -2]/2
    try (Network net = oneConv()) {
      ModHiFiU method = new ModHiFiU(ModHiFiU.Options.defaults().withBatchSize(1));
      ModHiFiU.Statistics s = method.statistics(net, List.of(Layers.affine(net).get(0)),
          forgetClassZero(pool()).forget()).get(0);
      assertThat(s.dot()[0]).containsExactly(1.25, 6.5);
      assertThat(s.dot()[1]).containsExactly(6.0, 0.75);
      assertThat(s.squares()[0]).containsExactly(0.75, 6.0);
      assertThat(s.squares()[1]).containsExactly(6.75, 1.5);
      assertThat(s.output()).containsExactly(7.75, 6.75);
      double[][] alpha = s.scores(ModHiFiU.Score.ALPHA);
      assertThat(alpha[0][0]).isCloseTo(5.0 / 3, within(1e-12));
      assertThat(alpha[0][1]).isCloseTo(26.0 / 24, within(1e-12));
      assertThat(alpha[1][0]).isCloseTo(24.0 / 27, within(1e-12));
      assertThat(alpha[1][1]).isCloseTo(0.5, within(1e-12));
      double[][] fidelity = s.scores(ModHiFiU.Score.FIDELITY);
      assertThat(fidelity[0][0]).isCloseTo(25.0 / (3 * 31), within(1e-12));
      assertThat(fidelity[0][1]).isCloseTo(676.0 / (24 * 31), within(1e-12));
      assertThat(fidelity[1][0]).isCloseTo(576.0 / (27 * 27), within(1e-12));
      assertThat(fidelity[1][1]).isCloseTo(9.0 / (6 * 27), within(1e-12));
    }
  }

  @Test
  void theTopComponentsAreZeroedOrNegated() {
    // alpha ranks (0,0) 1.67 > (0,1) 1.08 > (1,0) 0.89 > (1,1) 0.5; fidelity (0,1) .91 > (1,0) .79 > (0,0) .27
    Map<String, String> alpha = Map.of("score", "alpha");
    assertThat(unlearnOneConv(with(alpha, "fraction", "0.25"))).containsExactly(0, 2, 3, -1);
    assertThat(unlearnOneConv(with(alpha, "fraction", "0.5"))).containsExactly(0, 0, 3, -1);
    assertThat(unlearnOneConv(with(with(alpha, "fraction", "0.25"), "edit", "negate"))).containsExactly(-1, 2, 3, -1);
    assertThat(unlearnOneConv(Map.of("fraction", "0.25"))).containsExactly(1, 0, 3, -1);
    assertThat(unlearnOneConv(Map.of("fraction", "0.5"))).containsExactly(1, 0, 0, -1);
    // p = 0.3 of 4 components rounds up to 2
    assertThat(unlearnOneConv(Map.of("fraction", "0.3"))).containsExactly(1, 0, 0, -1);
    assertThat(unlearnOneConv(Map.of("fraction", "0.3", "edit", "negate"))).containsExactly(1, -2, -3, -1);
  }

  private static Map<String, String> with(Map<String, String> params, String key, String value) {
    Map<String, String> out = new java.util.HashMap<>(params);
    out.put(key, value);
    return out;
  }

  @Test
  void selectionBreaksTiesTowardsTheLowerComponent() {
    boolean[][] chosen = ModHiFiU.selected(new double[][] {{1, 2}, {2, 0}}, 0.25);
    assertThat(chosen[0]).containsExactly(false, true);
    assertThat(chosen[1]).containsExactly(false, false);
  }

  @Test
  void labelsAreNeverRead() {
    // the same pool images with every label moved to the next class: the forget rows stay, their labels do not
    Dataset pool = CLASS.pool();
    int[] shifted = new int[pool.size()];
    for (int i = 0; i < shifted.length; i++) {
      shifted[i] = (pool.label(i) + 1) % 3;
    }
    Dataset relabelled = new Dataset(pool.name(), pool.channels(), pool.height(), pool.width(), pool.pixels(),
        shifted, pool.ids(), pool.classNames());
    ForgetTask scrambled = ForgetTask.ofRows(CLASS.spec(), new Splits(relabelled, CLASS.validation(), CLASS.test()),
        CLASS.rows().forget(), CLASS.forgetClasses(), CLASS.seed());
    assertThat(scrambled.forget().labels()).doesNotContain(0);
    var method = REGISTRY.get(ModHiFiU.ID).create(Map.of());
    try (Network a = method.unlearn(original, CLASS, 1); Network b = method.unlearn(original, scrambled, 1)) {
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
      assertThat(TinyData.paramBytes(a)).isNotEqualTo(TinyData.paramBytes(original));
    }
  }

  @Test
  void lowersTheForgetClassConfidenceAndKeepsTheRetainAccuracy() {
    // the tiny task's classes differ by where a band lies, and every channel sees every band, so the edit cannot
    // take the class away whole; with the defaults it keeps every retain image and lowers the true-class
    // probability of the forget set more than the retain set's
    assertThat(TinyData.accuracy(original, CLASS.retain())).isEqualTo(1.0);
    try (Network net = REGISTRY.get(ModHiFiU.ID).create(Map.of()).unlearn(original, CLASS, 1)) {
      assertThat(TinyData.accuracy(net, CLASS.retain())).isEqualTo(1.0);
      double forgetDrop = trueClassProbability(original, CLASS.forget()) - trueClassProbability(net, CLASS.forget());
      double retainDrop = trueClassProbability(original, CLASS.retain()) - trueClassProbability(net, CLASS.retain());
      assertThat(forgetDrop).isGreaterThan(0.05).isGreaterThan(retainDrop);
    }
  }

  private static double trueClassProbability(Network net, Dataset data) {
    float[][] p = Softmax.probabilities(Prediction.logits(net, data));
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      sum += p[i][data.label(i)];
    }
    return sum / p.length;
  }

  @Test
  void classSpecsOnly() {
    ModHiFiU method = new ModHiFiU(ModHiFiU.Options.defaults());
    ForgetTask random = TinyData.task("random:8", 3);
    assertThat(method.supports(random.spec())).isFalse();
    assertThat(method.supports(CLASS.spec())).isTrue();
    assertThatThrownBy(() -> method.unlearn(original, random, 1))
        .isInstanceOf(LetheException.class)
        .hasMessage("modhifi-u unlearns whole classes from the class's images alone: use --forget class:NAME"
            + " (got random:8)");
    assertThatThrownBy(() -> REGISTRY.get(ModHiFiU.ID).create(Map.of("fraction", "0")))
        .isInstanceOf(LetheException.class).hasMessage("modhifi-u.fraction must be in (0, 1], got 0.0");
  }
}
