package dev.lethe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Dataset;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchesTest {
  @Test
  void channelsLastBatchIsTheLogicalNchwBatchOfTheRows() {
    Dataset data = TinyData.separable("rgb", 5, 3, 1);
    int[] rows = {4, 0, 2};
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray nchw = Batches.images(manager, data, rows);
      NDArray channelsLast = Batches.imagesChannelsLast(manager, data, rows);
      assertThat(channelsLast.getShape()).isEqualTo(new Shape(3, 3, 8, 8));
      assertThat(channelsLast.toFloatArray()).containsExactly(nchw.toFloatArray());
      // image 1 is row 0: channel 2, y 3, x 5 sits at ((0 * 3 + 2) * 8 + 3) * 8 + 5 of the pixel array
      assertThat(channelsLast.getFloat(1, 2, 3, 5)).isEqualTo(data.pixels()[(2 * 8 + 3) * 8 + 5]);
      // image 0 is row 4, channel 0, y 7, x 1
      assertThat(channelsLast.getFloat(0, 0, 7, 1)).isEqualTo(data.pixels()[((4 * 3) * 8 + 7) * 8 + 1]);
    }
  }

  @Test
  void singleChannelBatchKeepsTheShapeAndValues() {
    Dataset data = TinyData.separable("grey", 4, 1, 2);
    int[] rows = {3, 1};
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray channelsLast = Batches.imagesChannelsLast(manager, data, rows);
      assertThat(channelsLast.getShape()).isEqualTo(new Shape(2, 1, 8, 8));
      assertThat(channelsLast.toFloatArray()).containsExactly(Batches.images(manager, data, rows).toFloatArray());
    }
  }

  @Test
  void bothLayoutsGiveTheSameEvalLogits() {
    Dataset data = TinyData.separable("rgb", 12, 3, 3);
    int[] rows = IntStream.range(0, data.size()).toArray();
    for (String architecture : new String[] {"cnn", "cnn-nobn", "resnet18"}) {
      try (Network net = Network.create(new ModelSpec(architecture, 3, 8, 8, 3, 4), 5);
          NDManager step = net.manager().newSubManager()) {
        float[] nchw = net.forward(Batches.images(step, data, rows), false).toFloatArray();
        float[] channelsLast = net.forward(Batches.imagesChannelsLast(step, data, rows), false).toFloatArray();
        assertThat(channelsLast).as(architecture).hasSameSizeAs(nchw);
        for (int i = 0; i < nchw.length; i++) {
          assertThat(channelsLast[i]).as(architecture + " logit " + i).isCloseTo(nchw[i], within(1e-5f));
        }
      }
    }
  }

  @Test
  void predictorOfAConvNetworkMatchesTheNchwForward() {
    Dataset data = TinyData.separable("grey", 7, 1, 4);
    try (Network net = Network.create(new ModelSpec("cnn", 1, 8, 8, 3, 4), 6);
        NDManager step = net.manager().newSubManager()) {
      float[] expected =
          net.forward(Batches.images(step, data, IntStream.range(0, 7).toArray()), false).toFloatArray();
      float[][] logits = Prediction.logits(net, data);
      assertThat(logits).hasNumberOfRows(7);
      for (int i = 0; i < 7; i++) {
        for (int k = 0; k < 3; k++) {
          assertThat(logits[i][k]).isCloseTo(expected[i * 3 + k], within(1e-5f));
        }
      }
    }
  }
}
