package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.train.TinyData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
  private static final Dataset DATA = TinyData.separable("tiny", 16, 1, 4);

  @TempDir Path tmp;

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void roundTripGivesBitwiseEqualLogitsAndMetadata() {
    Path dir = tmp.resolve("ckpt");
    ObjectNode meta = new ObjectMapper().createObjectNode().put("seed", 42).put("what", "original");
    try (Network net = Network.create(TinyData.cnn(4), 3)) {
      NetworkTest.trainOneStep(net); // non-trivial BatchNorm statistics
      Checkpoints.save(net, dir, meta);
      assertThat(Checkpoints.exists(dir)).isTrue();
      assertThat(Checkpoints.metadata(dir).path("seed").asInt()).isEqualTo(42);
      assertThat(Checkpoints.metadata(dir).path("what").asText()).isEqualTo("original");
      try (Network loaded = Checkpoints.load(dir)) {
        assertThat(loaded.architecture()).isEqualTo(net.architecture());
        assertThat(TinyData.paramBytes(loaded)).isEqualTo(TinyData.paramBytes(net));
        assertThat(TinyData.logitBits(loaded, DATA)).isEqualTo(TinyData.logitBits(net, DATA));
      }
    }
  }

  @Test
  void loadedNetworkIsTrainable() {
    Path dir = tmp.resolve("ckpt");
    try (Network net = Network.create(TinyData.cnn(4), 3)) {
      Checkpoints.save(net, dir, null);
      try (Network loaded = Checkpoints.load(dir)) {
        for (Parameter p : loaded.trainableParameters()) {
          assertThat(p.getArray().hasGradient()).as(p.getName()).isTrue();
        }
        byte[] before = TinyData.paramBytes(loaded);
        NetworkTest.trainOneStep(loaded);
        for (Parameter p : loaded.trainableParameters()) {
          // every trainable tensor moved (BatchNorm beta/gamma too)
          Parameter same = net.trainableParameters().get(loaded.trainableParameters().indexOf(p));
          assertThat(TinyData.values(p)).as(p.getName()).isNotEqualTo(TinyData.values(same));
        }
        assertThat(TinyData.paramBytes(loaded)).isNotEqualTo(before);
      }
    }
  }

  @Test
  void flippedByteAnywhereIsReportedAsCorrupt() throws IOException {
    Path good = tmp.resolve("good");
    try (Network net = Network.create(TinyData.mlp(4), 3)) {
      Checkpoints.save(net, good, null);
    }
    byte[] bytes = Files.readAllBytes(good.resolve("model.params"));
    int[] positions = {0, 1, 9, 30, bytes.length / 2, bytes.length - 1};
    for (int pos : positions) {
      Path bad = tmp.resolve("bad" + pos);
      Files.createDirectories(bad);
      Files.copy(good.resolve("model.json"), bad.resolve("model.json"));
      byte[] flipped = bytes.clone();
      flipped[pos] ^= 0x5A;
      Files.write(bad.resolve("model.params"), flipped);
      assertThatThrownBy(() -> Checkpoints.load(bad))
          .as("byte %d of %d", pos, bytes.length)
          .isInstanceOf(LetheException.class)
          .hasMessageContaining("corrupt");
    }
  }

  @Test
  void truncatedParametersAreReportedAsCorrupt() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (Network net = Network.create(TinyData.mlp(4), 3)) {
      Checkpoints.save(net, dir, null);
    }
    byte[] bytes = Files.readAllBytes(dir.resolve("model.params"));
    Files.write(dir.resolve("model.params"), java.util.Arrays.copyOf(bytes, bytes.length - 7));
    assertThatThrownBy(() -> Checkpoints.load(dir))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("corrupt");
  }

  @Test
  void missingDirectoryOrFileIsAnError() throws IOException {
    Path missing = tmp.resolve("nowhere");
    assertThatThrownBy(() -> Checkpoints.load(missing))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("no checkpoint at")
        .hasMessageContaining("nowhere");
    Path half = tmp.resolve("half");
    try (Network net = Network.create(TinyData.mlp(4), 3)) {
      Checkpoints.save(net, half, null);
    }
    Files.delete(half.resolve("model.json"));
    assertThat(Checkpoints.exists(half)).isFalse();
    assertThatThrownBy(() -> Checkpoints.load(half)).isInstanceOf(LetheException.class)
        .hasMessageContaining("no checkpoint");
  }

  @Test
  void layoutMismatchIsRejected() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (Network net = Network.create(TinyData.mlp(4), 3)) {
      Checkpoints.save(net, dir, null);
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode meta = (ObjectNode) json.readTree(dir.resolve("model.json").toFile());
    meta.put("layout", "something else");
    json.writeValue(dir.resolve("model.json").toFile(), meta);
    assertThatThrownBy(() -> Checkpoints.load(dir)).isInstanceOf(LetheException.class)
        .hasMessageContaining("does not match");
  }

  @Test
  void saveLeavesNoTemporaryDirectory() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (Network net = Network.create(TinyData.mlp(4), 3)) {
      Checkpoints.save(net, dir, null);
    }
    assertThat(listing(tmp)).containsExactly("ckpt");
    assertThat(listing(dir)).containsExactly("model.json", "model.params");
  }

  @Test
  void failedSaveLeavesNoTemporaryDirectoryAndKeepsTheOldCheckpoint() throws IOException {
    Path dir = tmp.resolve("ckpt");
    byte[] old;
    try (Network net = Network.create(TinyData.mlp(4), 3)) {
      Checkpoints.save(net, dir, null);
      old = TinyData.paramBytes(net);
    }
    Network closed = Network.create(TinyData.mlp(4), 4);
    closed.close(); // its parameters can no longer be written
    assertThatThrownBy(() -> Checkpoints.save(closed, dir, null)).isInstanceOf(RuntimeException.class);
    assertThat(listing(tmp)).containsExactly("ckpt");
    try (Network loaded = Checkpoints.load(dir)) {
      assertThat(TinyData.paramBytes(loaded)).isEqualTo(old);
    }
  }

  @Test
  void savingOverAnExistingCheckpointReplacesIt() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (Network first = Network.create(TinyData.mlp(4), 1);
        Network second = Network.create(TinyData.cnn(4), 2)) {
      Checkpoints.save(first, dir, new ObjectMapper().createObjectNode().put("n", 1));
      Files.writeString(dir.resolve("stale.txt"), "left over");
      Checkpoints.save(second, dir, new ObjectMapper().createObjectNode().put("n", 2));
      assertThat(listing(dir)).containsExactly("model.json", "model.params");
      assertThat(listing(tmp)).containsExactly("ckpt");
      assertThat(Checkpoints.metadata(dir).path("n").asInt()).isEqualTo(2);
      try (Network loaded = Checkpoints.load(dir)) {
        assertThat(loaded.architecture()).isEqualTo(second.architecture());
        assertThat(TinyData.logitBits(loaded, DATA)).isEqualTo(TinyData.logitBits(second, DATA));
      }
    }
  }

  @Test
  void refusesToReplaceADirectoryThatIsNotACheckpoint() throws IOException {
    Path dir = tmp.resolve("results");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("notes.txt"), "precious");
    try (Network net = Network.create(TinyData.mlp(4), 1)) {
      assertThatThrownBy(() -> Checkpoints.save(net, dir, null))
          .isInstanceOf(LetheException.class)
          .hasMessageContaining("not a checkpoint");
      assertThat(listing(dir)).containsExactly("notes.txt", "sub");
      assertThat(listing(tmp)).containsExactly("results");
      Path file = tmp.resolve("file.txt");
      Files.writeString(file, "precious");
      assertThatThrownBy(() -> Checkpoints.save(net, file, null))
          .isInstanceOf(LetheException.class)
          .hasMessageContaining("not a checkpoint");
      assertThat(Files.readString(file)).isEqualTo("precious");
      // an empty directory, or a half-written checkpoint, is fine
      Path empty = tmp.resolve("empty");
      Files.createDirectories(empty);
      Checkpoints.save(net, empty, null);
      assertThat(Checkpoints.exists(empty)).isTrue();
      Files.delete(empty.resolve("model.json"));
      Checkpoints.save(net, empty, null);
      assertThat(Checkpoints.exists(empty)).isTrue();
    }
  }

  @Test
  void aKillBetweenTheTwoRenamesOfAReplacementLosesNothing() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (Network first = Network.create(TinyData.mlp(4), 1);
        Network second = Network.create(TinyData.mlp(4), 2)) {
      Checkpoints.save(first, dir, new ObjectMapper().createObjectNode().put("n", 1));
      // the state a kill leaves after save moved the old checkpoint aside and before the new one was renamed
      Files.move(dir, tmp.resolve(".ckpt.replaced"));
      Files.createDirectories(tmp.resolve(".ckpt.tmp123"));
      Files.writeString(tmp.resolve(".ckpt.tmp123").resolve("model.params"), "half");
      assertThat(Checkpoints.exists(dir)).as("the old checkpoint is restored").isTrue();
      assertThat(Checkpoints.metadata(dir).path("n").asInt()).isEqualTo(1);
      try (Network loaded = Checkpoints.load(dir)) {
        assertThat(TinyData.logitBits(loaded, DATA)).isEqualTo(TinyData.logitBits(first, DATA));
      }
      Checkpoints.save(second, dir, new ObjectMapper().createObjectNode().put("n", 2));
      assertThat(listing(tmp)).as("leftovers of the killed save are gone").containsExactly("ckpt");
      assertThat(Checkpoints.metadata(dir).path("n").asInt()).isEqualTo(2);
    }
  }

  @Test
  void checkpointDirectoryGetsAnOrdinaryNewDirectorysPermissions() throws IOException {
    Path plain = Files.createDirectory(tmp.resolve("plain"));
    Path dir = tmp.resolve("ckpt-perm");
    try (Network net = Network.create(TinyData.cnn(4), 3)) {
      Checkpoints.save(net, dir, new ObjectMapper().createObjectNode());
    }
    assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(Files.getPosixFilePermissions(plain));
  }
}
