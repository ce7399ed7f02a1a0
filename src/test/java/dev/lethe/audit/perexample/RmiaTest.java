package dev.lethe.audit.perexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.LetheException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RmiaTest {
  /** The margin whose true-class probability is p. */
  private static double logit(double p) {
    return Math.log(p / (1 - p));
  }

  @Test
  void withAOneTheScoreComparesPlainProbabilityRatiosAgainstThePopulation() {
    // Every reference margin is logit(¼), so with a = 1, p(x) = mean_out = ¼ for every example and
    // the ratio is 4 σ(m). Population ratios ½, 1 and 2; a member at ratio 1.5 beats two of three,
    // a non-member at ratio 1 exactly beats only ½ (a tie is not "> 1").
    double ref = logit(0.25);
    double[] population = {logit(0.125), logit(0.25), logit(0.5)};
    double[][] populationRef = {{ref}, {ref, ref}, {ref}};
    AttackMargins attack = new AttackMargins(new double[] {logit(0.375)}, new double[][] {{ref, ref, ref}},
        new double[] {logit(0.25)}, new double[][] {{ref}});
    Rmia.Result r = Rmia.withA(1).audit(new Rmia.Input(new Rmia.Case(attack, population, populationRef), null));
    assertThat(r.memberScores()).containsExactly(2.0 / 3);
    assertThat(r.nonMemberScores()).containsExactly(1.0 / 3);
    assertThat(r.auc()).isEqualTo(1.0);
    assertThat(r.metrics()).containsEntry("rmia_offline_a", 1.0).containsEntry("rmia_auc", 1.0);
  }

  @Test
  void aBlendsTheReferenceMeanTowardsOneHalf() {
    // a = 0: p(x) = ½ mean_out + ½. A member whose references say ¾ and whose target says ¾ has ratio
    // 0.75 / 0.875; a population example with references ¼ and target ¼ has 0.25 / 0.625.
    AttackMargins attack = new AttackMargins(new double[] {logit(0.75)}, new double[][] {{logit(0.75)}},
        new double[] {logit(0.25)}, new double[][] {{logit(0.25)}});
    Rmia.Case c = new Rmia.Case(attack, new double[] {logit(0.25)}, new double[][] {{logit(0.25)}});
    double[][] s = Rmia.scores(c, 0);
    assertThat(0.75 / 0.875).isGreaterThan(0.25 / 0.625);
    assertThat(s[0]).containsExactly(1.0);
    // with a = 1 both ratios are exactly 1: nothing beats anything
    assertThat(Rmia.scores(c, 1)[0]).containsExactly(0.0);
  }

  @Test
  void matchesMlPrivacyMetersRunRmiaInProbabilitySpace() {
    SplittableRandom random = new SplittableRandom(31);
    for (int t = 0; t < 20; t++) {
      double a = t % 11 * 0.1;
      AttackMargins attack = LiraTest.shifted(random, 1 + random.nextInt(30), 1 + random.nextInt(5), 1);
      double[] population = ULiraTest.gaussians(random, 1 + random.nextInt(40), 0, 3);
      double[][] populationRef = new double[population.length][];
      for (int i = 0; i < population.length; i++) {
        populationRef[i] = ULiraTest.gaussians(random, 1 + random.nextInt(5), population[i], 1);
      }
      double[][] s = Rmia.scores(new Rmia.Case(attack, population, populationRef), a);
      double[] z = ratios(population, populationRef, a);
      double[] members = ratios(attack.members(), attack.memberReference(), a);
      for (int i = 0; i < members.length; i++) {
        int beaten = 0;
        for (double rz : z) {
          beaten += members[i] / rz > 1.0 ? 1 : 0;
        }
        assertThat(s[0][i]).isEqualTo((double) beaten / z.length);
      }
    }
  }

  /** run_rmia's prob_ratio: p(x|θ) / ((1 + a)/2 · mean_out + (1 − a)/2), with probabilities σ(margin). */
  private static double[] ratios(double[] target, double[][] reference, double a) {
    double[] out = new double[target.length];
    for (int i = 0; i < target.length; i++) {
      double mean = 0;
      for (double m : reference[i]) {
        mean += 1 / (1 + Math.exp(-m));
      }
      mean /= reference[i].length;
      out[i] = (1 / (1 + Math.exp(-target[i]))) / ((1 + a) / 2 * mean + (1 - a) / 2);
    }
    return out;
  }

  @Test
  void aIsTunedOnThePairedModelAndThenUsedOnTheTarget() {
    // Members' true-class probability is 1.2 × what the references give, non-members' equals it; the
    // references vary a lot between examples, so only the full correction (a = 1) separates them perfectly.
    SplittableRandom random = new SplittableRandom(41);
    Rmia.Case paired = scaled(random, 200);
    Rmia.Case target = scaled(random, 200);
    assertThat(Rmia.tune(paired)).isCloseTo(1.0, within(1e-12));
    for (int i = 0; i < 10; i++) {
      double[][] s = Rmia.scores(paired, i * 0.1);
      assertThat(Roc.auc(s[0], s[1])).isLessThan(1.0);
    }
    Rmia.Result r = Rmia.tuned().audit(new Rmia.Input(target, paired));
    assertThat(r.a()).isCloseTo(1.0, within(1e-12));
    assertThat(r.auc()).isEqualTo(1.0);
    assertThat(Rmia.tuned().definitions()).containsKeys(r.metrics().keySet().toArray(String[]::new));
  }

  @Test
  void tuningKeepsTheFirstAOfTheHighestAuc() {
    // identical references everywhere: p(x) is the same for every example, the AUC does not depend on a
    AttackMargins attack = new AttackMargins(new double[] {2, 1}, new double[][] {{0}, {0}},
        new double[] {0, -1}, new double[][] {{0}, {0}});
    Rmia.Case c = new Rmia.Case(attack, new double[] {0.5, -0.5}, new double[][] {{0}, {0}});
    assertThat(Rmia.tune(c)).isZero();
  }

  private static Rmia.Case scaled(SplittableRandom random, int n) {
    double[] members = new double[n];
    double[] nonMembers = new double[n];
    double[][] memberRef = new double[n][];
    double[][] nonMemberRef = new double[n][];
    double[] population = new double[n];
    double[][] populationRef = new double[n][];
    for (int i = 0; i < n; i++) {
      double p = 0.05 + 0.6 * random.nextDouble();
      members[i] = logit(1.2 * p);
      memberRef[i] = new double[] {logit(p)};
      double q = 0.05 + 0.6 * random.nextDouble();
      nonMembers[i] = logit(q);
      nonMemberRef[i] = new double[] {logit(q)};
      double w = 0.05 + 0.6 * random.nextDouble();
      population[i] = logit(w);
      populationRef[i] = new double[] {logit(w)};
    }
    return new Rmia.Case(new AttackMargins(members, memberRef, nonMembers, nonMemberRef), population, populationRef);
  }

  @Test
  void missingPopulationMissingPairedModelAndNaNAreOneLineErrors() {
    AttackMargins attack = new AttackMargins(new double[] {1}, new double[][] {{0}}, new double[] {0}, new double[][] {{0}});
    Rmia.Case noPopulation = new Rmia.Case(attack, new double[0], new double[0][]);
    assertThatThrownBy(() -> Rmia.withA(0.3).audit(new Rmia.Input(noPopulation, null)))
        .isInstanceOf(LetheException.class).hasMessageStartingWith("RMIA needs at least one population example");
    Rmia.Case ok = new Rmia.Case(attack, new double[] {0}, new double[][] {{0}});
    assertThatThrownBy(() -> Rmia.tuned().audit(new Rmia.Input(ok, null)))
        .isInstanceOf(LetheException.class).hasMessageContaining("paired reference model");
    Rmia.Case nan = new Rmia.Case(attack, new double[] {0}, new double[][] {{Double.NaN}});
    assertThatThrownBy(() -> Rmia.withA(0.3).audit(new Rmia.Input(nan, null)))
        .isInstanceOf(LetheException.class).hasMessageContaining("NaN").hasMessageNotContaining("\n");
    Rmia.Case noRefs = new Rmia.Case(new AttackMargins(new double[] {1}, new double[][] {{}}, new double[] {0},
        new double[][] {{0}}), new double[] {0}, new double[][] {{0}});
    assertThatThrownBy(() -> Rmia.withA(0.3).audit(new Rmia.Input(noRefs, null)))
        .isInstanceOf(LetheException.class).hasMessageContaining("at least 1 member reference margin per example");
    assertThatThrownBy(() -> Rmia.withA(1.5)).isInstanceOf(IllegalArgumentException.class);
  }
}
