package dev.lethe.audit;

/**
 * Per-sample membership-inference features of softmax outputs, as used by SalUn's
 * {@code evaluation/SVC_MIA.py} (OPTML-Group/Unlearn-Saliency) and SFR-on's {@code evaluation/mia.py}
 * (K1nght/Unified-Unlearning-w-Remain-Geometry): the true-class confidence, the Shannon entropy and the
 * modified entropy of Song and Mittal ("Systematic Evaluation of Privacy Risks of Machine Learning
 * Models", USENIX Security 2021). All values are computed in double with natural logarithms.
 *
 * <p>The modified entropy here is the correct per-row form, as in Song and Mittal's numpy code. The torch
 * version in both repositories indexes {@code [:, labels]} (whole columns) and takes {@code log p} where
 * {@code log(1 − p)} is meant; only the confidence feature is reported there, so their numbers do not
 * depend on it.
 */
public final class MembershipFeatures {
  /** Floor applied inside every logarithm of the modified entropy, as in Song and Mittal's code. */
  private static final double LOG_FLOOR = 1e-30;

  private MembershipFeatures() {}

  /**
   * Returns the probability of the true class, {@code p_y}, per row.
   *
   * @throws IllegalArgumentException if the row and label counts differ or a label is outside the row
   */
  public static double[] confidence(float[][] probs, int[] labels) {
    ShapeChecks.sameLength(probs.length, labels.length);
    double[] out = new double[probs.length];
    for (int i = 0; i < probs.length; i++) {
      ShapeChecks.labelInRow(labels[i], probs[i].length, i);
      out[i] = probs[i][labels[i]];
    }
    return out;
  }

  /** Returns the Shannon entropy {@code −Σ_k p_k ln p_k} per row, with {@code 0·ln 0 = 0}. */
  public static double[] entropy(float[][] probs) {
    double[] out = new double[probs.length];
    for (int i = 0; i < probs.length; i++) {
      double h = 0.0;
      for (float p : probs[i]) {
        if (p > 0 || Float.isNaN(p)) {
          h -= p * Math.log(p);
        }
      }
      out[i] = h;
    }
    return out;
  }

  /**
   * Returns the modified entropy per row:
   * {@code −(1 − p_y) ln p_y − Σ_{k≠y} p_k ln(1 − p_k)}, each logarithm's argument floored at 1e-30.
   * It is small when the model is confidently right and large when it is confidently wrong.
   *
   * @throws IllegalArgumentException if the row and label counts differ or a label is outside the row
   */
  public static double[] modifiedEntropy(float[][] probs, int[] labels) {
    ShapeChecks.sameLength(probs.length, labels.length);
    double[] out = new double[probs.length];
    for (int i = 0; i < probs.length; i++) {
      float[] row = probs[i];
      int y = labels[i];
      ShapeChecks.labelInRow(y, row.length, i);
      double value = 0.0;
      for (int k = 0; k < row.length; k++) {
        double p = row[k];
        if (k == y) {
          value -= (1.0 - p) * Math.log(Math.max(p, LOG_FLOOR));
        } else {
          value -= p * Math.log(Math.max(1.0 - p, LOG_FLOOR));
        }
      }
      out[i] = value;
    }
    return out;
  }
}
