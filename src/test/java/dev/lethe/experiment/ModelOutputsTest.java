package dev.lethe.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.audit.SplitLogits;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Splits;
import dev.lethe.model.Network;
import dev.lethe.train.TinyData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelOutputsTest {
  @TempDir Path tmp;

  @Test
  void outputsPredictedOncePerSplitGiveEveryTaskTheLogitsOfADirectPrediction() {
    Splits splits = TinyData.splits(3);
    try (Network net = Network.create(TinyData.mlp(6), 5)) {
      ModelOutputs outputs = ModelOutputs.predict(net, splits);
      for (String spec : new String[] {"class:1", "random:0.25", "class:1 on validation", "random:0.25 on validation"}) {
        ForgetTask derived = ForgetTask.derive(dev.lethe.data.ForgetSpec.parse(spec.split(" ")[0]), splits, 7);
        ForgetTask task = spec.endsWith("validation") ? derived.heldOutAsValidation() : derived;
        SplitLogits direct = SplitLogits.of(net, task);
        SplitLogits viaOutputs = outputs.forTask(task);
        // equal up to float reordering: the prediction batches hold other images
        assertClose(viaOutputs.forget(), direct.forget());
        assertClose(viaOutputs.retain(), direct.retain());
        assertClose(viaOutputs.test(), direct.test());
        assertClose(viaOutputs.testForgotten(), direct.testForgotten());
      }
    }
  }

  @Test
  void storedOutputsAreReadBackOnlyForTheSplitsTheyWereComputedOn() {
    Splits splits = TinyData.splits(3);
    try (Network net = Network.create(TinyData.mlp(6), 5)) {
      ArtifactStore store = new ArtifactStore(tmp);
      ArtifactStore.Artifact artifact = new ArtifactStore.Artifact(
          net, null, false, store.dir("original", Json.MAPPER.createObjectNode().put("seed", 1)));
      ModelOutputs.Stored first = ModelOutputs.cached(store, artifact, net, splits);
      assertThat(first.computed()).isTrue();
      ModelOutputs outputs = first.outputs();
      ModelOutputs.Stored second = ModelOutputs.cached(store, artifact, net, splits);
      assertThat(second.computed()).as("read back, not predicted again").isFalse();
      ModelOutputs again = second.outputs();
      assertThat(again.pool()).isDeepEqualTo(outputs.pool());
      assertThat(again.validation()).isDeepEqualTo(outputs.validation());
      assertThat(again.test()).isDeepEqualTo(outputs.test());
      assertThat(ModelOutputs.read(artifact.outputsDir(), TinyData.splits(4))).as("other splits").isNull();
      assertThat(ModelOutputs.read(tmp.resolve("missing"), splits)).isNull();
    }
  }

  private static void assertClose(float[][] actual, float[][] expected) {
    assertThat(actual).hasSameDimensionsAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).containsExactly(expected[i], org.assertj.core.api.Assertions.within(1e-5f));
    }
  }
}
