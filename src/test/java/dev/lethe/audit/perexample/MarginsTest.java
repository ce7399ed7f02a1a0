package dev.lethe.audit.perexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MarginsTest {
  @Test
  void marginIsTheTrueLogitMinusTheLogSumExpOfTheOthers() {
    // 2 − ln(e¹ + e⁰)
    assertThat(Margins.of(new float[] {2, 1, 0}, 0)).isCloseTo(2 - Math.log(Math.E + 1), within(1e-15));
    // 0 − ln(e² + e¹)
    assertThat(Margins.of(new float[] {2, 1, 0}, 2)).isCloseTo(-Math.log(Math.exp(2) + Math.E), within(1e-15));
    // with two classes it is the difference of the logits, exactly
    assertThat(Margins.of(new float[] {3.25f, -1.5f}, 0)).isEqualTo(4.75);
    assertThat(Margins.of(new float[] {3.25f, -1.5f}, 1)).isEqualTo(-4.75);
  }

  @Test
  void marginIsTheLogOddsOfTheSoftmaxProbabilityOfTheTrueClass() {
    SplittableRandom random = new SplittableRandom(3);
    for (int t = 0; t < 200; t++) {
      float[] z = new float[10];
      for (int k = 0; k < z.length; k++) {
        z[k] = (float) (random.nextGaussian() * 4);
      }
      int y = random.nextInt(10);
      double sum = 0;
      for (float v : z) {
        sum += Math.exp(v);
      }
      double p = Math.exp(z[y]) / sum;
      assertThat(Margins.of(z, y)).isCloseTo(Math.log(p) - Math.log1p(-p), within(1e-9));
    }
  }

  @Test
  void extremeGapsGiveFiniteMarginsOfTheGapsSize() {
    assertThat(Margins.of(new float[] {1e4f, 0, 0}, 0)).isEqualTo(1e4 - Math.log(2));
    assertThat(Margins.of(new float[] {1e4f, 0, 0}, 1)).isEqualTo(-1e4);
    assertThat(Margins.of(new float[] {0, -1e4f, 1e4f}, 1)).isEqualTo(-2e4);
    // computed in double, even the widest float gap stays finite
    assertThat(Margins.of(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE}, 0)).isEqualTo(2.0 * Float.MAX_VALUE);
  }

  @Test
  void tiesGiveMinusTheLogOfTheOtherClassCount() {
    float[] z = new float[10];
    Arrays.fill(z, 7.5f);
    assertThat(Margins.of(z, 4)).isCloseTo(-Math.log(9), within(1e-14));
    assertThat(Margins.of(new float[] {1, 1}, 0)).isZero();
    // a tie among the other classes only: 3 − (1 + ln 2)
    assertThat(Margins.of(new float[] {3, 1, 1}, 0)).isCloseTo(2 - Math.log(2), within(1e-15));
  }

  @Test
  void rowsAndTheFlatLayoutGiveTheSameMargins() {
    float[][] rows = {{0.5f, 2, -1}, {3, 3, 0}, {-2, 0, 4}};
    int[] labels = {1, 0, 2};
    float[] flat = {0.5f, 2, -1, 3, 3, 0, -2, 0, 4};
    double[] expected = {Margins.of(rows[0], 1), Margins.of(rows[1], 0), Margins.of(rows[2], 2)};
    assertThat(Margins.of(rows, labels)).containsExactly(expected);
    assertThat(Margins.of(flat, 3, labels)).containsExactly(expected);
  }

  @Test
  void nonFiniteLogitsGiveANonFiniteMarginAndShapesAreChecked() {
    assertThat(Margins.of(new float[] {Float.NaN, 1, 2}, 0)).isNaN();
    assertThat(Margins.of(new float[] {0, Float.NaN, 2}, 0)).isNaN();
    assertThat(Margins.of(new float[] {0, 1, Float.NaN}, 0)).isNaN();
    assertThatThrownBy(() -> Margins.of(new float[] {1, 2}, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Margins.of(new float[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Margins.of(new float[][] {{1, 2}}, new int[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Margins.of(new float[5], 2, new int[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
