package dev.lethe.audit.perexample;

import java.util.Arrays;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * ROC summaries of an attack score that is higher for members: the area under the curve and the true-positive
 * rate at a bounded false-positive rate, as membership-inference papers report them.
 */
public final class Roc {
  private Roc() {}

  /**
   * The ROC AUC: the Mann–Whitney probability that a member scores above a non-member, a tie counting ½
   * (scikit-learn's {@code roc_auc_score}). From the rank sum of the members among all scores, ties given
   * their average rank (commons-math3 {@code NaturalRanking}): {@code (R − n₁(n₁+1)/2) / (n₁ n₀)}.
   *
   * @throws IllegalArgumentException if either side is empty or a score is NaN
   */
  public static double auc(double[] members, double[] nonMembers) {
    nonEmpty(members, nonMembers);
    double[] ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(concat(members, nonMembers));
    double rankSum = 0;
    for (int i = 0; i < members.length; i++) {
      rankSum += ranks[i];
    }
    double n1 = members.length;
    return (rankSum - n1 * (n1 + 1) / 2) / (n1 * nonMembers.length);
  }

  /**
   * The largest true-positive rate over thresholds t (predict member when score ≥ t) whose false-positive
   * rate is at most {@code maxFpr}: ml_privacy_meter's {@code tpr_list[np.where(fpr_list <= x)[0][-1]]}
   * ({@code get_audit_results}), taken over every threshold rather than scikit-learn's thinned curve (its
   * {@code drop_intermediate} can only lower the value). 0 when even the highest score lets through more
   * non-members than allowed.
   *
   * @throws IllegalArgumentException if either side is empty, a score is NaN or {@code maxFpr} is outside [0, 1]
   */
  public static double tprAtFpr(double[] members, double[] nonMembers, double maxFpr) {
    nonEmpty(members, nonMembers);
    if (!(maxFpr >= 0 && maxFpr <= 1)) {
      throw new IllegalArgumentException("a false-positive rate must be in [0, 1], got " + maxFpr);
    }
    double[] pos = Samples.sorted(members);
    double[] neg = Samples.sorted(nonMembers);
    if (Double.isNaN(pos[pos.length - 1]) || Double.isNaN(neg[neg.length - 1])) {
      throw new IllegalArgumentException("an attack score is NaN");
    }
    double best = 0;
    // Only thresholds at member scores can raise the TPR; walk them from the highest down.
    for (int i = pos.length - 1; i >= 0; i--) {
      if (i < pos.length - 1 && pos[i] == pos[i + 1]) {
        continue;
      }
      double t = pos[i];
      double fpr = (double) (neg.length - Samples.countBelow(neg, t)) / neg.length;
      if (fpr > maxFpr) {
        break;
      }
      best = (double) (pos.length - Samples.countBelow(pos, t)) / pos.length;
    }
    return best;
  }

  private static void nonEmpty(double[] members, double[] nonMembers) {
    if (members.length == 0 || nonMembers.length == 0) {
      throw new IllegalArgumentException("ROC needs members and non-members, got " + members.length + " and "
          + nonMembers.length);
    }
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
