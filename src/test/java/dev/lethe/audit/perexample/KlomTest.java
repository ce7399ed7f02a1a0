package dev.lethe.audit.perexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.LetheException;
import dev.lethe.audit.perexample.PairedMargins.Group;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KlomTest {
  private static final double EPS = 1e-5;
  private static final Klom EASY_DUB = new Klom(Klom.Options.easyDub());

  @Test
  void identicalSamplesScoreZeroInBothDirections() {
    double[] s = {-3.5, 0.25, 2, 2, 7};
    Klom.Result r = EASY_DUB.audit(PairedMargins.forget(new double[][] {s}, new double[][] {s.clone()}));
    assertThat(r.retrainedToAudited()).containsExactly(0.0);
    assertThat(r.auditedToRetrained()).containsExactly(0.0);
  }

  @Test
  void disjointSamplesScoreTheEpsilonFloor() {
    // Each side all in one bin the other leaves empty: q' = ε / (1 + ε) there, KL = ln((1 + ε) / ε) ≈ 11.513.
    double floor = Math.log((1 + EPS) / EPS);
    Klom.Result r = EASY_DUB.audit(PairedMargins.forget(new double[][] {{5, 5, 5}}, new double[][] {{3, 3, 3}}));
    assertThat(r.retrainedToAudited()[0]).isCloseTo(floor, within(1e-12)).isCloseTo(11.51293546, within(1e-8));
    assertThat(r.auditedToRetrained()[0]).isCloseTo(floor, within(1e-12));
    // The retrained side split over two bins 0 and 2 (of width ½ on [0, 10]), the audited over bins 18 and 19:
    // Σ ½ ln(½ / (ε / (1 + 2ε))).
    double[][] audited = {{9, 9, 10, 10}};
    double[][] retrained = {{0, 0, 1, 1}};
    assertThat(EASY_DUB.audit(PairedMargins.forget(audited, retrained)).retrainedToAudited()[0])
        .isCloseTo(Math.log(0.5 * (1 + 2 * EPS) / EPS), within(1e-12));
  }

  @Test
  void handComputedHistogramsInFourBins() {
    // Pooled range [0, 3], edges 0, 0.75, 1.5, 2.25, 3; the maximum 3 falls in the last bin.
    // retrained p = (¼, ¼, ¼, ¼); audited q = (½, ¼, 0, ¼) → q floored to ε in bin 2, renormalised by 1 + ε.
    Klom k = new Klom(new Klom.Options(4, EPS, 100));
    Klom.Result r = k.audit(PairedMargins.forget(new double[][] {{0, 0, 1, 3}}, new double[][] {{0, 1, 2, 3}}));
    double forward = 0.25 * Math.log(0.5 * 0.25 / EPS) + Math.log(1 + EPS);
    assertThat(r.retrainedToAudited()[0]).isCloseTo(forward, within(1e-12));
    // KL(q ‖ p): p has mass everywhere, no floor: ½ ln 2 + ¼ ln 1 + ¼ ln 1.
    assertThat(r.auditedToRetrained()[0]).isCloseTo(0.5 * Math.log(2), within(1e-15));
  }

  @Test
  void marginsAreClippedToPlusMinusOneHundredBeforeBinning() {
    Klom.Result r = EASY_DUB.audit(PairedMargins.forget(
        new double[][] {{150, 200, -300}}, new double[][] {{100, 100, -100}}));
    assertThat(r.retrainedToAudited()[0]).isZero();
  }

  @Test
  void matchesAStraightforwardReimplementationOfEasyDubsFormula() {
    SplittableRandom random = new SplittableRandom(21);
    for (int t = 0; t < 300; t++) {
      double[] p = gaussians(random, 2 + random.nextInt(40), 0, t % 5 == 0 ? 150 : 1);
      double[] q = gaussians(random, 2 + random.nextInt(40), random.nextDouble() * 3, 0.3 + random.nextDouble() * 2);
      int bins = new int[] {20, 4, 5, 1}[t % 4];
      Klom.Options o = new Klom.Options(bins, EPS, 100);
      assertThat(Klom.divergence(p, q, o)).isCloseTo(reference(p, q, bins), within(1e-12));
    }
  }

  /** compute_binned_KL_div written out again: clip, 20 equal bins of the pooled range, ε where p > 0, scipy's entropy. */
  private static double reference(double[] p, double[] q, int bins) {
    double lo = Double.MAX_VALUE;
    double hi = -Double.MAX_VALUE;
    double[][] both = {clip(p), clip(q)};
    for (double[] side : both) {
      for (double v : side) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (lo >= hi) {
      hi = lo + 1;
    }
    double width = (hi - lo) / bins;
    double[][] probs = new double[2][bins];
    for (int s = 0; s < 2; s++) {
      for (double v : both[s]) {
        int b = (int) Math.floor((v - lo) / width);
        probs[s][Math.min(Math.max(b, 0), bins - 1)] += 1.0 / both[s].length;
      }
    }
    double[] safe = new double[bins];
    double total = 0;
    for (int b = 0; b < bins; b++) {
      safe[b] = probs[0][b] > 0 ? Math.max(probs[1][b], EPS) : probs[1][b];
      total += safe[b];
    }
    double kl = 0;
    for (int b = 0; b < bins; b++) {
      if (probs[0][b] > 0) {
        kl += probs[0][b] * Math.log(probs[0][b] * total / safe[b]);
      }
    }
    return kl;
  }

  @Test
  void groupsAreSummarisedByTheirNinetyFifthPercentileAndMedian() {
    double floor = Math.log((1 + EPS) / EPS);
    Klom four = new Klom(new Klom.Options(4, EPS, 100));
    double hand = 0.25 * Math.log(0.5 * 0.25 / EPS) + Math.log(1 + EPS);
    PairedMargins m = new PairedMargins(
        new double[][] {{1, 2}, {5, 5, 5}, {0, 0, 1, 3}, {4, 4}, {0, 1, 2, 3}, {8, 9}},
        new double[][] {{1, 2}, {3, 3, 3}, {0, 1, 2, 3}, {4, 4}, {10, 11, 12, 13}, {8, 9}},
        new Group[] {Group.FORGET, Group.FORGET, Group.FORGET, Group.RETAIN, Group.RETAIN, Group.VALIDATION});
    Klom.Result r = four.audit(m);
    // forget values sorted: 0, hand, floor; h = 2 · 0.95 = 1.9 → hand + 0.9 (floor − hand)
    assertThat(r.summary(Group.FORGET).median()).isCloseTo(hand, within(1e-12));
    assertThat(r.summary(Group.FORGET).p95()).isCloseTo(floor - 0.1 * (floor - hand), within(1e-9));
    assertThat(r.summary(Group.FORGET).examples()).isEqualTo(3);
    assertThat(r.metrics()).containsOnlyKeys("klom_forget_p95", "klom_forget_median", "klom_retain_p95",
        "klom_retain_median", "klom_val_p95", "klom_val_median");
    assertThat(r.metrics().get("klom_val_p95")).isZero();
    assertThat(r.metrics().get("klom_retain_median")).isCloseTo(floor / 2, within(1e-12));
    assertThat(r.reverseSummary(Group.FORGET).median()).isCloseTo(0.5 * Math.log(2), within(1e-12));
    assertThat(EASY_DUB.definitions()).containsKeys(r.metrics().keySet().toArray(String[]::new));
  }

  @Test
  void groupsWithoutExamplesAreLeftOut() {
    Klom.Result r = EASY_DUB.audit(PairedMargins.forget(new double[][] {{1, 2}}, new double[][] {{1, 2}}));
    assertThat(r.summary(Group.RETAIN)).isNull();
    assertThat(r.metrics()).containsOnlyKeys("klom_forget_p95", "klom_forget_median");
  }

  @Test
  void fewBinsTakesAboutTheSquareRootOfTheEnsembleSize() {
    assertThat(Klom.Options.fewBins(16).bins()).isEqualTo(4);
    assertThat(Klom.Options.fewBins(25).bins()).isEqualTo(5);
    assertThat(Klom.Options.fewBins(2).bins()).isEqualTo(2);
    assertThat(Klom.Options.fewBins(10_000).bins()).isEqualTo(20);
    assertThat(Klom.Options.easyDub()).isEqualTo(new Klom.Options(20, 1e-5, 100));
  }

  @Test
  void tooFewMarginsEmptyInputAndNaNAreOneLineErrors() {
    assertThatThrownBy(() -> EASY_DUB.audit(PairedMargins.forget(new double[][] {{1}}, new double[][] {{1, 2}})))
        .isInstanceOf(LetheException.class)
        .hasMessage("KLoM needs at least 2 audited margins per example, but example 0 has 1: use a larger ensemble");
    assertThatThrownBy(() -> EASY_DUB.audit(PairedMargins.forget(new double[0][], new double[0][])))
        .isInstanceOf(LetheException.class).hasMessageStartingWith("KLoM: no examples");
    assertThatThrownBy(() -> EASY_DUB.audit(PairedMargins.forget(
        new double[][] {{1, 2}}, new double[][] {{1, Double.NaN}})))
        .isInstanceOf(LetheException.class).hasMessageContaining("NaN").hasMessageNotContaining("\n");
  }

  private static double[] clip(double[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = Math.max(-100, Math.min(100, x[i]));
    }
    return out;
  }

  private static double[] gaussians(SplittableRandom random, int n, double mean, double std) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = mean + std * random.nextGaussian();
    }
    return x;
  }
}
