package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.train.Prediction;
import dev.lethe.train.TinyData;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A network of your own ({@link Architecture#custom}) is a {@link Network} like the built-in ones. */
class CustomNetworkTest {
  private static final Dataset DATA = TinyData.separable("tiny", 16, 1, 3);

  @TempDir Path dir;

  /** Features that keep the conv's feature maps (no flatten) and a head that flattens them first. */
  private static CustomArchitecture withoutEmbeddingTap() {
    return Architecture.custom("maps", new Shape(1, 8, 8), 3,
        () -> Conv2d.builder().setFilters(2).setKernelShape(new Shape(3, 3)).build(),
        k -> new SequentialBlock().add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(k).build()));
  }

  @Test
  void aNetworkOfYourOwnIsSeededCopiedAndWidenedLikeABuiltInOne() {
    CustomArchitecture own = TinyData.ownCnn();
    try (Network net = Network.create(own, 5); Network same = Network.create(own, 5); Network other = net.fresh(6)) {
      assertThat(net.architecture()).isSameAs(own);
      assertThat(net.classes()).isEqualTo(3);
      assertThat(TinyData.paramBytes(same)).as("same seed, same weights").isEqualTo(TinyData.paramBytes(net));
      assertThat(TinyData.paramBytes(other)).isNotEqualTo(TinyData.paramBytes(net));
      assertThat(Prediction.logits(net, DATA)[0]).hasSize(3);
      NetworkTest.trainOneStep(net);
      byte[] trained = TinyData.paramBytes(net);
      try (Network twin = net.copy()) {
        assertThat(TinyData.paramBytes(twin)).isEqualTo(trained);
        assertThat(TinyData.logitBits(twin, DATA)).isEqualTo(TinyData.logitBits(net, DATA));
        NetworkTest.trainOneStep(twin);
        assertThat(TinyData.paramBytes(net)).as("the copy has its own parameters").isEqualTo(trained);
      }
      try (Network wide = net.resizedHead(4, 9)) {
        assertThat(wide.classes()).isEqualTo(4);
        assertThat(wide.architecture().name()).isEqualTo("tiny-own");
        float[][] narrow = Prediction.logits(net, DATA);
        float[][] widened = Prediction.logits(wide, DATA);
        // the kept head rows give the same logits, up to the last bit of a matmul with another row count
        for (int i = 0; i < narrow.length; i++) {
          assertThat(java.util.Arrays.copyOf(widened[i], 3)).as("row " + i)
              .containsExactly(narrow[i], org.assertj.core.api.Assertions.within(1e-5f));
        }
      }
    }
  }

  @Test
  void thePartsMethodsReadAreThereOnlyWhenTheBlocksMakeThem() {
    try (Network own = Network.create(TinyData.ownCnn(), 1); Network maps = Network.create(withoutEmbeddingTap(), 1);
        Network cnn = Network.create(TinyData.cnn(4), 1)) {
      for (Network net : List.of(own, cnn)) {
        assertThat(net.has(Network.Part.EMBEDDING)).isTrue();
        assertThat(net.has(Network.Part.LINEAR_HEAD)).isTrue();
        net.require(Set.of(Network.Part.EMBEDDING, Network.Part.LINEAR_HEAD), "test");
      }
      assertThat(cnn.readsChannelsLast()).isTrue();
      assertThat(own.readsChannelsLast()).as("its first block is unknown").isFalse();
      assertThat(maps.has(Network.Part.EMBEDDING)).isFalse();
      assertThat(maps.has(Network.Part.LINEAR_HEAD)).isFalse();
      assertThatThrownBy(() -> maps.require(List.of(Network.Part.EMBEDDING), "manif-smc"))
          .isInstanceOf(LetheException.class)
          .hasMessage("manif-smc needs an embedding tap (a features block returning batch x d), and network maps has"
              + " none: its features block returns shape (1, 2, 6, 6) for one image; end it with a flatten");
      assertThatThrownBy(() -> maps.require(List.of(Network.Part.LINEAR_HEAD), "trw.similarity=head"))
          .isInstanceOf(LetheException.class)
          .hasMessage("trw.similarity=head needs a linear head (one Linear block), and network maps has none: its head"
              + " is a SequentialBlock; make the head one Linear block");
    }
  }

  @Test
  void aHeadThatDoesNotOutputOneLogitPerClassIsAOneLineError() {
    CustomArchitecture four = Architecture.custom("four", new Shape(1, 8, 8), 3,
        () -> Blocks.batchFlattenBlock(), k -> Linear.builder().setUnits(4).build());
    assertThatThrownBy(() -> Network.create(four, 1))
        .isInstanceOf(LetheException.class)
        .hasMessage("network four is declared with 3 classes, but its head outputs shape (1, 4) for one image instead"
            + " of (1, 3): build the head with the class count it is given");
  }

  @Test
  void blocksMustBeNewOnEveryCallAndTakeTheInput() {
    Block shared = Blocks.batchFlattenBlock();
    Linear head = Linear.builder().setUnits(3).build();
    CustomArchitecture reused = Architecture.custom("reused", new Shape(1, 8, 8), 3, () -> shared, k -> head);
    Network.create(reused, 1).close();
    assertThatThrownBy(() -> Network.create(reused, 1))
        .isInstanceOf(LetheException.class)
        .hasMessage("network reused: its features and head factories must build a new, uninitialised block on every"
            + " call (networks are copied by building their blocks again)");
    CustomArchitecture tooLarge = Architecture.custom("too-large", new Shape(1, 8, 8), 3,
        () -> Conv2d.builder().setFilters(2).setKernelShape(new Shape(9, 9)).build(),
        k -> new SequentialBlock().add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(k).build()));
    assertThatThrownBy(() -> Network.create(tooLarge, 1))
        .isInstanceOf(LetheException.class)
        .hasMessage("network too-large cannot take images of 1x8x8: Xavier initializer factor is 0, please check"
            + " your input shape.")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> Architecture.custom("bad name", new Shape(1, 8, 8), 3, Blocks::identityBlock,
        k -> Linear.builder().setUnits(k).build())).isInstanceOf(LetheException.class)
        .hasMessage("network name 'bad name' must be letters, digits, '.', '_' or '-'");
    assertThatThrownBy(() -> Architecture.custom("flat", new Shape(64), 3, Blocks::identityBlock,
        k -> Linear.builder().setUnits(k).build())).isInstanceOf(LetheException.class)
        .hasMessage("network flat: the input shape must be (channels, height, width), got (64)");
  }

  @Test
  void aCheckpointOfYourOwnNetworkLoadsOnlyWithItsBlocksGivenAgain() {
    Path saved = dir.resolve("own");
    try (Network net = Network.create(TinyData.ownCnn(), 3)) {
      NetworkTest.trainOneStep(net);
      Checkpoints.save(net, saved, null);
      assertThatThrownBy(() -> Checkpoints.load(saved))
          .isInstanceOf(LetheException.class)
          .hasMessage("checkpoint " + saved + " holds network tiny-own of your own design: load it from Java with"
              + " Checkpoints.load(dir, architecture), giving its blocks");
      try (Network loaded = Checkpoints.load(saved, TinyData.ownCnn())) {
        assertThat(TinyData.paramBytes(loaded)).isEqualTo(TinyData.paramBytes(net));
        assertThat(TinyData.logitBits(loaded, DATA)).isEqualTo(TinyData.logitBits(net, DATA));
      }
    }
    assertThatThrownBy(() -> Checkpoints.load(saved, TinyData.cnn(4)))
        .isInstanceOf(LetheException.class).hasMessageContaining("load it with the architecture it was saved with");
    CustomArchitecture renamed = Architecture.custom("renamed", new Shape(1, 8, 8), 3, TinyData.ownCnn().features(),
        TinyData.ownCnn().head());
    assertThatThrownBy(() -> Checkpoints.load(saved, renamed))
        .isInstanceOf(LetheException.class).hasMessageContaining("load it with the architecture it was saved with");
    CustomArchitecture otherBlocks = Architecture.custom("tiny-own", new Shape(1, 8, 8), 3, Blocks::batchFlattenBlock,
        k -> Linear.builder().setUnits(k).build());
    assertThatThrownBy(() -> Checkpoints.load(saved, otherBlocks))
        .isInstanceOf(LetheException.class)
        .hasMessage("checkpoint " + saved + " was saved from other blocks than network tiny-own builds now (the"
            + " parameter layout differs): load it with the blocks it was saved with, or retrain");
  }
}
