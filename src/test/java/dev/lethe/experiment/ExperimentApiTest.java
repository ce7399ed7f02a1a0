package dev.lethe.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.audit.AuditResult;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.TrainTest;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.ReferenceModels;
import dev.lethe.unlearn.Unlearner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API of {@link Experiment}: your own data and network, forget ids, a method, one audit call. */
class ExperimentApiTest {
  private static final TrainConfig TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  private static final SplitConfig SPLIT = new SplitConfig(48, 8, 0, 3);
  private static final TrainTest DATA =
      new TrainTest(TinyData.separable("tiny/train", 64, 1, 3), TinyData.separable("tiny/test", 16, 1, 4));

  @TempDir Path dir;

  private Experiment experiment() {
    return Experiment.of(DATA, TinyData.ownCnn(), SPLIT, TRAINING, new ArtifactStore(dir.resolve("store")));
  }

  private static long storedModels(Path store, String kind) throws Exception {
    try (var files = Files.list(store)) {
      return files.filter(f -> f.getFileName().toString().startsWith(kind + "-")).count();
    }
  }

  @Test
  void yourOwnNetworkIsTrainedUnlearnedAndAuditedAgainstAKeptReference() throws Exception {
    Experiment exp = experiment();
    int[] pool = exp.splits().pool().ids();
    ForgetTask task = exp.task(ForgetSpec.ids(pool[1], pool[5], pool[8], pool[13], pool[21], pool[34]), 1);
    Unlearner ft = exp.method("ft", Map.of("epochs", "2", "batchSize", "16"));
    try (Network original = exp.original(1); Network unlearned = ft.unlearn(original, task, 1)) {
      AuditResult audit = exp.audit(unlearned, task);
      assertThat(audit.forgetAcc()).isEqualTo(100.0 * correct(unlearned, task) / task.forget().size());
      assertThat(exp.audit(unlearned, task)).as("audited again, from the kept reference").isEqualTo(audit);
    }
    assertThat(storedModels(dir.resolve("store"), "retrain")).as("RT is trained once, then kept").isEqualTo(1);
    assertThat(exp.reference(task, Progress.silent())).isSameAs(exp.reference(task, Progress.silent()));
  }

  @Test
  void aMethodsExtraOriginalsAreThePoolsOriginalsOfTheTasksOwnSeedStreamTrainedOnce() throws Exception {
    Experiment exp = experiment();
    ForgetTask task = exp.task(ForgetSpec.parse("random:0.25"), 1);
    Unlearner dmm = exp.method("dmm", Map.of("checkpoints", "3", "dimension", "8"));
    byte[] own;
    try (Network original = exp.original(1)) {
      own = TinyData.paramBytes(original);
    }
    ReferenceModels references = exp.referenceModels(dmm, task, Progress.silent());
    assertThat(references.retrainedCount()).isZero();
    assertThat(references.originalCount()).isEqualTo(2);
    // the stream split after the second retrain's and the retrained models' streams
    SplittableRandom root = new SplittableRandom(task.seed());
    root.split();
    SplittableRandom retrainSeeds = root.split();
    SplittableRandom seeds = root.split();
    int trained = exp.store().computations();
    try (Network first = references.original(0);
        Network second = references.original(1);
        Network expectedFirst = exp.trainedOn("original", task.pool(), seeds.nextLong(), "test", Progress.silent())
            .network();
        Network expectedSecond = exp.trainedOn("original", task.pool(), seeds.nextLong(), "test", Progress.silent())
            .network()) {
      assertThat(exp.store().computations()).as("both were stored, under those seeds").isEqualTo(trained);
      assertThat(TinyData.paramBytes(first)).isEqualTo(TinyData.paramBytes(expectedFirst));
      assertThat(TinyData.paramBytes(second)).isEqualTo(TinyData.paramBytes(expectedSecond))
          .isNotEqualTo(TinyData.paramBytes(first));
      assertThat(TinyData.paramBytes(first)).as("not the scenario's own original").isNotEqualTo(own);
    }
    assertThat(storedModels(dir.resolve("store"), "original")).isEqualTo(3);
    exp.referenceModels(dmm, task, Progress.silent());
    assertThat(exp.store().computations()).as("loaded the second time").isEqualTo(trained);
    // a retrained model of your own network loads with its blocks too
    ReferenceModels retrained = exp.referenceModels(exp.method("oracle-matching", Map.of("models", "1")), task,
        Progress.silent());
    assertThat(retrained.originalCount()).isZero();
    assertThat(retrained.meanRetrainedLogits(task.forget())).hasDimensions(task.forget().size(), 3);
    // its seed is still the first of the stream split after the second retrain's
    int before = exp.store().computations();
    exp.retrained(task, retrainSeeds.nextLong(), Progress.silent()).network().close();
    assertThat(exp.store().computations()).isEqualTo(before);
  }

  private static int correct(Network net, ForgetTask task) {
    float[][] logits = dev.lethe.train.Prediction.logits(net, task.forget());
    int n = 0;
    for (int i = 0; i < logits.length; i++) {
      int best = 0;
      for (int j = 1; j < logits[i].length; j++) {
        best = logits[i][j] > logits[i][best] ? j : best;
      }
      n += best == task.forget().label(i) ? 1 : 0;
    }
    return n;
  }

  @Test
  void theRetrainedReferenceAuditedAgainstItselfHasNoGap() {
    Experiment exp = experiment();
    ForgetTask task = exp.task(ForgetSpec.classes(1), 2);
    try (Network rt = exp.retrained(task, task.seed(), Progress.silent()).network()) {
      AuditResult self = exp.audit(rt, task);
      assertThat(self.avgGap()).isZero();
      assertThat(self.klToRetrainForget()).isZero();
      assertThat(self.jsToRetrainTest()).isZero();
      assertThat(self.classMetrics()).hasValueSatisfying(c -> assertThat(c.tvToRetrainForget()).isZero());
      assertThat(self).isEqualTo(exp.reference(task, Progress.silent()).rt().result());
    }
  }

  @Test
  void theStoreKeepsYourOwnNetworkAndGivesItBackWithItsBlocks() {
    byte[] first;
    try (Network original = experiment().original(1)) {
      first = TinyData.paramBytes(original);
    }
    ArtifactStore.Artifact again = experiment().original(1, Progress.silent());
    try (Network original = again.network()) {
      assertThat(again.reused()).isTrue();
      assertThat(TinyData.paramBytes(original)).isEqualTo(first);
    }
    JsonNode described = experiment().describe();
    assertThat(described.get("model").asText()).isEqualTo("tiny-own");
    assertThat(described.get("custom").get("custom").asText()).isEqualTo("tiny-own");
    assertThat(described.has("width")).isFalse();
    assertThatThrownBy(() -> Experiment.fromMetadata(again.metadata(), null, new ArtifactStore(dir)))
        .isInstanceOf(LetheException.class)
        .hasMessage("this checkpoint's network tiny-own is of your own design, which the command line cannot build:"
            + " work with it from Java (Experiment.of, Checkpoints.load(dir, architecture))");
  }

  @Test
  void aBuiltInNetworkKeepsTheKeysItAlwaysHad() {
    Experiment builtIn = new Experiment("tiny", null, DATA, "cnn", 4, SPLIT, TRAINING, new ArtifactStore(dir));
    Experiment viaOf = Experiment.of(DATA, ModelSpec.of("cnn", 4, DATA.train()), SPLIT, TRAINING, new ArtifactStore(dir));
    assertThat(builtIn.fingerprint().get("spec")).isEqualTo(Json.MAPPER.valueToTree(TinyData.cnn(4)));
    assertThat(Json.MAPPER.valueToTree(TinyData.cnn(4)).toString()).isEqualTo(
        "{\"architecture\":\"cnn\",\"channels\":1,\"height\":8,\"width\":8,\"classes\":3,\"baseWidth\":4}");
    JsonNode a = builtIn.fingerprint();
    JsonNode b = viaOf.fingerprint();
    assertThat(Json.differences(a, b)).containsExactly("dataset \"tiny\" -> \"tiny/train\"");
  }

  @Test
  void badInputIsAOneLineError() {
    Experiment exp = experiment();
    Experiment other = Experiment.of(DATA, TinyData.ownCnn(), new SplitConfig(40, 8, 0, 3), TRAINING,
        new ArtifactStore(dir.resolve("store")));
    ForgetTask foreign = other.task(ForgetSpec.count(3), 1);
    try (Network net = Network.create(TinyData.ownCnn(), 1); Network mlp = Network.create(TinyData.mlp(4).withClasses(4), 1)) {
      assertThatThrownBy(() -> exp.audit(net, foreign))
          .isInstanceOf(LetheException.class)
          .hasMessage("task random:3 was derived on another training pool or validation split: derive it with this"
              + " experiment's task(spec, seed)");
      assertThatThrownBy(() -> exp.audit(mlp, exp.task(ForgetSpec.count(3), 1)))
          .isInstanceOf(LetheException.class)
          .hasMessage("network mlp does not take this experiment's 1x8x8 images of 3 classes: audit a network of this"
              + " experiment");
    }
    assertThatThrownBy(() -> exp.method("sfr-off", Map.of())).isInstanceOf(LetheException.class)
        .hasMessageStartingWith("unknown method 'sfr-off': choose from retrain, original, ");
    assertThatThrownBy(() -> exp.task(ForgetSpec.ids(99_999), 1)).isInstanceOf(LetheException.class)
        .hasMessageStartingWith("forget spec ForgetSpec.ids: id 99999 is not in the training pool; ");
    assertThatThrownBy(() -> Experiment.of(DATA, TinyData.ownCnn().withClasses(4), SPLIT, TRAINING,
        new ArtifactStore(dir))).isInstanceOf(LetheException.class)
        .hasMessage("network tiny-own takes 1x8x8 images of 4 classes, but tiny/train holds 1x8x8 images of 3 classes:"
            + " build the network for this data");
  }
}
