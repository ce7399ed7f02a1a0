package dev.lethe.audit.perexample;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scores a membership attack gives known members and known non-members, and the ROC summaries every attack
 * reports from them: AUC and TPR at 1 % and 0.1 % FPR (Carlini et al., S&P 2022, argue for the low-FPR end).
 */
public interface AttackScores {
  /** Scores of the members (higher = more likely a member). */
  double[] memberScores();

  /** Scores of the non-members. */
  double[] nonMemberScores();

  /** ROC AUC of members over non-members, ties counted ½. */
  default double auc() {
    return Roc.auc(memberScores(), nonMemberScores());
  }

  /** TPR at a false-positive rate of at most {@code fpr}. */
  default double tprAtFpr(double fpr) {
    return Roc.tprAtFpr(memberScores(), nonMemberScores(), fpr);
  }

  /** {@code <attack>_auc}, {@code <attack>_tpr_at_1pct_fpr} and {@code <attack>_tpr_at_0_1pct_fpr}, in that order. */
  default Map<String, Double> rocMetrics(String attack) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(attack + "_auc", auc());
    m.put(attack + "_tpr_at_1pct_fpr", tprAtFpr(0.01));
    m.put(attack + "_tpr_at_0_1pct_fpr", tprAtFpr(0.001));
    return m;
  }
}
