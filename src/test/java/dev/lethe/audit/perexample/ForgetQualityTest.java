package dev.lethe.audit.perexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.LetheException;
import dev.lethe.audit.perexample.PairedMargins.Group;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ForgetQualityTest {
  private static final double DELTA = 1e-5;
  private static final ForgetQuality F = new ForgetQuality();

  @Test
  void aShiftByOneOfFourModelsHasTheHandComputedEpsilon() {
    // Retrained {1,2,3,4} (larger median: positive) vs unlearned {0,1,2,3}. The best rules catch two positives
    // at the cost of one negative (φ ≥ t for t in (2, 3], or an interval): FPR ¼, FNR ½, so
    // ε = max(ln(¾ − δ) − ln ½, ln(½ − δ) − ln ¼) = ln(2 − 4δ). No rule separates them perfectly.
    double expected = Math.log(2 - 4 * DELTA);
    assertThat(ForgetQuality.epsilon(new double[] {0, 1, 2, 3}, new double[] {1, 2, 3, 4}))
        .isCloseTo(expected, within(1e-14));
    // N = 4: buckets up to ⌈ln 3⌉ = 2; ε ≈ 0.693 is in [½, 1), half a point.
    ForgetQuality.Result r = F.audit(PairedMargins.forget(new double[][] {{0, 1, 2, 3}}, new double[][] {{1, 2, 3, 4}}));
    assertThat(r.f()).isEqualTo(0.5);
    assertThat(r.n()).isEqualTo(4);
    assertThat(r.metrics()).containsEntry("forget_quality", 0.5).containsEntry("forget_quality_n", 4.0);
  }

  @Test
  void identicalSamplesAreIndistinguishableAndScoreOne() {
    double[][] same = {{0, 1, 2, 3}, {-1, 0.5, 0.25, 4}};
    ForgetQuality.Result r = F.audit(PairedMargins.forget(same, new double[][] {same[0].clone(), same[1].clone()}));
    assertThat(r.epsilons()).containsExactly(0.0, 0.0);
    assertThat(r.f()).isEqualTo(1.0);
  }

  @Test
  void aSpikeAndAPerfectSeparationHitTheCapAndScoreNothing() {
    // unlearned range 0.001 against retrained range 3: below 1 %, ε = 50 without looking at the rules
    assertThat(ForgetQuality.epsilon(new double[] {1, 1.001, 1.0005}, new double[] {0, 1.5, 3})).isEqualTo(50.0);
    // comparable ranges, no overlap: FPR = FNR = 0 for a threshold in between, ε = ∞, capped
    assertThat(ForgetQuality.epsilon(new double[] {10, 11, 12}, new double[] {0, 1, 2})).isEqualTo(50.0);
    // two different constants: 0 / 0 is no spike, but a threshold between them separates perfectly
    assertThat(ForgetQuality.epsilon(new double[] {2, 2, 2}, new double[] {1, 1, 1})).isEqualTo(50.0);
    // one identical constant on both sides: no rule survives (the official code asserts); ε = 0
    assertThat(ForgetQuality.epsilon(new double[] {2, 2, 2}, new double[] {2, 2, 2})).isZero();
    ForgetQuality.Result r = F.audit(PairedMargins.forget(new double[][] {{10, 11, 12}}, new double[][] {{0, 1, 2}}));
    assertThat(r.f()).isZero();
  }

  @Test
  void pointsHalveEveryHalfUnitUpToTheCeilingOfLnNMinusOne() {
    // N = 512: ⌈ln 511⌉ = 7, 14 buckets
    assertThat(ForgetQuality.points(0, 512)).isEqualTo(1.0);
    assertThat(ForgetQuality.points(0.4999, 512)).isEqualTo(1.0);
    assertThat(ForgetQuality.points(0.5, 512)).isEqualTo(0.5);
    assertThat(ForgetQuality.points(6.9, 512)).isEqualTo(Math.pow(2, -13));
    assertThat(ForgetQuality.points(7, 512)).isZero();
    // N = 16: ⌈ln 15⌉ = 3, 6 buckets; N = 3: ⌈ln 2⌉ = 1, 2 buckets
    assertThat(ForgetQuality.points(2.9, 16)).isEqualTo(1.0 / 32);
    assertThat(ForgetQuality.points(3, 16)).isZero();
    assertThat(ForgetQuality.points(0.7, 3)).isEqualTo(0.5);
    assertThat(ForgetQuality.points(1, 3)).isZero();
    assertThat(ForgetQuality.points(50, 512)).isZero();
  }

  @Test
  void ruleEpsilonIsTheOfficialFormulaWithItsSpecialCases() {
    assertThat(ForgetQuality.ruleEpsilon(0.25, 0.5)).isEqualTo(Math.log(1 - DELTA - 0.5) - Math.log(0.25));
    assertThat(ForgetQuality.ruleEpsilon(0, 0)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(ForgetQuality.ruleEpsilon(0, 0.5)).isNaN();
    assertThat(ForgetQuality.ruleEpsilon(0.5, 0)).isNaN();
    // FPR = 1 makes the first term ln(−δ) = NaN; NumPy's nanmax takes the other, ln(¾ − δ) < 0, clipped to 0
    assertThat(ForgetQuality.ruleEpsilon(1, 0.25)).isZero();
    // rates of a useless rule give a negative ε, clipped to 0
    assertThat(ForgetQuality.ruleEpsilon(0.5, 0.5)).isZero();
  }

  @Test
  void matchesTheOfficialMetricOnFixedArrays() {
    // compute_forget_score_from_confs of google-deepmind/unlearning_evaluation metric.py (run in NumPy, float32
    // rates as in its torch code) on these [N = 8, 4 examples] confidences: F = 0.1875 and these ε.
    double[][] unlearned = {
        {1.59, 3.06, 2.32, 1.97, 3.47, 3.25, 2.31, 3.33}, {1.31, 2.38, 2.66, 1.87, 5.57, 1.9, 4.93, 2.42},
        {3.73, 3.09, 2.19, 1.61, 2.0, 2.72, 1.09, 3.15}, {2.23, 4.4, 3.87, 1.59, 3.95, 2.77, 3.38, 3.88}};
    double[][] retrained = {
        {2.15, 3.48, 0.59, 2.97, 1.84, 3.89, 3.2, 1.57}, {2.42, 4.28, 1.88, 1.2, 2.09, 0.79, 4.1, 3.06},
        {2.69, 2.98, 1.19, 1.87, 1.3, 0.95, 2.33, 1.09}, {-0.03, 3.01, 1.41, 0.09, 1.28, 1.19, 1.28, 3.45}};
    ForgetQuality.Result r = F.audit(PairedMargins.forget(unlearned, retrained));
    double[] official = {1.609421968460083, 1.098585605621338, 1.3862743377685547, 1.7917461395263672};
    for (int i = 0; i < official.length; i++) {
      assertThat(r.epsilons()[i]).isCloseTo(official[i], within(1e-6));
    }
    assertThat(r.f()).isEqualTo(0.1875);
  }

  @Test
  void matchesABruteForceOfEveryRuleOfBothFamilies() {
    SplittableRandom random = new SplittableRandom(8);
    for (int t = 0; t < 24; t++) {
      int n = 3 + random.nextInt(6);
      double shift = new double[] {0, 0.5, 1.5, 4}[t % 4];
      double[] u = new double[n];
      double[] r = new double[n];
      for (int i = 0; i < n; i++) {
        u[i] = shift + random.nextGaussian();
        r[i] = (t % 3 == 0 ? 2 : 1) * random.nextGaussian();
        if (t % 5 == 0) {
          u[i] = Math.round(u[i] * 4) / 4.0;
          r[i] = Math.round(r[i] * 4) / 4.0;
        }
      }
      assertThat(ForgetQuality.epsilon(u, r)).as("case %d", t).isCloseTo(bruteForce(u, r), within(1e-12));
    }
  }

  /** _get_epsilons for one example, every rule of both families tried on every model, as metric.py does it. */
  private static double bruteForce(double[] u, double[] r) {
    boolean retrainedPositive = Samples.median(r) > Samples.median(u);
    double[] pos = retrainedPositive ? r : u;
    double[] neg = retrainedPositive ? u : r;
    double posDiff = max(pos) - min(pos);
    double negDiff = max(neg) - min(neg);
    double smallest = Math.min(posDiff, negDiff);
    if (smallest / Math.max(posDiff, negDiff) < 0.01) {
      return 50;
    }
    // intervals [left, right] around the peakier side, called positive for it
    double[] peaky = posDiff >= negDiff ? neg : pos;
    double[] other = posDiff >= negDiff ? pos : neg;
    double lo = min(peaky) + smallest - 2;
    double hi = max(peaky) + 2;
    int numRight = (int) Math.ceil((hi - lo) * 100);
    double best = Double.NaN;
    for (int i = 0; i < numRight; i++) {
      double right = i == numRight - 1 ? hi : lo + i * (hi - lo) / (numRight - 1);
      double a = right - smallest - 2;
      double b = right - smallest + 2;
      for (int j = 0; j < 400; j++) {
        best = better(best, ruleOf(j == 399 ? b : a + j * (b - a) / 399, right, peaky, other));
      }
    }
    // single thresholds over both samples: φ ≥ t is positive
    double all0 = Math.min(min(pos), min(neg));
    double all1 = Math.max(max(pos), max(neg));
    int num = (int) Math.ceil((all1 - all0) * 100);
    for (int i = 0; i < num; i++) {
      double t = i == num - 1 ? all1 : all0 + i * (all1 - all0) / (num - 1);
      best = better(best, ruleOf(t, Double.POSITIVE_INFINITY, pos, neg));
    }
    return Math.min(Math.max(Double.isNaN(best) ? 0 : best, 0), 50);
  }

  /** ε of the rule "positive when left ≤ φ ≤ right"; NaN when metric.py discards it. */
  private static double ruleOf(double left, double right, double[] positives, double[] negatives) {
    double tp = 0;
    double fp = 0;
    for (double v : positives) {
      tp += left <= v && v <= right ? 1 : 0;
    }
    for (double v : negatives) {
      fp += left <= v && v <= right ? 1 : 0;
    }
    double fnr = 1 - tp / positives.length;
    double fpr = fp / negatives.length;
    if (fpr + fnr == 0) {
      return Double.POSITIVE_INFINITY;
    }
    if (fpr * fnr == 0) {
      return Double.NaN;
    }
    double x = Math.log(1 - DELTA - fpr) - Math.log(fnr);
    double y = Math.log(1 - DELTA - fnr) - Math.log(fpr);
    double e = Double.isNaN(x) ? y : Double.isNaN(y) ? x : Math.max(x, y);
    return Double.isNaN(e) ? e : Math.max(e, 0);
  }

  private static double better(double best, double e) {
    return Double.isNaN(e) ? best : Double.isNaN(best) ? e : Math.max(best, e);
  }

  @Test
  void marginsBecomeTheMetricsLogitScaledConfidences() {
    double[] phi = ForgetQuality.confidences(new double[] {0, 2.5, -7, 200, -1e4});
    assertThat(phi[0]).isZero();
    assertThat(phi[1]).isCloseTo(2.5, within(1e-14));
    assertThat(phi[2]).isCloseTo(-7, within(1e-14));
    // saturated by the 1e-45 floors: ±(ln(1 + 1e-45) − ln 1e-45) = ±103.616…
    assertThat(phi[3]).isCloseTo(-Math.log(1e-45), within(1e-12));
    assertThat(phi[4]).isCloseTo(Math.log(1e-45), within(1e-12));
  }

  @Test
  void finalScoreScalesFByTheRetainAndTestAccuracyRatios() {
    double[][] same = {{0, 1, 2, 3}};
    ForgetQuality.Result r = F.audit(PairedMargins.forget(same, new double[][] {same[0].clone()}));
    ForgetQuality.Utility u = new ForgetQuality.Utility(
        new double[] {90, 94}, new double[] {100, 100}, new double[] {80, 84}, new double[] {84, 84});
    assertThat(r.finalScore(u)).isCloseTo(1.0 * (92.0 / 100) * (82.0 / 84), within(1e-15));
    assertThatThrownBy(() -> r.finalScore(new ForgetQuality.Utility(
        new double[] {90}, new double[0], new double[] {80}, new double[] {84})))
        .isInstanceOf(LetheException.class).hasMessageContaining("retain accuracy");
    assertThatThrownBy(() -> r.finalScore(new ForgetQuality.Utility(
        new double[] {90}, new double[] {0}, new double[] {80}, new double[] {84})))
        .isInstanceOf(LetheException.class).hasMessageContaining("mean retain accuracy is 0");
  }

  @Test
  void onlyForgetExamplesAreScored() {
    PairedMargins m = new PairedMargins(new double[][] {{0, 1, 2, 3}, {9, 9}}, new double[][] {{1, 2, 3, 4}, {0, 0}},
        new Group[] {Group.FORGET, Group.RETAIN});
    ForgetQuality.Result r = F.audit(m);
    assertThat(r.rows()).containsExactly(0);
    assertThat(r.f()).isEqualTo(0.5);
  }

  @Test
  void tooFewModelsUnequalCountsNaNAndNoForgetExamplesAreOneLineErrors() {
    assertThatThrownBy(() -> F.audit(PairedMargins.forget(new double[][] {{0, 1}}, new double[][] {{1, 2}})))
        .isInstanceOf(LetheException.class)
        .hasMessage("forget quality needs at least 3 unlearned margins per example, but example 0 has 2: use a larger "
            + "ensemble");
    assertThatThrownBy(() -> F.audit(PairedMargins.forget(
        new double[][] {{0, 1, 2}, {0, 1, 2}}, new double[][] {{1, 2, 3}, {1, 2, 3, 4}})))
        .isInstanceOf(LetheException.class).hasMessageContaining("same number N").hasMessageNotContaining("\n");
    assertThatThrownBy(() -> F.audit(PairedMargins.forget(new double[][] {{0, Double.NaN, 2}}, new double[][] {{1, 2, 3}})))
        .isInstanceOf(LetheException.class).hasMessageContaining("is NaN");
    PairedMargins noForget = new PairedMargins(new double[][] {{0, 1, 2}}, new double[][] {{1, 2, 3}},
        new Group[] {Group.RETAIN});
    assertThatThrownBy(() -> F.audit(noForget)).isInstanceOf(LetheException.class)
        .hasMessageStartingWith("forget quality: no examples");
  }

  private static double min(double[] x) {
    double m = Double.POSITIVE_INFINITY;
    for (double v : x) {
      m = Math.min(m, v);
    }
    return m;
  }

  private static double max(double[] x) {
    double m = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      m = Math.max(m, v);
    }
    return m;
  }
}
