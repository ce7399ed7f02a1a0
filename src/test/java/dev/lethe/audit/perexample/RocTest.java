package dev.lethe.audit.perexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RocTest {
  @Test
  void aucCountsEveryOrderedPairAndHalfOfEveryTie() {
    assertThat(Roc.auc(new double[] {3, 2}, new double[] {1, 0})).isEqualTo(1.0);
    assertThat(Roc.auc(new double[] {0, 1}, new double[] {2, 3})).isEqualTo(0.0);
    assertThat(Roc.auc(new double[] {1}, new double[] {1})).isEqualTo(0.5);
    // pairs: 2>1, 2>0, 1=1 (½), 1>0 → 3.5 / 4
    assertThat(Roc.auc(new double[] {2, 1}, new double[] {1, 0})).isEqualTo(0.875);
  }

  @Test
  void aucIsTheMannWhitneyStatisticOfEveryPair() {
    SplittableRandom random = new SplittableRandom(5);
    for (int t = 0; t < 50; t++) {
      double[] pos = draws(random, 1 + random.nextInt(40));
      double[] neg = draws(random, 1 + random.nextInt(40));
      double wins = 0;
      for (double p : pos) {
        for (double n : neg) {
          wins += p > n ? 1 : p == n ? 0.5 : 0;
        }
      }
      assertThat(Roc.auc(pos, neg)).isCloseTo(wins / (pos.length * neg.length), within(1e-12));
    }
  }

  @Test
  void tprAtFprIsTheBestTprOfAThresholdWithinTheFprBudget() {
    double[] pos = {5, 4, 3, 2};
    double[] neg = {4.5, 1, 0, -1};
    assertThat(Roc.tprAtFpr(pos, neg, 0)).isEqualTo(0.25); // t = 5
    assertThat(Roc.tprAtFpr(pos, neg, 0.2)).isEqualTo(0.25);
    assertThat(Roc.tprAtFpr(pos, neg, 0.25)).isEqualTo(1.0); // t = 2 lets through only 4.5
    assertThat(Roc.tprAtFpr(pos, neg, 1)).isEqualTo(1.0);
    // a non-member above every member: no threshold keeps the FPR at 0
    assertThat(Roc.tprAtFpr(new double[] {1, 2}, new double[] {3}, 0)).isEqualTo(0.0);
    // a tie at the threshold counts both sides
    assertThat(Roc.tprAtFpr(new double[] {1, 1}, new double[] {1, 0}, 0.4)).isEqualTo(0.0);
    assertThat(Roc.tprAtFpr(new double[] {1, 1}, new double[] {1, 0}, 0.5)).isEqualTo(1.0);
  }

  @Test
  void tprAtFprMatchesAScanOfEveryThreshold() {
    SplittableRandom random = new SplittableRandom(6);
    for (int t = 0; t < 50; t++) {
      double[] pos = draws(random, 1 + random.nextInt(60));
      double[] neg = draws(random, 1 + random.nextInt(60));
      double budget = random.nextDouble() * 0.3;
      double best = 0;
      for (double threshold : pos) {
        int fp = 0;
        int tp = 0;
        for (double n : neg) {
          fp += n >= threshold ? 1 : 0;
        }
        for (double p : pos) {
          tp += p >= threshold ? 1 : 0;
        }
        if ((double) fp / neg.length <= budget) {
          best = Math.max(best, (double) tp / pos.length);
        }
      }
      assertThat(Roc.tprAtFpr(pos, neg, budget)).isEqualTo(best);
    }
  }

  @Test
  void emptySidesAndNaNScoresAreRejected() {
    assertThatThrownBy(() -> Roc.auc(new double[0], new double[] {1})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Roc.auc(new double[] {Double.NaN}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Roc.tprAtFpr(new double[] {1}, new double[] {Double.NaN}, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Roc.tprAtFpr(new double[] {1}, new double[] {1}, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Values on a coarse grid, so that ties between and within the sides are common. */
  private static double[] draws(SplittableRandom random, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = Math.round(random.nextGaussian() * 4) / 2.0;
    }
    return x;
  }
}
