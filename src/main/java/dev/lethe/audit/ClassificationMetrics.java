package dev.lethe.audit;

/**
 * Top-1 accuracy, the FA/RA/TA columns of SFR-on (Huang et al., NeurIPS 2024) and the UA/RA/TA columns
 * of SalUn (Fan et al., ICLR 2024, with UA = 100 − accuracy on the forget set). The predicted class is
 * the arg-max of the logits; on ties the lowest index wins, as {@code torch.argmax} does.
 */
public final class ClassificationMetrics {
  private ClassificationMetrics() {}

  /**
   * Returns the percentage (0–100) of rows whose arg-max logit equals the label, or NaN when there are no
   * rows. A NaN logit never wins the arg-max; a row of NaNs counts as wrong.
   *
   * @throws IllegalArgumentException if the row and label counts differ or a label is outside the row
   */
  public static double accuracyPercent(float[][] logits, int[] labels) {
    ShapeChecks.sameLength(logits.length, labels.length);
    if (logits.length == 0) {
      return Double.NaN;
    }
    int[] predicted = predictions(logits);
    int correct = 0;
    for (int i = 0; i < logits.length; i++) {
      ShapeChecks.labelInRow(labels[i], logits[i].length, i);
      if (predicted[i] == labels[i]) {
        correct++;
      }
    }
    return 100.0 * correct / logits.length;
  }

  /**
   * Returns the predicted class of every row: the arg-max of its logits, the lowest index on ties, never a
   * NaN logit; -1 for a row of NaNs.
   */
  public static int[] predictions(float[][] logits) {
    int[] predicted = new int[logits.length];
    for (int i = 0; i < logits.length; i++) {
      float[] row = logits[i];
      int best = -1;
      for (int k = 0; k < row.length; k++) {
        if (!Float.isNaN(row[k]) && (best < 0 || row[k] > row[best])) {
          best = k;
        }
      }
      predicted[i] = best;
    }
    return predicted;
  }
}
