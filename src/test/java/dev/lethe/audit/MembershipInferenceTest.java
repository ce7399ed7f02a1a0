package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class MembershipInferenceTest {
  private final Random random = new Random(42);

  /** Confidence of a training sample: ~N(0.98, 0.01), clipped to [0, 1]. */
  private double memberConfidence() {
    return Math.min(1.0, Math.max(0.0, 0.98 + 0.01 * random.nextGaussian()));
  }

  /** Confidence of an unseen sample: ~U(0.2, 0.9). */
  private double nonMemberConfidence() {
    return 0.2 + 0.7 * random.nextDouble();
  }

  private static double[] draw(int n, DoubleSupplier source) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = source.getAsDouble();
    }
    return out;
  }

  private static double[] grid(int points) {
    double[] out = new double[points];
    for (int i = 0; i < points; i++) {
      out[i] = i / 1000.0;
    }
    return out;
  }

  @Test
  void svcEfficacyIsLowForMembersAndHighForNonMembers() {
    double[] members = draw(400, this::memberConfidence);
    double[] nonMembers = draw(400, this::nonMemberConfidence);
    assertThat(MembershipInference.svcEfficacy(members, nonMembers, draw(200, this::memberConfidence)))
        .isLessThan(20);
    assertThat(
            MembershipInference.svcEfficacy(members, nonMembers, draw(200, this::nonMemberConfidence)))
        .isGreaterThan(80);
  }

  @Test
  void svcEfficacyIsInBetweenWhenTheTargetMixesBoth() {
    double[] members = draw(400, this::memberConfidence);
    double[] nonMembers = draw(400, this::nonMemberConfidence);
    double[] target = new double[200];
    for (int i = 0; i < target.length; i++) {
      target[i] = i % 2 == 0 ? memberConfidence() : nonMemberConfidence();
    }
    assertThat(MembershipInference.svcEfficacy(members, nonMembers, target)).isBetween(35.0, 65.0);
  }

  @Test
  void svcHasNoAdvantageWhenMembersAndNonMembersLookAlike() {
    // With one distribution for both classes the fitted boundary is arbitrary (efficacy anywhere from
    // about 10 to 90 depending on the seed), but it must treat fresh members and fresh non-members alike.
    DoubleSupplier mixture = () -> random.nextBoolean() ? memberConfidence() : nonMemberConfidence();
    double[] members = draw(400, mixture);
    double[] nonMembers = draw(400, mixture);
    double onMembers = MembershipInference.svcEfficacy(members, nonMembers, draw(1000, mixture));
    double onNonMembers = MembershipInference.svcEfficacy(members, nonMembers, draw(1000, mixture));
    assertThat(Math.abs(onMembers - onNonMembers)).isLessThan(8.0);
  }

  @Test
  void svcEfficacyMatchesScikitLearn() {
    // sklearn 1.9.1 SVC(C=3, gamma="auto", kernel="rbf") on these points predicts non-member for
    // exactly the 695 grid points 0.000..0.694.
    double[] members = {0.95, 0.97, 0.99, 1.0, 0.6, 0.98, 0.93, 0.999, 0.85, 0.995, 0.75, 0.9};
    double[] nonMembers = {0.3, 0.5, 0.7, 0.9, 0.99, 0.4, 0.8, 0.65, 0.97, 0.2};
    double[] target = grid(1001);
    assertThat(MembershipInference.svcEfficacy(members, nonMembers, target))
        .isEqualTo(100.0 * 695 / 1001)
        .isEqualTo(MembershipInference.svcEfficacy(members, nonMembers, target));
  }

  /** Entropy of a training sample: low, |N(0, 0.5)|. */
  private double memberEntropy() {
    return Math.abs(0.5 * random.nextGaussian());
  }

  /** Entropy of an unseen sample: higher, |N(1, 0.5)|. */
  private double nonMemberEntropy() {
    return Math.abs(1.0 + 0.5 * random.nextGaussian());
  }

  @Test
  void logisticMemberRateIsHighForMembersAndLowForNonMembers() {
    double[] members = draw(500, () -> Math.abs(0.1 * random.nextGaussian()));
    double[] nonMembers = draw(500, () -> 0.8 + 1.2 * random.nextDouble());
    assertThat(
            MembershipInference.logisticMemberRate(
                members, nonMembers, draw(200, () -> Math.abs(0.1 * random.nextGaussian()))))
        .isGreaterThan(80);
    assertThat(
            MembershipInference.logisticMemberRate(
                members, nonMembers, draw(200, () -> 0.8 + 1.2 * random.nextDouble())))
        .isLessThan(20);
  }

  @Test
  void logisticMemberRateBalancesClassWeights() {
    // Ten times more members than non-members. Unweighted, the boundary moves to about 1.28 and
    // roughly 70% of non-member-like targets are called members; balanced, it stays near 0.65.
    double[] members = draw(2000, this::memberEntropy);
    double[] nonMembers = draw(200, this::nonMemberEntropy);
    assertThat(
            MembershipInference.logisticMemberRate(
                members, nonMembers, draw(500, this::nonMemberEntropy)))
        .isLessThan(40);
    assertThat(
            MembershipInference.logisticMemberRate(members, nonMembers, draw(500, this::memberEntropy)))
        .isGreaterThan(70);
  }

  @Test
  void logisticMemberRateMatchesScikitLearnMultinomial() {
    // sklearn LogisticRegression(class_weight="balanced") fit as SFR-on's multinomial model puts the
    // boundary at entropy 0.6002 (binary C = 1 would give 0.6152, a penalised intercept 0.5393), so
    // exactly the 601 grid points 0.000..0.600 are members.
    double[] members = {
      0.01, 0.05, 0.1, 0.02, 0.3, 0.6, 0.15, 0.08, 1.1, 0.04, 0.2, 0.12, 0.03, 0.5, 0.07, 0.09
    };
    double[] nonMembers = {0.9, 1.4, 0.4, 1.8, 0.7, 1.2};
    assertThat(MembershipInference.logisticMemberRate(members, nonMembers, grid(2001)))
        .isEqualTo(100.0 * 601 / 2001);
  }

  /** {@code n} rows of {@code dim} Gaussian features, the first shifted by {@code shift}. */
  private double[][] vectors(int n, int dim, double shift) {
    double[][] out = new double[n][dim];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < dim; c++) {
        out[i][c] = 100 * random.nextGaussian() + (c == 0 ? shift : 0) - 40;
      }
    }
    return out;
  }

  @Test
  void crossValidatedSvcSeparatesShiftedVectorsAndIsChanceOnIdenticalOnes() {
    // large, offset scales: the standardisation makes the RBF width fit
    double separated = MembershipInference.svcCrossValidatedAccuracy(vectors(300, 4, 300), vectors(200, 4, 0), 5, 1);
    assertThat(separated).isGreaterThan(85);
    double chance = MembershipInference.svcCrossValidatedAccuracy(vectors(300, 4, 0), vectors(300, 4, 0), 5, 1);
    assertThat(chance).isBetween(40.0, 60.0);
    // deterministic for a seed
    double[][] a = vectors(50, 3, 100);
    double[][] b = vectors(60, 3, 0);
    assertThat(MembershipInference.svcCrossValidatedAccuracy(a, b, 5, 7))
        .isEqualTo(MembershipInference.svcCrossValidatedAccuracy(a, b, 5, 7));
    // too few samples for a held-out estimate
    assertThat(MembershipInference.svcCrossValidatedAccuracy(a, new double[][] {{0, 0, 0}}, 5, 7)).isNaN();
    assertThatThrownBy(() -> MembershipInference.svcCrossValidatedAccuracy(
            a, new double[][] {{0, Double.NaN, 0}, {0, 0, 0}}, 5, 7))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("not finite");
  }

  @Test
  void rejectsEmptySets() {
    double[] some = {0.5, 0.9};
    assertThatThrownBy(() -> MembershipInference.svcEfficacy(new double[0], some, some))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("member set is empty");
    assertThatThrownBy(() -> MembershipInference.svcEfficacy(some, new double[0], some))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("non-member set is empty");
    assertThatThrownBy(() -> MembershipInference.logisticMemberRate(some, some, new double[0]))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("target set is empty");
  }

  @Test
  void rejectsNonFiniteFeatures() {
    double[] some = {0.5, 0.9};
    assertThatThrownBy(() -> MembershipInference.svcEfficacy(some, some, new double[] {Double.NaN}))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("outputs are not finite")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(
            () ->
                MembershipInference.logisticMemberRate(
                    new double[] {0.1, Double.POSITIVE_INFINITY}, some, some))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("member sample 1")
        .hasMessageContaining("outputs are not finite");
  }
}
