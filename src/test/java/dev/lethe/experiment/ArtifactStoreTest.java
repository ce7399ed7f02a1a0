package dev.lethe.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
  @TempDir Path dir;
  private final ModelSpec spec = new ModelSpec("mlp", 1, 4, 4, 3, 8);

  private ObjectNode key(int epochs) {
    ObjectNode k = Json.MAPPER.createObjectNode();
    k.put("kind", "original");
    k.put("epochs", epochs);
    k.put("seed", 7);
    return k;
  }

  private ArtifactStore.Computed compute(AtomicInteger calls) {
    calls.incrementAndGet();
    ObjectNode meta = Json.MAPPER.createObjectNode();
    meta.put("train_seconds", 1.5);
    return new ArtifactStore.Computed(Network.create(spec, 3), meta);
  }

  @Test
  void secondRequestWithTheSameKeyReusesTheStoredNetwork() {
    ArtifactStore store = new ArtifactStore(dir);
    AtomicInteger calls = new AtomicInteger();
    float[] first;
    try (Network a = store.getOrCompute("original", key(3), spec, () -> compute(calls)).network()) {
      first = a.parameters().get(0).getValue().getArray().toFloatArray();
    }
    ArtifactStore.Artifact again = store.getOrCompute("original", key(3), spec, () -> compute(calls));
    try (Network b = again.network()) {
      assertThat(again.reused()).isTrue();
      assertThat(again.metadata().path("train_seconds").asDouble()).isEqualTo(1.5);
      assertThat(b.parameters().get(0).getValue().getArray().toFloatArray()).containsExactly(first);
    }
    assertThat(calls).hasValue(1);
  }

  @Test
  void keyFieldOrderDoesNotMatterButContentDoes() {
    ObjectNode a = Json.MAPPER.createObjectNode().put("x", 1).put("y", 2);
    ObjectNode b = Json.MAPPER.createObjectNode().put("y", 2).put("x", 1);
    assertThat(Json.contentKey(a)).isEqualTo(Json.contentKey(b));
    assertThat(Json.contentKey(a)).isNotEqualTo(Json.contentKey(b.put("x", 3)));
    ArtifactStore store = new ArtifactStore(dir);
    AtomicInteger calls = new AtomicInteger();
    store.getOrCompute("original", key(3), spec, () -> compute(calls)).network().close();
    store.getOrCompute("original", key(4), spec, () -> compute(calls)).network().close();
    assertThat(calls).hasValue(2);
  }

  @Test
  void failedComputationLeavesNothingBehindAndIsRetried() throws Exception {
    ArtifactStore store = new ArtifactStore(dir);
    assertThatThrownBy(() -> store.getOrCompute("original", key(3), spec, () -> {
      throw new IllegalStateException("boom");
    })).isInstanceOf(IllegalStateException.class);
    try (var files = Files.list(dir)) {
      assertThat(files.filter(p -> !p.getFileName().toString().endsWith(".lock"))).isEmpty();
    }
    AtomicInteger calls = new AtomicInteger();
    ArtifactStore.Artifact a = store.getOrCompute("original", key(3), spec, () -> compute(calls));
    a.network().close();
    assertThat(a.reused()).isFalse();
    assertThat(calls).hasValue(1);
  }
}
