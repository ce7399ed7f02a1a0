package dev.lethe.unlearn.blocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassSimilarityTest {
  @Test
  void pcaScoresKeepTheCentredGeometryAndTheLeadingComponents() {
    // four points in 3-D on a line plus a small offset: one dominant component
    double[][] rows = {{0, 0, 0}, {1, 1, 0.1}, {2, 2, 0}, {3, 3, 0.1}};
    double[][] all = ClassSimilarity.pcaScores(rows, 0);
    assertThat(all[0]).hasSize(2); // centring leaves rank 2 here
    // all components: pairwise distances equal those of the original vectors
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 4; b++) {
        assertThat(dist(all[a], all[b])).isCloseTo(dist(rows[a], rows[b]), within(1e-10));
      }
    }
    double[][] one = ClassSimilarity.pcaScores(rows, 1);
    assertThat(one[0]).hasSize(1);
    assertThat(Math.abs(one[3][0] - one[0][0])).isCloseTo(3 * Math.sqrt(2), within(0.01));
  }

  @Test
  void similarityIsASharpSoftmaxOverTheOtherClassesFavouringTheClosest() {
    // class 0 (forgotten) points the same way as class 2 relative to the centre, opposite to class 1
    double[][] reps = {{4, 0, 0, 0}, {-4, 0, 0, 0}, {3, 1, 0, 0}, {0, 0, 4, 0}};
    double[] sharp = ClassSimilarity.toForgotten(reps, 0, 0, 0.1);
    double[] soft = ClassSimilarity.toForgotten(reps, 0, 0, 10);
    assertThat(sharp[0]).isZero();
    assertThat(sharp[1] + sharp[2] + sharp[3]).isCloseTo(1.0, within(1e-12));
    assertThat(sharp[2]).isGreaterThan(0.99);
    assertThat(soft[2]).isGreaterThan(soft[3]).isGreaterThan(soft[1]).isLessThan(0.5);
  }

  private static double dist(double[] x, double[] y) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += (x[i] - y[i]) * (x[i] - y[i]);
    }
    return Math.sqrt(s);
  }
}
