package dev.lethe.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.data.ForgetSpec;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.TestData;
import dev.lethe.experiment.Ensemble.Member;
import dev.lethe.experiment.EnsembleExecutor.Finished;
import dev.lethe.train.LossDivergedException;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.Unlearner;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EnsembleJob}: the text another JVM rebuilds an ensemble from, its member lines and answers; nothing trained. */
class EnsembleJobTest {
  private static final TrainConfig TRAINING = new TrainConfig(4, 16, 0.05, 0.9, 5e-4, LrSchedule.COSINE);

  @TempDir Path tmp;

  private Ensemble ensemble() throws Exception {
    Path data = TestData.tinyFashionMnist(tmp.resolve("fashion-mnist"), 80, 16);
    Experiment e = new Experiment("fashion-mnist", data, "mlp", 16, new SplitConfig(48, 16, 0, 3), TRAINING,
        new ArtifactStore(tmp.resolve("store"))).trainedWith(1);
    return new Ensemble(e, e.task(ForgetSpec.parse("random:12"), 7), 6, 11);
  }

  @Test
  void theOtherSideRebuildsTheSameEnsembleAndReadsItsMemberLines() throws Exception {
    Ensemble ours = ensemble();
    Ensemble theirs = EnsembleJob.rebuild(EnsembleJob.of(ours));
    assertThat(theirs.describe()).isEqualTo(ours.describe());
    assertThat(theirs.experiment().fingerprint()).isEqualTo(ours.experiment().fingerprint());
    assertThat(theirs.experiment().store().root()).isEqualTo(tmp.resolve("store").toAbsolutePath());
    for (int j = 0; j < 6; j++) {
      assertThat(theirs.shadowTask(j).forgetIdsHash()).isEqualTo(ours.shadowTask(j).forgetIdsHash());
    }
    Unlearner ft = new MethodRegistry(TRAINING).get("ft").create(Map.of("epochs", "1"));
    Member twin = Member.twin(ft, 3);
    assertThat(EnsembleJob.member(EnsembleJob.line(twin))).isEqualTo(twin);
    assertThat(EnsembleJob.line(Member.of(Member.ORIGINAL, 2)))
        .isEqualTo("{\"method\":null,\"params\":null,\"role\":\"original\",\"shadow\":2}");
  }

  @Test
  void anAnswerIsReadAsWhatItSaysAndATwinsDivergenceIsThrownWhereItsMarginsAreRead() throws Exception {
    Ensemble ensemble = ensemble();
    Finished stored = EnsembleJob.finished(ensemble, "{\"computed\":false,\"member\":"
        + EnsembleJob.line(Member.of(Member.RETRAIN, 4)) + ",\"seconds\":0.24}", 2);
    assertThat(stored).isEqualTo(new Finished(Member.of(Member.RETRAIN, 4), 2, 0.24, false, false));
    assertThat(EnsembleJob.progressLine("worker 2", stored, 3, 8)).isEqualTo("worker 2 found stored shadow 4 retrain in "
        + "0.2 s (3 of 8)");

    Unlearner ft = new MethodRegistry(TRAINING).get("ft").create(Map.of("epochs", "1"));
    Finished diverged = EnsembleJob.finished(ensemble, "{\"computed\":true,\"diverged\":{\"reason\":\"loss is NaN\","
        + "\"step\":3,\"steps\":9,\"what\":\"ft\"},\"member\":" + EnsembleJob.line(Member.twin(ft, 0))
        + ",\"seconds\":1.5}", 1);
    assertThat(diverged.diverged()).isTrue();
    assertThat(EnsembleJob.progressLine("executor 0", diverged, 1, 1))
        .isEqualTo("executor 0 saw diverge shadow 0 twin ft in 1.5 s (1 of 1)");
    assertThatThrownBy(() -> ensemble.twins(ft, Progress.silent())).isInstanceOf(LossDivergedException.class)
        .hasMessageStartingWith("ft diverged: loss is NaN at step 3 of 9");
  }

  @Test
  void onlyAnEnsembleKeyedForOneThreadBecomesAJob() throws Exception {
    Ensemble one = ensemble();
    Experiment two = one.experiment().trainedWith(2);
    Ensemble ofTwo = new Ensemble(two, one.target(), 6, 11);
    assertThatThrownBy(() -> EnsembleJob.of(ofTwo)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("worker processes train with one thread: pass the ensemble of experiment.trainedWith(1), not of 2 "
            + "threads");
  }
}
