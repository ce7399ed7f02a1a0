package dev.lethe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import org.junit.jupiter.api.Test;

class TrainingTest {
  private static final Dataset DATA = TinyData.separable("tiny", 48, 1, 9);
  private static final TrainConfig CONFIG = new TrainConfig(15, 16, 0.05, 0.9, 5e-4, LrSchedule.COSINE);

  @Test
  void fitsASeparableDatasetAndIsDeterministic() {
    try (Network a = Network.create(TinyData.mlp(8), 1);
        Network b = Network.create(TinyData.mlp(8), 1);
        Network c = Network.create(TinyData.mlp(8), 1)) {
      assertThat(TinyData.accuracy(a, DATA)).isLessThan(1.0);
      double loss = Training.fit(a, DATA, CONFIG, 5, "test", Progress.silent());
      assertThat(loss).isFinite().isLessThan(0.5);
      assertThat(TinyData.accuracy(a, DATA)).isEqualTo(1.0);
      Training.fit(b, DATA, CONFIG, 5, "test", Progress.silent());
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
      Training.fit(c, DATA, CONFIG, 6, "test", Progress.silent()); // other batch order
      assertThat(TinyData.paramBytes(c)).isNotEqualTo(TinyData.paramBytes(a));
    }
  }

  @Test
  void fitsWithBatchNormToo() {
    try (Network a = Network.create(TinyData.cnn(4), 2); Network b = Network.create(TinyData.cnn(4), 2)) {
      Training.fit(a, DATA, CONFIG.withEpochs(8), 3, "test", Progress.silent());
      assertThat(TinyData.accuracy(a, DATA)).isEqualTo(1.0);
      Training.fit(b, DATA, CONFIG.withEpochs(8), 3, "test", Progress.silent());
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
    }
  }

  @Test
  void nanInputDivergesAtTheFirstStepBeforeTouchingTheWeights() {
    try (Network net = Network.create(TinyData.mlp(8), 1)) {
      byte[] before = TinyData.paramBytes(net);
      assertThatThrownBy(() -> Training.fit(net, TinyData.withNaN(DATA), CONFIG, 1, "training the original",
              Progress.silent()))
          .isInstanceOf(LetheException.class)
          .hasMessageContaining("training the original diverged")
          .hasMessageContaining("at step 1 of 45");
      assertThat(TinyData.paramBytes(net)).isEqualTo(before);
    }
  }

  @Test
  void hugeLearningRateDivergesWithTheStepNumber() {
    TrainConfig wild = new TrainConfig(15, 16, 1e30, 0.9, 5e-4, LrSchedule.CONSTANT);
    try (Network net = Network.create(TinyData.mlp(8), 1)) {
      assertThatThrownBy(() -> Training.fit(net, DATA, wild, 1, "test", Progress.silent()))
          .isInstanceOf(LetheException.class)
          .hasMessageContaining("diverged")
          .hasMessageMatching("(?s).*at step ([2-9]|[1-4][0-9]) of 45.*");
    }
  }

  @Test
  void configValidation() {
    assertThatThrownBy(() -> new TrainConfig(0, 16, 0.1, 0.9, 0, LrSchedule.COSINE))
        .isInstanceOf(LetheException.class).hasMessageContaining("epochs");
    assertThatThrownBy(() -> new TrainConfig(1, 1, 0.1, 0.9, 0, LrSchedule.COSINE))
        .isInstanceOf(LetheException.class).hasMessageContaining("batch size");
    assertThatThrownBy(() -> new TrainConfig(1, 16, -1, 0.9, 0, LrSchedule.COSINE))
        .isInstanceOf(LetheException.class).hasMessageContaining("learning rate");
    assertThatThrownBy(() -> new TrainConfig(1, 16, Double.NaN, 0.9, 0, LrSchedule.COSINE))
        .isInstanceOf(LetheException.class).hasMessageContaining("learning rate");
    assertThatThrownBy(() -> new TrainConfig(1, 16, 0.1, 1, 0, LrSchedule.COSINE))
        .isInstanceOf(LetheException.class).hasMessageContaining("momentum");
    assertThatThrownBy(() -> new TrainConfig(1, 16, 0.1, 0.9, -1e-4, LrSchedule.COSINE))
        .isInstanceOf(LetheException.class).hasMessageContaining("weight decay");
    assertThatThrownBy(() -> new TrainConfig(1, 16, 0.1, 0.9, 0, null)).isInstanceOf(NullPointerException.class);
    TrainConfig ok = new TrainConfig(1, 2, 0.1, 0, 0, LrSchedule.STEP);
    assertThat(ok.withEpochs(4)).isEqualTo(new TrainConfig(4, 2, 0.1, 0, 0, LrSchedule.STEP));
  }
}
