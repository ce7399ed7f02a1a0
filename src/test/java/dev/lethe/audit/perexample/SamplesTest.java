package dev.lethe.audit.perexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import org.junit.jupiter.api.Test;

/** NumPy's order statistics and the shared input checks. */
class SamplesTest {
  @Test
  void percentileIsNumpysLinearInterpolation() {
    double[] x = {4, 1, 3, 2};
    // h = 3 · 0.95 = 2.85 → 3 + 0.85 · (4 − 3), in floating point exactly NumPy's 3.8499999999999996
    assertThat(Samples.percentile(x, 95)).isEqualTo(3.8499999999999996);
    assertThat(Samples.percentile(x, 50)).isEqualTo(2.5);
    assertThat(Samples.percentile(x, 0)).isEqualTo(1.0);
    assertThat(Samples.percentile(x, 100)).isEqualTo(4.0);
    assertThat(Samples.percentile(new double[] {7}, 95)).isEqualTo(7.0);
    // NumPy 2.4.6's np.percentile([0.3, -1.2, 2.5, 0.7, 0.1], 95) and its 2.5th percentile, to the last bit
    assertThat(Samples.percentile(new double[] {0.3, -1.2, 2.5, 0.7, 0.1}, 95)).isEqualTo(2.1399999999999997);
    assertThat(Samples.percentile(new double[] {0.3, -1.2, 2.5, 0.7, 0.1}, 2.5)).isEqualTo(-1.0699999999999998);
  }

  @Test
  void medianAveragesTheTwoMiddleValues() {
    assertThat(Samples.median(new double[] {5, 1, 3})).isEqualTo(3.0);
    assertThat(Samples.median(new double[] {5, 1, 3, 2})).isEqualTo(2.5);
  }

  @Test
  void stdIsThePopulationDeviation() {
    assertThat(Samples.std(new double[] {1, 3})).isEqualTo(1.0);
    assertThat(Samples.std(new double[] {2, 2, 2})).isZero();
  }

  @Test
  void checkNamesTheAuditTheSideTheExampleAndTheNeed() {
    assertThatThrownBy(() -> Samples.check("KLoM", "retrained", new double[0][], 2))
        .isInstanceOf(LetheException.class).hasMessage("KLoM: no examples to audit; pass the margins of at least one example");
    assertThatThrownBy(() -> Samples.check("KLoM", "retrained", new double[][] {{1, 2}, {3}}, 2))
        .isInstanceOf(LetheException.class)
        .hasMessage("KLoM needs at least 2 retrained margins per example, but example 1 has 1: use a larger ensemble");
    assertThatThrownBy(() -> Samples.check("KLoM", "retrained", new double[][] {{1, Double.NaN}}, 2))
        .isInstanceOf(LetheException.class).hasMessageContaining("entry 1 of the retrained margins of example 0 is NaN")
        .hasMessageNotContaining("\n");
  }
}
