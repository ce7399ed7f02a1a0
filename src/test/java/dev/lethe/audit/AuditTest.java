package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditTest {
  /** Confidences are multiples of this power of two, so every row's value is exact in float and double. */
  private static final float STEP = 1f / 16384;

  /**
   * {@code n} two-class softmax rows with labels {@code i % 2}; row i gives its true class the confidence
   * {@code base + i · STEP}, so a confidence names the split and the row it came from.
   */
  private static float[][] probs(int n, float base) {
    float[][] p = new float[n][2];
    for (int i = 0; i < n; i++) {
      float c = base + i * STEP;
      p[i][i % 2] = c;
      p[i][1 - i % 2] = 1 - c;
    }
    return p;
  }

  private static int[] labels(int n) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
    }
    return y;
  }

  /** The confidences of the first {@code k} rows of {@link #probs}{@code (·, base)}. */
  private static double[] prefix(int k, float base) {
    double[] out = new double[k];
    for (int i = 0; i < k; i++) {
      out[i] = base + i * STEP;
    }
    return out;
  }

  private static void assertShadow(int retain, int test, int members, int nonMembers) {
    Audit.SvcShadow shadow = Audit.svcShadow(probs(retain, 0), labels(retain), probs(test, 0.5f), labels(test));
    assertThat(shadow.members()).as("members of %d retain, %d test", retain, test)
        .containsExactly(prefix(members, 0));
    assertThat(shadow.nonMembers()).as("non-members of %d retain, %d test", retain, test)
        .containsExactly(prefix(nonMembers, 0.5f));
  }

  @Test
  void svcShadowTakesEqualPrefixesOfRetainAndTestCapped() {
    assertThat(Audit.SVC_SHADOW_CAP).isEqualTo(5000);
    // under the cap: as many retain members as test non-members, the first ones in split order
    assertShadow(7, 4, 4, 4);
    // fewer retain than test samples: all of the retain set against as many test samples (balanced)
    assertShadow(3, 5, 3, 3);
    // both above the cap: the first 5,000 of each
    assertShadow(6000, 5200, 5000, 5000);
    // only the test split above the cap: all 4,000 retain samples against the first 4,000 test samples
    assertShadow(4000, 6000, 4000, 4000);
    // only the retain set above the cap: |test| of each
    assertShadow(6000, 4500, 4500, 4500);
  }

  /** A result with these four gap metrics and KL to RT on the forget set; every other metric 0, no class task. */
  private static AuditResult result(double fa, double ra, double ta, double mia, double kl) {
    return new AuditResult(fa, ra, ta, true, mia, 0, kl, 0, 0, 0, 0, Optional.empty(), Double.NaN);
  }

  @Test
  void avgGapIsTheMeanAbsoluteDifferenceOverTheFourGapMetrics() {
    AuditResult method = result(90, 99, 88, 12, 5);
    AuditResult rt = result(85, 100, 89.5, 20, 0);
    // (|90 − 85| + |99 − 100| + |88 − 89.5| + |12 − 20|) / 4 = (5 + 1 + 1.5 + 8) / 4; the KL is not part of it
    assertThat(method.gapTo(rt)).isCloseTo(3.875, within(1e-12));
    assertThat(rt.gapTo(method)).isCloseTo(3.875, within(1e-12));
    assertThat(rt.gapTo(rt)).isZero();
    assertThat(Audit.GAP_METRICS).containsExactly("forget_acc", "retain_acc", "test_acc", "mia_efficacy");
  }

  @Test
  void avgGapIsNaNWhenAGapMetricIsNaN() {
    AuditResult rt = result(85, 100, 89.5, 20, 0);
    // a model with non-finite outputs gets a NaN MIA, and so a NaN gap, whichever side it is on
    assertThat(result(90, 99, 88, Double.NaN, 5).gapTo(rt)).isNaN();
    assertThat(rt.gapTo(result(90, Double.NaN, 88, 12, 5))).isNaN();
    // a NaN metric outside the four does not matter
    assertThat(result(90, 99, 88, 12, Double.NaN).gapTo(rt)).isCloseTo(3.875, within(1e-12));
  }
}
