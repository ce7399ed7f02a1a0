package dev.lethe.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.audit.perexample.PairedMargins;
import dev.lethe.audit.perexample.PairedMargins.Group;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.TrainTest;
import dev.lethe.experiment.Ensemble.MemberMargins;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.Unlearner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnsembleTest {
  private static final TrainConfig TRAINING = new TrainConfig(40, 8, 0.05, 0.9, 5e-4, LrSchedule.COSINE);

  @TempDir Path tmp;

  /**
   * Pure noise images with random labels: nothing generalises, so a model's margin on an example it trained
   * on (memorised) and on one it never saw differ clearly, the regime the audits are built for.
   */
  static Dataset noise(String name, int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] pixels = new float[n * 64];
    int[] labels = new int[n];
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(3);
      ids[i] = i;
      for (int p = 0; p < 64; p++) {
        pixels[i * 64 + p] = (float) random.nextDouble();
      }
    }
    return new Dataset(name, 1, 8, 8, pixels, labels, ids, TinyData.CLASSES);
  }

  private Experiment experiment(Path store) {
    TrainTest data = new TrainTest(noise("noise/train", 80, 1), noise("noise/test", 16, 2));
    return new Experiment("noise", null, data, "mlp", 64, new SplitConfig(48, 16, 0, 3, null, null, null),
        TRAINING, new ArtifactStore(store));
  }

  @Test
  void everyPoolExampleIsInForExactlyHalfTheShadowsAndEachShadowForgetsTheTargetExamplesOfItsHalf() {
    Experiment e = experiment(tmp.resolve("store"));
    ForgetTask target = e.task(ForgetSpec.parse("random:12"), 7);
    Ensemble ensemble = new Ensemble(e, target, 6, 11);
    int[] targetRows = target.rows().forget();
    for (int row = 0; row < 48; row++) {
      int in = 0;
      for (int j = 0; j < 6; j++) {
        in += ensemble.in(j, row) ? 1 : 0;
      }
      assertThat(in).as("row %d", row).isEqualTo(3);
      for (int p = 0; p < 3; p++) {
        assertThat(ensemble.in(2 * p, row)).isNotEqualTo(ensemble.in(2 * p + 1, row));
      }
    }
    for (int j = 0; j < 6; j++) {
      ForgetTask shadow = ensemble.shadowTask(j);
      int shadowIndex = j;
      int[] expected = Arrays.stream(targetRows).filter(r -> ensemble.in(shadowIndex, r))
          .map(r -> e.splits().pool().id(r)).sorted().toArray();
      assertThat(shadow.forgetIds()).containsExactly(expected);
      assertThat(shadow.pool().size()).isEqualTo(24);
      assertThat(shadow.retain().size()).isEqualTo(24 - expected.length);
    }
    Ensemble again = new Ensemble(e, target, 6, 11);
    Ensemble other = new Ensemble(e, target, 6, 12);
    boolean[] sameAsAgain = {true};
    boolean[] sameAsOther = {true};
    for (int row = 0; row < 48; row++) {
      sameAsAgain[0] &= again.in(0, row) == ensemble.in(0, row);
      sameAsOther[0] &= other.in(0, row) == ensemble.in(0, row);
    }
    assertThat(sameAsAgain[0]).isTrue();
    assertThat(sameAsOther[0]).isFalse();
  }

  @Test
  void anEnsembleTooSmallOrOddIsRefusedSayingWhichAuditNeedsHowMany() {
    Experiment e = experiment(tmp.resolve("store"));
    ForgetTask target = e.task(ForgetSpec.parse("random:12"), 7);
    assertThatThrownBy(() -> Ensemble.checkSize(4)).isInstanceOf(LetheException.class)
        .hasMessageContaining("forget quality needs at least 3").hasMessageContaining("at least 6");
    // four shadows serve the single-model attacks, not the per-example audits
    Ensemble four = new Ensemble(e, target, 4, 1);
    MemberMargins[] coded = {coded(0, 0), coded(1, 0), coded(2, 0), coded(3, 0)};
    assertThatThrownBy(() -> EnsembleAudit.measure(four, coded, coded, coded)).isInstanceOf(LetheException.class)
        .hasMessageContaining("forget quality needs at least 3");
    assertThatThrownBy(() -> new Ensemble(e, target, 7, 1)).isInstanceOf(LetheException.class)
        .hasMessageContaining("even");
    assertThatThrownBy(() -> Ensemble.checkAttackSize(0)).isInstanceOf(LetheException.class)
        .hasMessageContaining("LiRA and RMIA need").hasMessageContaining("at least 2");
  }

  @Test
  void theSingleModelAttacksTellAModelThatKeptItsForgetMarginsFromItsRetrainAndNotTheRetrainFromItself() {
    Experiment e = experiment(tmp.resolve("store"));
    ForgetTask target = e.task(ForgetSpec.parse("random:12"), 7);
    Ensemble ensemble = new Ensemble(e, target, 2, 11);
    MemberMargins[] originals = {small(0), small(1)};
    // the retrain's margins are shadow 0's on the test and validation splits and, on each pool row, those of the
    // one shadow that never trained on it: every member and every non-member sits at its reference's median
    double[] rtPool = new double[48];
    for (int r = 0; r < 48; r++) {
      rtPool[r] = originals[ensemble.in(0, r) ? 1 : 0].pool()[r];
    }
    double[] heldOut = new double[16];
    for (int v = 0; v < 16; v++) {
      heldOut[v] = (originals[0].test()[v] + originals[1].test()[v]) / 2;
    }
    MemberMargins rt = new MemberMargins(rtPool, heldOut, heldOut);
    double[] kept = rtPool.clone();
    for (int row : target.rows().forget()) {
      kept[row] += 5; // far above what any model that never trained on it gives
    }
    MemberMargins model = new MemberMargins(kept, heldOut, heldOut);
    Map<String, Double> m = EnsembleAudit.measureModel(ensemble, model, rt, originals);
    // LiRA's z: 5 / sigma for every member, 0 for every non-member; the retrain's: 0 for all (ties, AUC 1/2)
    assertThat(m.get("lira_auc")).isEqualTo(1.0);
    assertThat(m.get("lira_tpr_at_1pct_fpr")).isEqualTo(1.0);
    assertThat(m.get("lira_auc_retrain")).isEqualTo(0.5);
    assertThat(m.get("lira_tpr_at_1pct_fpr_retrain")).isEqualTo(0.0);
    assertThat(m.get("lira_auc_delta")).isEqualTo(0.5);
    assertThat(m.get("rmia_auc")).isEqualTo(1.0);
    assertThat(m.get("rmia_auc_delta")).isEqualTo(1.0 - m.get("rmia_auc_retrain"));
    assertThat(m.get("ensemble_size")).isEqualTo(2.0);
    Map<String, Double> self = EnsembleAudit.measureModel(ensemble, rt, rt, originals);
    for (String k : List.of("lira_auc", "lira_tpr_at_1pct_fpr", "rmia_auc", "rmia_tpr_at_0_1pct_fpr")) {
      assertThat(self.get(k + "_delta")).as(k).isZero();
      assertThat(self.get(k + "_retrain")).as(k).isEqualTo(m.get(k + "_retrain"));
    }
  }

  @Test
  void pairedMarginsTakeTheShadowsThatTrainedOnEachExampleAndForgetQualityGetsOneN() {
    Experiment e = experiment(tmp.resolve("store"));
    ForgetTask target = e.task(ForgetSpec.parse("random:12"), 7);
    Ensemble ensemble = new Ensemble(e, target, 6, 11);
    MemberMargins[] audited = new MemberMargins[6];
    MemberMargins[] retrained = new MemberMargins[6];
    for (int j = 0; j < 6; j++) {
      audited[j] = coded(j, 1000);
      retrained[j] = coded(j, 2000);
    }
    PairedMargins paired = EnsembleAudit.paired(ensemble, audited, retrained);
    int[] forget = paired.rows(Group.FORGET);
    assertThat(forget).hasSize(12);
    assertThat(paired.rows(Group.RETAIN)).hasSize(36);
    assertThat(paired.rows(Group.VALIDATION)).hasSize(16);
    int firstTarget = target.rows().forget()[0];
    double[] expected = new double[3];
    int n = 0;
    for (int j = 0; j < 6; j++) {
      if (ensemble.in(j, firstTarget)) {
        expected[n++] = 1000 + 100 * j + firstTarget;
      }
    }
    assertThat(paired.candidate()[forget[0]]).containsExactly(expected);
    assertThat(paired.reference()[forget[0]][0]).isEqualTo(expected[0] + 1000);
    int firstValidation = paired.rows(Group.VALIDATION)[0];
    assertThat(paired.candidate()[firstValidation]).containsExactly(1000.5, 1100.5, 1200.5, 1300.5, 1400.5, 1500.5);

    PairedMargins uneven = PairedMargins.forget(new double[][] {{1, 2, 3}, {4, 5, 6, 7}}, new double[][] {{8, 9, 10, 11}, {12, 13, 14}});
    PairedMargins common = EnsembleAudit.commonN(uneven);
    assertThat(common.candidate()[1]).containsExactly(4, 5, 6);
    assertThat(common.reference()[0]).containsExactly(8, 9, 10);
  }

  /**
   * Margins near 0 (where the true-class probability is not saturated, so RMIA's ratios differ), shadow 1's
   * above shadow 0's everywhere.
   */
  private static MemberMargins small(int j) {
    double[] pool = new double[48];
    for (int r = 0; r < 48; r++) {
      pool[r] = 0.01 * r - 0.2 + 0.05 * j;
    }
    double[] val = new double[16];
    for (int v = 0; v < 16; v++) {
      val[v] = 0.01 * v - 0.1 + 0.05 * j;
    }
    return new MemberMargins(pool, val, val.clone());
  }

  /** Margins that name their member: {@code base + 100 j + row} on the pool, {@code base + 100 j + row + 0.5} elsewhere. */
  private static MemberMargins coded(int j, double base) {
    double[] pool = new double[48];
    for (int r = 0; r < 48; r++) {
      pool[r] = base + 100 * j + r;
    }
    double[] val = new double[16];
    for (int r = 0; r < 16; r++) {
      val[r] = base + 100 * j + r + 0.5;
    }
    return new MemberMargins(pool, val, val.clone());
  }

  @Test
  void theSanityLadderHoldsARealMethodLandsBetweenFloorAndCeilingAndARerunTrainsNothingWhileADamagedMemberIsRecomputed()
      throws Exception {
    Path store = tmp.resolve("store");
    Experiment e = experiment(store);
    ForgetTask target = e.task(ForgetSpec.parse("random:12"), 7);
    // random labels moves the memorised forget margins part of the way: measured here, ft, ga and neggrad+ at their
    // defaults (and ft for 400 epochs at the original's lr) leave every forget example as separable as the original
    Unlearner rl = new MethodRegistry(TRAINING).get("rl").create(Map.of());
    Ensemble ensemble = new Ensemble(e, target, 6, 11);
    Progress quiet = Progress.silent();
    MemberMargins[] originals = ensemble.originals(quiet);
    MemberMargins[] retrains = ensemble.retrains(quiet);
    Map<String, Double> ceiling = EnsembleAudit.measure(ensemble, originals, originals, retrains).metrics();
    Map<String, Double> floor = EnsembleAudit.measure(ensemble, ensemble.secondRetrains(quiet), originals, retrains).metrics();
    EnsembleAudit.Measured measured = EnsembleAudit.measure(ensemble, ensemble.twins(rl, quiet), originals, retrains);
    Map<String, Double> method = measured.metrics();
    // 6 originals, 6 retrains, 6 second retrains, 6 twins
    assertThat(e.store().computations()).isEqualTo(24);

    assertThat(ceiling.get("ensemble_size")).isEqualTo(6.0);
    assertThat(ceiling.get("forget_quality_n")).isEqualTo(3.0);
    // the original is far from retraining: nearly every forget example's margins are disjoint from the retrains'
    assertThat(ceiling.get("klom_forget_p95")).isGreaterThan(floor.get("klom_forget_p95") + 5);
    assertThat(ceiling.get("klom_forget_median")).isGreaterThan(floor.get("klom_forget_median") + 1);
    assertThat(ceiling.get("ulira_accuracy")).isGreaterThan(floor.get("ulira_accuracy") + 0.2);
    assertThat(ceiling.get("forget_quality")).isLessThan(floor.get("forget_quality"));
    assertThat(ceiling.get("lira_auc_delta")).isGreaterThan(0.2);
    assertThat(Math.abs(floor.get("lira_auc_delta"))).isLessThan(ceiling.get("lira_auc_delta") / 2);
    assertThat(ceiling.get("rmia_auc_delta")).isGreaterThan(Math.abs(floor.get("rmia_auc_delta")));
    // and the method lands strictly between: retrain-2 < rl < original
    for (String k : List.of("klom_forget_p95", "klom_forget_median", "ulira_accuracy")) {
      assertThat(method.get(k)).as(k).isGreaterThan(floor.get(k)).isLessThan(ceiling.get(k));
    }

    // the per-example values behind the summaries: the target examples in pool order
    int[] targetIds = Arrays.stream(target.rows().forget()).sorted().map(r -> e.splits().pool().id(r)).toArray();
    assertThat(measured.scores().ids()).containsExactly(targetIds);
    double sum = 0;
    for (double a : measured.scores().uliraAccuracy()) {
      sum += a;
    }
    assertThat(sum / 12).isEqualTo(method.get("ulira_accuracy"));
    double[] klom = measured.scores().klomForget().clone();
    Arrays.sort(klom);
    assertThat((klom[5] + klom[6]) / 2).isEqualTo(method.get("klom_forget_median"));
    Path kept = tmp.resolve("per-example");
    measured.scores().write(kept, null);
    PerExampleScores read = PerExampleScores.read(kept);
    assertThat(read.ids()).containsExactly(targetIds);
    for (int i = 0; i < 12; i++) {
      assertThat(read.uliraAccuracy()[i]).isEqualTo((float) measured.scores().uliraAccuracy()[i]);
    }
    Files.delete(kept.resolve(PerExampleScores.SIDECAR));
    assertThat(PerExampleScores.read(kept)).as("values without their sidecar are incomplete").isNull();

    ExperimentRerun rerun = new ExperimentRerun(store);
    rerun.measureAll(rl);
    assertThat(rerun.experiment.store().computations()).isZero();
    assertThat(rerun.experiment.store().loads()).as("each member loaded once").isEqualTo(24);
    assertThat(rerun.ceiling).isEqualTo(ceiling);
    assertThat(rerun.method).isEqualTo(method);

    Path damaged;
    try (Stream<Path> dirs = Files.list(store)) {
      damaged = dirs.filter(p -> p.getFileName().toString().startsWith("twin-")).findFirst().orElseThrow();
    }
    try (Stream<Path> files = Files.list(damaged)) {
      Path params = files.filter(p -> p.getFileName().toString().endsWith(".params")).findFirst().orElseThrow();
      Files.write(params, new byte[] {1, 2, 3});
    }
    ExperimentRerun repaired = new ExperimentRerun(store);
    repaired.measureAll(rl);
    assertThat(repaired.experiment.store().computations()).isEqualTo(1);
  }

  /** A fresh experiment and ensemble on an existing store, as a second run would build them. */
  private final class ExperimentRerun {
    final Experiment experiment;
    Map<String, Double> ceiling;
    Map<String, Double> method;

    ExperimentRerun(Path store) {
      experiment = experiment(store);
    }

    void measureAll(Unlearner method) {
      Ensemble ensemble = new Ensemble(experiment, experiment.task(ForgetSpec.parse("random:12"), 7), 6, 11);
      Progress quiet = Progress.silent();
      MemberMargins[] originals = ensemble.originals(quiet);
      MemberMargins[] retrains = ensemble.retrains(quiet);
      ceiling = EnsembleAudit.measure(ensemble, originals, originals, retrains).metrics();
      ensemble.secondRetrains(quiet);
      this.method = EnsembleAudit.measure(ensemble, ensemble.twins(method, quiet), originals, retrains).metrics();
    }
  }
}
