package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
  @Test
  void countsArgMaxMatches() {
    float[][] logits = {{2f, 1f, 0f}, {0f, 5f, 1f}, {0f, 1f, 3f}};
    assertThat(ClassificationMetrics.accuracyPercent(logits, new int[] {0, 1, 0}))
        .isCloseTo(200.0 / 3, within(1e-12));
    assertThat(ClassificationMetrics.accuracyPercent(logits, new int[] {0, 1, 2})).isEqualTo(100.0);
  }

  @Test
  void tiesGoToTheLowestIndexAndNaNNeverWins() {
    float[][] logits = {{1f, 1f}, {Float.NaN, 0f}, {Float.NaN, Float.NaN}};
    assertThat(ClassificationMetrics.accuracyPercent(logits, new int[] {0, 1, 0}))
        .isCloseTo(200.0 / 3, within(1e-12));
  }

  @Test
  void predictionsAreTheArgMaxWithTheSameTieAndNaNRulesAndMinusOneForNoNumber() {
    float[][] logits = {{1f, 3f, 3f}, {Float.NaN, 0f}, {Float.NaN, Float.NaN}, {-2f, -5f}};
    assertThat(ClassificationMetrics.predictions(logits)).containsExactly(1, 1, -1, 0);
  }

  @Test
  void emptyInputIsNaN() {
    assertThat(ClassificationMetrics.accuracyPercent(new float[0][], new int[0])).isNaN();
  }

  @Test
  void rejectsMismatchedLabels() {
    assertThatThrownBy(() -> ClassificationMetrics.accuracyPercent(new float[][] {{1f}}, new int[2]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ClassificationMetrics.accuracyPercent(new float[][] {{1f, 0f}}, new int[] {2}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
