package dev.lethe.audit.perexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.LetheException;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

class LiraTest {
  private static final Lira GLOBAL = new Lira(Lira.Options.defaults());
  private static final Lira OWN = new Lira(new Lira.Options(false));
  private static final NormalDistribution PHI = new NormalDistribution();

  @Test
  void handComputedScoresWithTheGlobalAndThePerExampleDeviation() {
    AttackMargins m = new AttackMargins(new double[] {3}, new double[][] {{0, 1, 2}},
        new double[] {1}, new double[][] {{1, 1, 4}});
    // global: np.std of {0, 1, 2, 1, 1, 4} = sqrt(9.5 / 6); medians 1 and 1
    double global = Math.sqrt(9.5 / 6);
    Lira.Result g = GLOBAL.audit(m);
    assertThat(g.memberScores()[0]).isCloseTo(2 / global, within(1e-12));
    assertThat(g.nonMemberScores()[0]).isZero();
    // own: std {0, 1, 2} = sqrt(2/3), std {1, 1, 4} = sqrt(2)
    Lira.Result o = OWN.audit(m);
    assertThat(o.memberScores()[0]).isCloseTo(2 / Math.sqrt(2.0 / 3), within(1e-12));
    assertThat(o.nonMemberScores()[0]).isZero();
    assertThat(o.auc()).isEqualTo(1.0);
  }

  @Test
  void twoGaussiansOfKnownSeparationGiveThePhiOfTheirDistanceOverRootTwo() {
    for (double d : new double[] {1, 2}) {
      AttackMargins m = shifted(new SplittableRandom(11), 2000, 64, d);
      // each score is m − median of 64 OUT margins: variance 1 + π / (2 · 64) on both sides
      double s = Math.sqrt(1 + Math.PI / 128);
      Lira.Result r = GLOBAL.audit(m);
      assertThat(r.auc()).isCloseTo(PHI.cumulativeProbability(d / (Math.sqrt(2) * s)), within(0.02));
      assertThat(r.tprAtFpr(0.01)).isCloseTo(1 - PHI.cumulativeProbability(2.3263 - d / s), within(0.08));
      assertThat(OWN.audit(m).auc()).isCloseTo(r.auc(), within(0.02));
      // the per-example reference is what makes it strong: raw margins (centres spread by 3) separate far worse
      assertThat(r.auc()).isGreaterThan(Roc.auc(m.members(), m.nonMembers()) + 0.1);
    }
  }

  @Test
  void theTestIsOneSidedSoAnOverForgottenExampleIsNotTakenForAMember() {
    AttackMargins m = new AttackMargins(new double[] {-10}, new double[][] {{0, 1, 2}},
        new double[] {1}, new double[][] {{0, 1, 2}});
    assertThat(GLOBAL.audit(m).auc()).isZero();
  }

  @Test
  void metricsAreTheAucAndTheTprsAtOneAndATenthOfAPercentFpr() {
    Lira.Result r = GLOBAL.audit(shifted(new SplittableRandom(12), 300, 8, 1.5));
    assertThat(r.metrics()).containsOnlyKeys("lira_auc", "lira_tpr_at_1pct_fpr", "lira_tpr_at_0_1pct_fpr");
    assertThat(r.metrics().get("lira_auc")).isEqualTo(r.auc());
    assertThat(r.metrics().get("lira_tpr_at_0_1pct_fpr")).isEqualTo(r.tprAtFpr(0.001));
    assertThat(GLOBAL.definitions()).containsKeys(r.metrics().keySet().toArray(String[]::new));
  }

  @Test
  void tooFewReferencesEmptySidesAndNaNAreOneLineErrors() {
    AttackMargins one = new AttackMargins(new double[] {1}, new double[][] {{0}}, new double[] {0}, new double[][] {{0}});
    assertThat(GLOBAL.audit(one).auc()).isEqualTo(1.0);
    assertThatThrownBy(() -> OWN.audit(one)).isInstanceOf(LetheException.class)
        .hasMessage("LiRA needs at least 2 member reference margins per example, but example 0 has 1: use a larger "
            + "ensemble");
    assertThatThrownBy(() -> GLOBAL.audit(new AttackMargins(new double[0], new double[0][], new double[] {0},
        new double[][] {{0}}))).isInstanceOf(LetheException.class).hasMessageContaining("at least one member");
    assertThatThrownBy(() -> GLOBAL.audit(new AttackMargins(new double[] {Double.NaN}, new double[][] {{0}},
        new double[] {0}, new double[][] {{0}}))).isInstanceOf(LetheException.class)
        .hasMessageContaining("target's member margins is NaN");
  }

  /**
   * {@code n} members and non-members, each example with its own centre c ~ N(0, 3²): OUT margins
   * c + N(0, 1), non-members c + N(0, 1), members c + d + N(0, 1).
   */
  static AttackMargins shifted(SplittableRandom random, int n, int references, double d) {
    double[] members = new double[n];
    double[] nonMembers = new double[n];
    double[][] memberRef = new double[n][];
    double[][] nonMemberRef = new double[n][];
    for (int i = 0; i < n; i++) {
      double c = 3 * random.nextGaussian();
      members[i] = c + d + random.nextGaussian();
      memberRef[i] = ULiraTest.gaussians(random, references, c, 1);
      double c2 = 3 * random.nextGaussian();
      nonMembers[i] = c2 + random.nextGaussian();
      nonMemberRef[i] = ULiraTest.gaussians(random, references, c2, 1);
    }
    return new AttackMargins(members, memberRef, nonMembers, nonMemberRef);
  }
}
