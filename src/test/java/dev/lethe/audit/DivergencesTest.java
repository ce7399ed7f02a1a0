package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DivergencesTest {
  private static final float[][] P = {{0.25f, 0.75f}, {0.5f, 0.5f}};
  private static final float[][] Q = {{0.5f, 0.5f}, {0.9f, 0.1f}};

  @Test
  void klOfIdenticalOutputsIsZero() {
    assertThat(Divergences.meanKl(P, P)).isCloseTo(0.0, within(1e-15));
    assertThat(Divergences.meanJs(P, P)).isCloseTo(0.0, within(1e-15));
  }

  @Test
  void klMatchesHandValueAndIsAsymmetric() {
    double row0 = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
    double row1 = 0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(5.0);
    double kl = Divergences.meanKl(P, Q);
    assertThat(kl).isCloseTo((row0 + row1) / 2, within(1e-7));
    assertThat(kl).isCloseTo(0.32082, within(1e-5));
    assertThat(Divergences.meanKl(Q, P)).isNotCloseTo(kl, within(0.01));
  }

  @Test
  void jsIsSymmetricAndBoundedByLnTwo() {
    assertThat(Divergences.meanJs(P, Q)).isCloseTo(Divergences.meanJs(Q, P), within(1e-15));
    float[][] left = {{1f, 0f, 0f}, {0f, 1f, 0f}};
    float[][] right = {{0f, 1f, 0f}, {0f, 0f, 1f}};
    double js = Divergences.meanJs(left, right);
    assertThat(js).isCloseTo(Math.log(2), within(1e-12)).isLessThanOrEqualTo(Math.log(2) + 1e-15);
    assertThat(Divergences.meanJs(P, Q)).isBetween(0.0, Math.log(2));
  }

  @Test
  void tvIsZeroForIdenticalOutputsOneForDisjointOnesAndHalfTheL1Otherwise() {
    assertThat(Divergences.meanTv(P, P)).isZero();
    float[][] left = {{1f, 0f, 0f}, {0f, 1f, 0f}};
    float[][] right = {{0f, 1f, 0f}, {0f, 0f, 1f}};
    assertThat(Divergences.meanTv(left, right)).isEqualTo(1.0);
    // rows: ½(0.25 + 0.25) = 0.25 and ½(0.4 + 0.4) = 0.4
    assertThat(Divergences.meanTv(P, Q)).isCloseTo(0.325, within(1e-7));
    assertThat(Divergences.meanTv(Q, P)).isEqualTo(Divergences.meanTv(P, Q));
    assertThat(Divergences.meanTv(new float[0][], new float[0][])).isNaN();
    assertThat(Divergences.meanTv(new float[][] {{Float.NaN, 1f}}, new float[][] {{0f, 1f}})).isNaN();
  }

  @Test
  void exactZerosInTheCandidateGiveALargeFiniteKl() {
    double kl = Divergences.meanKl(new float[][] {{0.5f, 0.5f}}, new float[][] {{1f, 0f}});
    double expected = 0.5 * Math.log(0.5) + 0.5 * (Math.log(0.5) - Math.log(Divergences.EPSILON));
    assertThat(kl).isFinite().isGreaterThan(20).isCloseTo(expected, within(1e-12));
    assertThat(Divergences.meanKl(new float[][] {{1f, 0f}}, new float[][] {{0.5f, 0.5f}}))
        .isCloseTo(Math.log(2), within(1e-12));
  }

  @Test
  void nonFiniteOrEmptyInputGivesNaN() {
    float[][] bad = {{Float.NaN, 1f}, {0.5f, 0.5f}};
    assertThat(Divergences.meanKl(P, bad)).isNaN();
    assertThat(Divergences.meanKl(bad, P)).isNaN();
    assertThat(Divergences.meanJs(new float[][] {{Float.POSITIVE_INFINITY, 0f}, {1f, 0f}}, P)).isNaN();
    assertThat(Divergences.meanKl(new float[0][], new float[0][])).isNaN();
    assertThat(Divergences.meanJs(new float[0][], new float[0][])).isNaN();
  }

  @Test
  void shapeMismatchIsAProgrammingError() {
    assertThatThrownBy(() -> Divergences.meanKl(P, new float[][] {{1f, 0f}}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Divergences.meanJs(P, new float[][] {{1f, 0f}, {1f, 0f, 0f}}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
