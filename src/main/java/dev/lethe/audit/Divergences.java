package dev.lethe.audit;

/**
 * Mean divergences between the softmax outputs of the retrained reference and of a candidate model on
 * the same samples, as SFR-on's code reports them (Huang et al., NeurIPS 2024;
 * K1nght/Unified-Unlearning-w-Remain-Geometry {@code evaluation/js_div.py}): the "D_KL to RT" column
 * {@code KL(p_ref ‖ p_cand)} and the Jensen–Shannon divergence, both with natural logarithms, and the
 * total-variation distance of TRW's v1 (arXiv 2506.20893 v1), each averaged over rows and computed in
 * double.
 *
 * <p>Non-finite outputs give NaN rather than an exception, so the audit can record and flag the model.
 */
public final class Divergences {
  /**
   * Added to every probability inside the logarithms, as in SFR-on's code. Float softmax outputs are
   * often exactly zero for very unlikely classes; without it a zero in the candidate where the reference
   * is positive makes KL infinite, and a zero in the reference gives {@code 0 · ln 0 = NaN}. With it,
   * such a term is large but finite ({@code ln 1e-20 ≈ −46}) and {@code 0 · ln ε = 0}.
   */
  public static final double EPSILON = 1e-20;

  private Divergences() {}

  /**
   * Returns the mean over rows of {@code KL(p_ref ‖ p_cand) = Σ_k p_ref,k (ln(p_ref,k + ε) − ln(p_cand,k + ε))};
   * NaN if there are no rows or any value is not finite.
   *
   * @throws IllegalArgumentException if the row counts or a row's class counts differ
   */
  public static double meanKl(float[][] reference, float[][] candidate) {
    if (!usable(reference, candidate)) {
      return Double.NaN;
    }
    double total = 0.0;
    for (int i = 0; i < reference.length; i++) {
      total += kl(reference[i], widen(candidate[i]));
    }
    return total / reference.length;
  }

  /**
   * Returns the mean over rows of the Jensen–Shannon divergence {@code ½ KL(p ‖ m) + ½ KL(q ‖ m)} with
   * {@code m = (p + q) / 2} and the same ε as {@link #meanKl}. It is symmetric and at most {@code ln 2},
   * reached when the two rows put their mass on disjoint classes. NaN if there are no rows or any value
   * is not finite.
   *
   * @throws IllegalArgumentException if the row counts or a row's class counts differ
   */
  public static double meanJs(float[][] reference, float[][] candidate) {
    if (!usable(reference, candidate)) {
      return Double.NaN;
    }
    double total = 0.0;
    for (int i = 0; i < reference.length; i++) {
      float[] p = reference[i];
      float[] q = candidate[i];
      double[] m = new double[p.length];
      for (int k = 0; k < p.length; k++) {
        m[k] = 0.5 * ((double) p[k] + q[k]);
      }
      total += 0.5 * kl(p, m) + 0.5 * kl(q, m);
    }
    return total / reference.length;
  }

  /**
   * Returns the mean over rows of the total-variation distance {@code ½ Σ_k |p_ref,k − p_cand,k|}: 0 for
   * identical rows, 1 for rows with disjoint support. NaN if there are no rows or any value is not finite.
   *
   * @throws IllegalArgumentException if the row counts or a row's class counts differ
   */
  public static double meanTv(float[][] reference, float[][] candidate) {
    if (!usable(reference, candidate)) {
      return Double.NaN;
    }
    double total = 0.0;
    for (int i = 0; i < reference.length; i++) {
      double sum = 0.0;
      for (int k = 0; k < reference[i].length; k++) {
        sum += Math.abs((double) reference[i][k] - candidate[i][k]);
      }
      total += 0.5 * sum;
    }
    return total / reference.length;
  }

  private static double[] widen(float[] row) {
    double[] out = new double[row.length];
    for (int k = 0; k < row.length; k++) {
      out[k] = row[k];
    }
    return out;
  }

  private static double kl(float[] p, double[] m) {
    double sum = 0.0;
    for (int k = 0; k < p.length; k++) {
      sum += p[k] * (Math.log(p[k] + EPSILON) - Math.log(m[k] + EPSILON));
    }
    return sum;
  }

  private static boolean usable(float[][] reference, float[][] candidate) {
    if (reference.length != candidate.length) {
      throw new IllegalArgumentException(
          "Reference has " + reference.length + " rows but candidate has " + candidate.length);
    }
    for (int i = 0; i < reference.length; i++) {
      if (reference[i].length != candidate[i].length) {
        throw new IllegalArgumentException(
            "Row " + i + " has " + reference[i].length + " reference classes but "
                + candidate[i].length + " candidate classes");
      }
    }
    return reference.length > 0 && Softmax.allFinite(reference) && Softmax.allFinite(candidate);
  }
}
