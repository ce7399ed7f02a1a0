package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lethe.LetheException;
import org.junit.jupiter.api.Test;

class EmbeddingTapTest {
  @Test
  void featuresThatAreNotABatchByDMatrixAreRejectedOnOneLine() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray maps = m.zeros(new Shape(2, 8, 2, 2));
      assertThatThrownBy(() -> Network.requireEmbedding("cnn", maps))
          .isInstanceOf(LetheException.class)
          .hasMessageStartingWith("network cnn has no embedding tap: ")
          .hasMessageContaining("(2, 8, 2, 2)")
          .hasMessageNotContaining("\n");
      NDArray flat = m.zeros(new Shape(2, 32));
      assertThat(Network.requireEmbedding("cnn", flat)).isSameAs(flat);
    }
  }

  @Test
  void theHeadOfTheEmbeddingIsTheForwardPass() {
    for (String arch : new String[] {"mlp", "cnn", "resnet18"}) {
      try (Network net = Network.create(new ModelSpec(arch, 1, 8, 8, 3, 4), 1);
          NDManager m = net.manager().newSubManager()) {
        NDArray x = m.randomUniform(0, 1, net.inputShape(4));
        NDArray z = net.embed(x, false);
        assertThat(z.getShape().dimension()).as(arch).isEqualTo(2);
        assertThat(net.head(z, false).toFloatArray()).as(arch)
            .containsExactly(net.forward(x, false).toFloatArray());
      }
    }
  }
}
