package dev.lethe.unlearn.blocks;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * TRW's class-level similarity to the forgotten class (Ebrahimpour-Boroojeny, Wang and Sundaram, "On the
 * Necessity of Output Distribution Reweighting for Effective Class Unlearning", arXiv 2506.20893; the
 * paper's text was not available, this follows the reconstruction in the method note, §3.2): one
 * representation vector r_k per class, a PCA of the K vectors, and
 * {@code s_j = softmax_{j≠f}(cos(P r_f, P r_j) / τ)}, with {@code s_f = 0}.
 *
 * <p>The PCA is the singular value decomposition {@code X = U Σ Vᵀ} of the K x dim matrix of centred
 * representations (dim is K for logit vectors, the embedding size for head weight rows; commons-math3):
 * class k's score on component i is {@code σ_i U_ki}, the projection of its centred vector on the i-th
 * principal axis. Centring leaves at most K − 1 non-zero components.
 */
public final class ClassSimilarity {
  /** Singular values at or below this fraction of the largest are treated as zero (no component). */
  private static final double RANK_TOLERANCE = 1e-5;

  private ClassSimilarity() {}

  /**
   * The similarity weights of every class to {@code forgotten}: a softmax over the other classes of
   * their PCA-space cosine to it divided by {@code temperature}; entry {@code forgotten} is 0.
   *
   * @param representations one row per class, all of one length
   * @param components PCA components kept; 0 or more than available keeps all (at most K − 1)
   */
  public static double[] toForgotten(double[][] representations, int forgotten, int components, double temperature) {
    double[][] scores = pcaScores(representations, components);
    int k = representations.length;
    double[] logits = new double[k];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      if (j != forgotten) {
        logits[j] = cosine(scores[forgotten], scores[j]) / temperature;
        max = Math.max(max, logits[j]);
      }
    }
    double[] s = new double[k];
    double sum = 0;
    for (int j = 0; j < k; j++) {
      if (j != forgotten) {
        s[j] = Math.exp(logits[j] - max);
        sum += s[j];
      }
    }
    for (int j = 0; j < k; j++) {
      s[j] /= sum;
    }
    return s;
  }

  /**
   * PCA scores of the rows (one row per class, centred on their mean): K rows of d ≤ K − 1 coordinates,
   * components by decreasing variance. {@code components} 0 keeps every non-zero component.
   */
  static double[][] pcaScores(double[][] rows, int components) {
    int k = rows.length;
    int dim = rows[0].length;
    double[] mean = new double[dim];
    for (double[] row : rows) {
      for (int c = 0; c < dim; c++) {
        mean[c] += row[c] / k;
      }
    }
    double[][] centred = new double[k][dim];
    for (int a = 0; a < k; a++) {
      for (int c = 0; c < dim; c++) {
        centred[a][c] = rows[a][c] - mean[c];
      }
    }
    SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(centred, false));
    double[] sigma = svd.getSingularValues();
    RealMatrix u = svd.getU();
    int rank = 0;
    while (rank < sigma.length && sigma[rank] > RANK_TOLERANCE * Math.max(sigma[0], Double.MIN_NORMAL)) {
      rank++;
    }
    int d = components <= 0 ? rank : Math.min(components, rank);
    double[][] scores = new double[k][d];
    for (int i = 0; i < d; i++) {
      for (int a = 0; a < k; a++) {
        scores[a][i] = sigma[i] * u.getEntry(a, i);
      }
    }
    return scores;
  }

  private static double cosine(double[] x, double[] y) {
    double dot = 0;
    double xx = 0;
    double yy = 0;
    for (int i = 0; i < x.length; i++) {
      dot += x[i] * y[i];
      xx += x[i] * x[i];
      yy += y[i] * y[i];
    }
    return xx == 0 || yy == 0 ? 0 : dot / Math.sqrt(xx * yy);
  }
}
