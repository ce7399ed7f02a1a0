package dev.lethe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.model.Layers;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import dev.lethe.model.PowerQr;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpectralClipTest {
  private static final Dataset DATA = TinyData.separable("tiny", 48, 1, 9);
  private static final TrainConfig PLAIN = new TrainConfig(15, 16, 0.05, 0.9, 5e-4, LrSchedule.COSINE);
  private static final TrainConfig CLIPPED = new TrainConfig(15, 16, 0.05, 0.9, 5e-4, LrSchedule.COSINE, 1.0);

  /** The top singular value of every conv and linear layer, from 300 PowerQR iterations. */
  private static List<Double> norms(Network net) {
    return Layers.affine(net).stream().map(l -> PowerQr.top(l, 1, 300, 11).values()[0]).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cnn-nobn", "cnn"})
  void clippedTrainingBoundsEveryLayerAndStillFits(String architecture) {
    ModelSpec spec = new ModelSpec(architecture, 1, 8, 8, 3, 4);
    try (Network plain = Network.create(spec, 1);
        Network clipped = Network.create(spec, 1);
        Network again = Network.create(spec, 1)) {
      Training.fit(plain, DATA, PLAIN, 1, "test", Progress.silent());
      assertThat(norms(plain)).hasSize(3).anyMatch(s -> s > 1.05);
      Training.fit(clipped, DATA, CLIPPED, 1, "test", Progress.silent(), 5);
      assertThat(norms(clipped)).allMatch(s -> s <= 1.05);
      assertThat(TinyData.accuracy(clipped, DATA)).isEqualTo(1.0);
      Training.fit(again, DATA, CLIPPED, 1, "test", Progress.silent(), 5);
      assertThat(TinyData.paramBytes(again)).isEqualTo(TinyData.paramBytes(clipped));
    }
  }

  @Test
  void theFinalPassAloneEnforcesTheBoundWithTheDefaultCheckInterval() {
    // 45 updates: fewer than the 100 between checks of a model without BatchNorm
    try (Network net = Network.create(new ModelSpec("cnn-nobn", 1, 8, 8, 3, 4), 1)) {
      Training.fit(net, DATA, CLIPPED, 1, "test", Progress.silent());
      assertThat(norms(net)).allMatch(s -> s <= 1.05);
    }
  }

  @Test
  void aClipEventBringsEveryLayerNearTheBoundAndLiftsAWeakConv() {
    try (Network net = Network.create(new ModelSpec("cnn-nobn", 1, 8, 8, 3, 4), 1)) {
      Layers.Affine second = Layers.affine(net).get(1);
      second.weight().getArray().muli(0.1f);
      List<Double> before = norms(net);
      assertThat(before.get(0)).isGreaterThan(2);
      assertThat(before.get(1)).isLessThan(0.95);
      SpectralClip clip = new SpectralClip(net, 1.0, 3, 1);
      clip.afterStep(0);
      assertThat(norms(net)).isEqualTo(before); // no check before the third update
      clip.afterStep(1);
      clip.afterStep(2);
      List<Double> after = norms(net);
      assertThat(after.get(0)).isLessThan(1.3);
      assertThat(after.get(1)).isGreaterThan(before.get(1)).isLessThanOrEqualTo(1.0);
      assertThat(after.get(2)).isLessThan(1.3);
    }
  }

  @Test
  void jsonWithoutClipIsUnchangedAndAClippedConfigRoundTrips() throws Exception {
    ObjectMapper json = new ObjectMapper();
    TrainConfig plain = new TrainConfig(40, 128, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
    // the exact text the config had before clipping existed: it keys the model cache
    String before = "{\"epochs\":40,\"batchSize\":128,\"lr\":0.02,\"momentum\":0.9,\"weightDecay\":5.0E-4,"
        + "\"schedule\":\"cosine\"}";
    assertThat(json.writeValueAsString(plain)).isEqualTo(before).doesNotContain("clip");
    assertThat(json.readValue(before, TrainConfig.class)).isEqualTo(plain);
    TrainConfig clipped = new TrainConfig(40, 128, 0.02, 0.9, 5e-4, LrSchedule.COSINE, 1.5);
    String text = json.writeValueAsString(clipped);
    assertThat(text).contains("\"clip\":1.5");
    assertThat(json.readValue(text, TrainConfig.class)).isEqualTo(clipped);
    assertThat(clipped.withEpochs(3).clip()).isEqualTo(1.5);
  }

  @Test
  void negativeOrNonFiniteClipIsRejected() {
    assertThatThrownBy(() -> new TrainConfig(1, 16, 0.1, 0.9, 0, LrSchedule.COSINE, -1))
        .isInstanceOf(LetheException.class).hasMessageContaining("clip");
    assertThatThrownBy(() -> new TrainConfig(1, 16, 0.1, 0.9, 0, LrSchedule.COSINE, Double.NaN))
        .isInstanceOf(LetheException.class).hasMessageContaining("clip");
    assertThatThrownBy(() -> new TrainConfig(1, 16, 0.1, 0.9, 0, LrSchedule.COSINE, Double.POSITIVE_INFINITY))
        .isInstanceOf(LetheException.class).hasMessageContaining("clip");
  }
}
