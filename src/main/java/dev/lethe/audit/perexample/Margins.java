package dev.lethe.audit.perexample;

/**
 * Per-example margins: the log-odds of the true class, {@code m = z_y − log Σ_{k≠y} exp z_k}, the signal every
 * per-example audit reads. It is EasyDUB's {@code get_margin} (RoyRin/data-unlearning-bench,
 * {@code unlearning_bench/eval.py}) and, computed another way, the logit-scaled confidence
 * {@code log p_y − log(1 − p_y)} of LiRA and of the NeurIPS 2023 metric. Inputs are logits exactly as a
 * model's stored per-example outputs ({@code experiment.ModelOutputs}) hold them, one float row per sample, or the same
 * matrix flattened row-major (as {@code data.Npy} stores it); labels are the split's {@code Dataset.labels()}
 * in row order.
 *
 * <p>Computed in double and stable for any finite logits: the log-sum-exp over the other classes is
 * shifted by their maximum and taken as {@code max + log1p(Σ_{k≠y, k≠argmax} exp(z_k − max))}, so a gap of
 * 10⁴ gives a margin of ±10⁴ rather than an infinity, and ties give {@code −ln(K − 1)} exactly. A row with a
 * NaN or an infinite logit gives a non-finite margin, which every audit rejects.
 */
public final class Margins {
  private Margins() {}

  /** The margin of one row of logits for true class {@code label}. */
  public static double of(float[] logits, int label) {
    return of(logits, 0, logits.length, label);
  }

  /** The margins of every row of {@code logits} for the matching {@code labels}. */
  public static double[] of(float[][] logits, int[] labels) {
    sameCount(logits.length, labels.length);
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = of(logits[i], 0, logits[i].length, labels[i]);
    }
    return out;
  }

  /** The margins of a row-major matrix of {@code classes} columns, one row per label. */
  public static double[] of(float[] flat, int classes, int[] labels) {
    if (classes < 1 || flat.length != (long) classes * labels.length) {
      throw new IllegalArgumentException("a flat matrix of " + flat.length + " logits is not " + labels.length
          + " rows of " + classes + " classes");
    }
    double[] out = new double[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = of(flat, i * classes, classes, labels[i]);
    }
    return out;
  }

  private static double of(float[] z, int offset, int classes, int label) {
    if (classes < 2) {
      throw new IllegalArgumentException("a margin needs at least 2 classes, got " + classes);
    }
    if (label < 0 || label >= classes) {
      throw new IllegalArgumentException("label " + label + " is outside 0.." + (classes - 1));
    }
    int top = -1;
    for (int k = 0; k < classes; k++) {
      if (k != label && (top < 0 || z[offset + k] > z[offset + top])) {
        top = k;
      }
    }
    double max = z[offset + top];
    double rest = 0;
    for (int k = 0; k < classes; k++) {
      if (k != label && k != top) {
        rest += Math.exp(z[offset + k] - max);
      }
    }
    return z[offset + label] - (max + Math.log1p(rest));
  }

  private static void sameCount(int rows, int labels) {
    if (rows != labels) {
      throw new IllegalArgumentException(rows + " rows of logits but " + labels + " labels; they must match");
    }
  }
}
