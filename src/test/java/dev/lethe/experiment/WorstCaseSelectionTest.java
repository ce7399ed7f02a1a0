package dev.lethe.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.Splits;
import dev.lethe.data.TrainTest;
import dev.lethe.model.Network;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorstCaseSelectionTest {
  private static final TrainConfig TRAINING = new TrainConfig(4, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  private static final TrainTest DATA =
      new TrainTest(TinyData.separable("tiny/train", 64, 1, 3), TinyData.separable("tiny/test", 16, 1, 4));

  @TempDir Path dir;

  @Test
  void theProjectionShiftsEveryEntryByOneAmountAndClampsToTheUnitBoxWithSumK() {
    // a − μ with μ = −0.2: [1.1 → 1, 0.7, 0.3, 0] sums to 2
    double[] w = WorstCaseSelection.project(new double[] {0.9, 0.5, 0.1, -0.2}, 2);
    assertThat(w[0]).isEqualTo(1.0);
    assertThat(w[1]).isCloseTo(0.7, within(1e-9));
    assertThat(w[2]).isCloseTo(0.3, within(1e-9));
    assertThat(w[3]).isCloseTo(0.0, within(1e-9));
    assertThat(Arrays.stream(WorstCaseSelection.project(new double[] {3, 3, 3, 3}, 1)).sum()).isCloseTo(1, within(1e-9));
  }

  @Test
  void topKBreaksTiesToTheLowerRowAndThePerSampleLossIsTheCrossEntropy() {
    assertThat(WorstCaseSelection.topK(new double[] {0.5, 1, 0.5, 0.2, 1}, 3)).containsExactly(0, 1, 4);
    double[] loss = WorstCaseSelection.perSampleLoss(new float[][] {{0, 0}, {2, 0}}, new int[] {0, 1});
    assertThat(loss[0]).isCloseTo(Math.log(2), within(1e-12));
    assertThat(loss[1]).isCloseTo(Math.log(1 + Math.exp(2)), within(1e-12));
  }

  @Test
  void withoutAnUpperStepTheSelectionIsItsSeededRandomStartAndTheSearchIsDeterministic() {
    Dataset pool = DATA.train();
    try (Network net = Network.create(TinyData.ownCnn(), 3)) {
      WorstCaseSelection.Options still = new WorstCaseSelection.Options(2, 1, 1e-3, 0, 0, 16);
      int[] start = Splits.firstOfPermutation(pool.size(), 10, new SplittableRandom(5).split());
      Arrays.sort(start);
      assertThat(WorstCaseSelection.select(net, pool, 10, still, 5, Progress.silent())).containsExactly(start);

      WorstCaseSelection.Options moving = new WorstCaseSelection.Options(2, 1, 1e-3, 10, 0, 16);
      int[] a = WorstCaseSelection.select(net, pool, 10, moving, 5, Progress.silent());
      assertThat(a).hasSize(10).isSorted().doesNotHaveDuplicates().isNotEqualTo(start);
      assertThat(WorstCaseSelection.select(net, pool, 10, moving, 5, Progress.silent())).containsExactly(a);
    }
  }

  @Test
  void anExperimentSearchesOnceStoresTheIdFileAndDerivesTheTaskFromIt() throws Exception {
    Experiment exp = Experiment.of(DATA, TinyData.ownCnn(), new SplitConfig(48, 8, 0, 3), TRAINING,
        new ArtifactStore(dir.resolve("store")));
    ForgetSpec.WorstCase spec = (ForgetSpec.WorstCase) ForgetSpec.parse("worst:0.25");
    assertThat(exp.hasWorstCase(spec, 1)).isFalse();
    ForgetTask task = exp.task(spec, 1);
    assertThat(task.forget().size()).isEqualTo(12);
    ArtifactStore.IdList ids = exp.worstCase(spec, 1);
    assertThat(Files.readAllLines(ids.file()).stream().mapToInt(Integer::parseInt).toArray()).containsExactly(task.forgetIds());

    Experiment again = Experiment.of(DATA, TinyData.ownCnn(), new SplitConfig(48, 8, 0, 3), TRAINING,
        new ArtifactStore(dir.resolve("store")));
    assertThat(again.hasWorstCase(spec, 1)).isTrue();
    ArtifactStore.IdList reloaded = again.worstCase(spec, 1);
    assertThat(reloaded.reused()).isTrue();
    // the search's own seconds, kept in the store's metadata: the stored set reports what its search cost
    assertThat(ids.seconds()).isPositive();
    assertThat(reloaded.seconds()).isEqualTo(ids.seconds());
    assertThat(reloaded.ids()).containsExactly(ids.ids());
    assertThat(again.task(spec, 1).forgetIds()).containsExactly(task.forgetIds());
  }

  @Test
  void sizesOutsideThePoolAndBadSpecsAreOneLineErrors() {
    Experiment exp = Experiment.of(DATA, TinyData.ownCnn(), new SplitConfig(48, 8, 0, 3), TRAINING,
        new ArtifactStore(dir.resolve("store")));
    assertThatThrownBy(() -> exp.task(ForgetSpec.parse("worst:48"), 1)).isInstanceOf(LetheException.class)
        .hasMessage("forget spec worst:48 selects 48 of the 48 samples in the training pool; ask for between 1 and 47");
    assertThatThrownBy(() -> ForgetSpec.parse("worst:1.5")).isInstanceOf(LetheException.class);
    assertThatThrownBy(() -> ForgetSpec.parse("worst:0")).isInstanceOf(LetheException.class);
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.parse("worst:0.1"), exp.splits(), 1))
        .isInstanceOf(LetheException.class).hasMessageContaining("Experiment.task");
    assertThat(dir.resolve("store")).doesNotExist();
  }
}
