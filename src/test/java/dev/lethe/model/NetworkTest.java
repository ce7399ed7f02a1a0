package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import dev.lethe.data.Dataset;
import dev.lethe.train.Batches;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.train.StepLoss;
import dev.lethe.train.TinyData;
import dev.lethe.train.Training;
import dev.lethe.train.BatchStream;
import org.junit.jupiter.api.Test;

class NetworkTest {
  private static final Dataset DATA = TinyData.separable("tiny", 16, 1, 3);

  /** One SGD step (train-mode BatchNorm) on {@code net} over all of {@link #DATA}. */
  static void trainOneStep(Network net) {
    BatchStream batches = new BatchStream(DATA, 16, 1, false);
    StepLoss loss = (step, t) -> Training.crossEntropyStep(net, step, batches, true);
    Optimization.run(net, 0.9, 5e-4, new Schedule(1, 1, 16, 0.1, LrSchedule.CONSTANT), loss, "test", Progress.silent());
  }

  @Test
  void sameSpecAndSeedGiveIdenticalParametersAndOtherSeedDiffers() {
    try (Network a = Network.create(TinyData.cnn(4), 7);
        Network b = Network.create(TinyData.cnn(4), 7);
        Network c = Network.create(TinyData.cnn(4), 8)) {
      assertThat(a.layoutSignature()).isEqualTo(b.layoutSignature()).isEqualTo(c.layoutSignature());
      assertThat(TinyData.paramBytes(a)).isEqualTo(TinyData.paramBytes(b));
      assertThat(TinyData.paramBytes(a)).isNotEqualTo(TinyData.paramBytes(c));
      // every trainable tensor differs, not just one of them
      for (int i = 0; i < a.trainableParameters().size(); i++) {
        Parameter pa = a.trainableParameters().get(i);
        Parameter pc = c.trainableParameters().get(i);
        if (pa.getName().contains("weight")) {
          assertThat(TinyData.values(pa)).as(pa.getName()).isNotEqualTo(TinyData.values(pc));
        }
      }
    }
  }

  @Test
  void creatingAnotherNetworkInBetweenDoesNotChangeTheSeededWeights() {
    byte[] first;
    try (Network a = Network.create(TinyData.mlp(8), 11)) {
      first = TinyData.paramBytes(a);
    }
    try (Network other = Network.create(TinyData.cnn(4), 99);
        Network again = Network.create(TinyData.mlp(8), 11)) {
      assertThat(TinyData.paramBytes(again)).isEqualTo(first);
    }
  }

  @Test
  void copyHasBitwiseEqualLogitsAndEqualParameters() {
    try (Network net = Network.create(TinyData.cnn(4), 5)) {
      trainOneStep(net); // BatchNorm running statistics now differ from their initial values
      try (Network twin = net.copy()) {
        assertThat(twin).isNotSameAs(net);
        assertThat(twin.architecture()).isEqualTo(net.architecture());
        assertThat(TinyData.paramBytes(twin)).isEqualTo(TinyData.paramBytes(net));
        assertThat(TinyData.logitBits(twin, DATA)).isEqualTo(TinyData.logitBits(net, DATA));
      }
    }
  }

  @Test
  void trainingTheCopyLeavesTheOriginalUnchanged() {
    try (Network net = Network.create(TinyData.cnn(4), 5); Network twin = net.copy()) {
      byte[] before = TinyData.paramBytes(net);
      int[] logitsBefore = TinyData.logitBits(net, DATA);
      trainOneStep(twin);
      assertThat(TinyData.paramBytes(twin)).isNotEqualTo(before);
      assertThat(TinyData.paramBytes(net)).isEqualTo(before);
      assertThat(TinyData.logitBits(net, DATA)).isEqualTo(logitsBefore);
    }
  }

  @Test
  void trainingTheOriginalLeavesTheCopyUnchanged() {
    try (Network net = Network.create(TinyData.cnn(4), 5); Network twin = net.copy()) {
      byte[] before = TinyData.paramBytes(twin);
      trainOneStep(net);
      assertThat(TinyData.paramBytes(net)).isNotEqualTo(before);
      assertThat(TinyData.paramBytes(twin)).isEqualTo(before);
    }
  }

  @Test
  void anUpdateThatThrowsClosesItsCopyAndKeepsTheSource() {
    try (Network net = Network.create(TinyData.mlp(8), 5)) {
      Network[] copy = new Network[1];
      assertThatThrownBy(() -> net.updatedCopy(twin -> {
        copy[0] = twin;
        throw new IllegalStateException("diverged");
      })).hasMessage("diverged");
      assertThat(copy[0].manager().isOpen()).isFalse();
      assertThat(net.manager().isOpen()).isTrue();
      try (Network updated = net.updatedCopy(NetworkTest::trainOneStep)) {
        assertThat(updated.manager().isOpen()).isTrue();
        assertThat(TinyData.paramBytes(updated)).isNotEqualTo(TinyData.paramBytes(net));
      }
    }
  }

  @Test
  void copyOutlivesItsSource() {
    Network net = Network.create(TinyData.mlp(8), 5);
    int[] logits = TinyData.logitBits(net, DATA);
    try (Network twin = net.copy()) {
      net.close();
      assertThat(TinyData.logitBits(twin, DATA)).isEqualTo(logits);
      trainOneStep(twin); // still trainable with its own manager
    }
  }

  @Test
  void trainableParametersExcludeBatchNormStatistics() {
    try (Network net = Network.create(TinyData.cnn(4), 1)) {
      long all = net.parameters().size();
      long trainable = net.trainableParameters().size();
      // cnn: conv, BN(gamma, beta, mean, var), conv, BN(...), linear(weight, bias)
      assertThat(all).isEqualTo(12);
      assertThat(trainable).isEqualTo(8);
      assertThat(net.trainableParameters()).allMatch(p -> !p.getName().contains("running"));
      // conv 1->4 3x3 (36) + BN 4+4 + conv 4->8 3x3 (288) + BN 8+8 + linear 32*3+3
      assertThat(net.trainableCount()).isEqualTo(36 + 8 + 288 + 16 + 99);
    }
  }

  @Test
  void forwardUsesTheGivenImages() {
    try (Network net = Network.create(TinyData.mlp(8), 1);
        var m = net.manager().newSubManager()) {
      var a = net.forward(Batches.images(m, DATA, new int[] {0, 1}), false);
      var b = net.forward(Batches.images(m, DATA, new int[] {1, 0}), false);
      assertThat(a.get(0).toFloatArray()).containsExactly(b.get(1).toFloatArray());
      assertThat(a.get(0).toFloatArray()).isNotEqualTo(a.get(1).toFloatArray());
    }
  }
}
