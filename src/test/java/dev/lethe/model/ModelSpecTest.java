package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lethe.LetheException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ModelSpecTest {
  @Test
  void unknownArchitectureListsTheKnownOnes() {
    assertThatThrownBy(() -> new ModelSpec("vgg", 1, 8, 8, 3, 4))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("'vgg'")
        .hasMessageContaining("mlp, cnn, cnn-nobn, resnet18");
    assertThatThrownBy(() -> ModelSpec.defaultWidth("vgg"))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("mlp, cnn, cnn-nobn, resnet18");
  }

  @Test
  void invalidShapesAndWidthsAreRejected() {
    assertThatThrownBy(() -> new ModelSpec("mlp", 0, 8, 8, 3, 4)).isInstanceOf(LetheException.class)
        .hasMessageContaining("0x8x8");
    assertThatThrownBy(() -> new ModelSpec("mlp", 1, 8, 8, 1, 4)).isInstanceOf(LetheException.class)
        .hasMessageContaining("at least 2 classes");
    assertThatThrownBy(() -> new ModelSpec("cnn", 1, 8, 8, 3, 0)).isInstanceOf(LetheException.class)
        .hasMessageContaining("width must be positive");
  }

  @Test
  void defaultWidths() {
    assertThat(ModelSpec.defaultWidth("mlp")).isEqualTo(256);
    assertThat(ModelSpec.defaultWidth("cnn")).isEqualTo(16);
    assertThat(ModelSpec.defaultWidth("cnn-nobn")).isEqualTo(16);
    assertThat(ModelSpec.defaultWidth("resnet18")).isEqualTo(64);
  }

  @Test
  void everyArchitectureButTheMlpIsConvolutional() {
    assertThat(new ModelSpec("mlp", 1, 8, 8, 3, 4).convolutional()).isFalse();
    assertThat(new ModelSpec("cnn", 1, 8, 8, 3, 4).convolutional()).isTrue();
    assertThat(new ModelSpec("cnn-nobn", 1, 8, 8, 3, 4).convolutional()).isTrue();
    assertThat(new ModelSpec("resnet18", 3, 8, 8, 3, 4).convolutional()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    // arch, channels, width, expected embedding size
    "mlp, 1, 8, 8",
    "cnn, 1, 4, 32", // 2*4 channels x 2x2 after two 2x2 pools of 8x8
    "cnn-nobn, 1, 4, 32",
    "resnet18, 3, 4, 32" // 8*4 channels after global average pooling
  })
  void forwardAndEmbedShapes(String arch, int channels, int width, int embedding) {
    ModelSpec spec = new ModelSpec(arch, channels, 8, 8, 5, width);
    try (Network net = Network.create(spec, 1); NDManager m = net.manager().newSubManager()) {
      assertThat(net.inputShape(6)).isEqualTo(new Shape(6, channels, 8, 8));
      NDArray x = m.randomUniform(0, 1, net.inputShape(6));
      for (boolean training : new boolean[] {false, true}) {
        NDArray logits = net.forward(x, training);
        assertThat(logits.getShape()).isEqualTo(new Shape(6, 5));
        assertThat(net.embed(x, training).getShape()).isEqualTo(new Shape(6, embedding));
        float[] values = logits.toFloatArray();
        for (float v : values) {
          assertThat(v).isFinite();
        }
      }
      // logits are the head applied to the embedding: rows differ for different images
      NDArray logits = net.forward(x, false);
      assertThat(logits.get(0).toFloatArray()).isNotEqualTo(logits.get(1).toFloatArray());
    }
  }

  @Test
  void resnet18HasTheCifarLayout() {
    try (Network net = Network.create(new ModelSpec("resnet18", 3, 8, 8, 10, 4), 1)) {
      // stem conv + 8 basic blocks x 2 convs + 3 projection convs = 20 conv weights (no conv biases)
      long convWeights = net.parameters().stream()
          .filter(p -> p.getValue().getArray().getShape().dimension() == 4).count();
      assertThat(convWeights).isEqualTo(20);
      assertThat(net.parameters().get(net.parameters().size() - 1).getValue().getArray().getShape())
          .isEqualTo(new Shape(10));
    }
  }
}
