package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayersTest {
  @Test
  void inputsAreWhatEachLayerSeesInEvalMode() {
    // through BatchNorm, pooling and (resnet18) residual units: the classifier's input is the embedding, the
    // first conv's the image, and every layer is listed in the order of Layers.affine
    for (String architecture : List.of("cnn", "resnet18")) {
      try (Network net = Network.create(new ModelSpec(architecture, 1, 8, 8, 3, 4), 1);
          ai.djl.ndarray.NDManager step = net.manager().newSubManager()) {
        NDArray images = step.randomUniform(0, 1, net.inputShape(3));
        Map<String, NDArray> inputs = Layers.inputs(net, images);
        List<Layers.Affine> affine = Layers.affine(net);
        assertThat(inputs.keySet()).containsExactlyElementsOf(affine.stream().map(Layers.Affine::name).toList());
        assertThat(inputs.get(affine.get(0).name()).toFloatArray()).containsExactly(images.toFloatArray());
        assertThat(inputs.get(affine.get(affine.size() - 1).name()).toFloatArray())
            .containsExactly(net.embed(images, false).toFloatArray());
        for (Layers.Affine layer : affine) {
          assertThat(inputs.get(layer.name()).getShape().slice(1)).isEqualTo(layer.input().slice(1));
        }
      }
    }
  }

  @Test
  void cnnKeepsItsParameterLayout() {
    // checkpoints and masks rely on these positional names
    try (Network net = Network.create(new ModelSpec("cnn", 1, 8, 8, 3, 4), 1)) {
      assertThat(net.layoutSignature()).isEqualTo(
          "01SequentialBlock_01Conv2d_weight(4, 1, 3, 3);"
              + "01SequentialBlock_02BatchNorm_gamma(4);01SequentialBlock_02BatchNorm_beta(4);"
              + "01SequentialBlock_02BatchNorm_runningMean(4);01SequentialBlock_02BatchNorm_runningVar(4);"
              + "01SequentialBlock_05Conv2d_weight(8, 4, 3, 3);"
              + "01SequentialBlock_06BatchNorm_gamma(8);01SequentialBlock_06BatchNorm_beta(8);"
              + "01SequentialBlock_06BatchNorm_runningMean(8);01SequentialBlock_06BatchNorm_runningVar(8);"
              + "02Linear_weight(3, 32);02Linear_bias(3);");
    }
  }

  @Test
  void cnnWithoutBatchNormHasBiasedConvsAndThreeLinearLayers() {
    try (Network net = Network.create(new ModelSpec("cnn-nobn", 1, 8, 8, 3, 4), 1)) {
      List<Layers.Layer> layers = Layers.of(net);
      assertThat(layers).hasSize(3).allMatch(l -> l instanceof Layers.Affine);
      assertThat(layers).extracting(Layers.Layer::input)
          .containsExactly(new Shape(1, 1, 8, 8), new Shape(1, 4, 4, 4), new Shape(1, 32));
      assertThat(layers).extracting(Layers.Layer::name)
          .containsExactly("01SequentialBlock_01Conv2d", "01SequentialBlock_04Conv2d", "02Linear");
      assertThat(net.parameters()).extracting(Pair::getKey)
          .contains("01SequentialBlock_01Conv2d_bias", "01SequentialBlock_04Conv2d_bias")
          .noneMatch(k -> k.contains("BatchNorm"));
    }
  }

  @Test
  void batchNormNormIsTheLargestScale() {
    try (Network net = Network.create(new ModelSpec("cnn", 1, 8, 8, 3, 4), 1)) {
      Layers.Norm bn = (Layers.Norm) Layers.of(net).get(1);
      assertThat(bn.input()).isEqualTo(new Shape(1, 4, 8, 8));
      Map<String, Parameter> p = new HashMap<>();
      bn.block().getParameters().forEach(e -> p.put(e.getKey(), e.getValue()));
      NDArray gamma = p.get("gamma").getArray();
      NDArray var = p.get("runningVar").getArray();
      gamma.set(new float[] {0.5f, -3f, 1f, 2f});
      var.set(new float[] {1f, 4f, 0.25f, 9f});
      p.get("runningMean").getArray().set(new float[] {5f, -2f, 1f, 0f});
      // |gamma| / sqrt(var + 1e-5): 0.5, 1.5, 2.0, 0.667
      assertThat(bn.spectralNorm()).isCloseTo(1 / Math.sqrt(0.25 + 1e-5), within(1e-5));
    }
  }

  @Test
  void resnetLayersSeeTheirRealInputsAndTheBoundAddsResidualBranches() {
    try (Network net = Network.create(new ModelSpec("resnet18", 3, 8, 8, 3, 2), 1)) {
      List<Layers.Layer> layers = Layers.of(net);
      // stem conv + BN, 8 units x (2 conv + 2 BN), 3 projections x (conv + BN), the head
      assertThat(layers).hasSize(2 + 8 * 4 + 3 * 2 + 1);
      List<Layers.Affine> affine = Layers.affine(net);
      assertThat(affine).hasSize(21);
      // the first unit of stage 2: a stride-2 3x3 conv and a 1x1 stride-2 projection, both on 2x8x8
      List<Layers.Affine> strided = affine.stream().filter(a -> a.kind().contains(" s2")).toList();
      assertThat(strided).hasSize(6);
      assertThat(strided.get(0).input()).isEqualTo(new Shape(1, 2, 8, 8));
      assertThat(strided.get(0).output()).isEqualTo(new Shape(1, 4, 4, 4));
      assertThat(strided).extracting(Layers.Affine::kind).contains("conv 1x1 s2 p0");
      assertThat(affine.get(20).input()).isEqualTo(new Shape(1, 16));
      Map<String, Double> twos = new HashMap<>();
      layers.forEach(l -> twos.put(l.name(), 2.0));
      // stem 2*2; a unit 2^4 plus 1 (identity) or 2*2 (projection); the head 2
      double expected = 4 * Math.pow(17, 5) * Math.pow(20, 3) * 2;
      assertThat(Layers.lipschitzBound(net, twos)).isCloseTo(expected, within(1e-6 * expected));
    }
  }
}
