package dev.lethe.unlearn;

import java.util.Arrays;

/**
 * TRW's class-level similarity to the forgotten class (Ebrahimpour-Boroojeny, Wang and Sundaram, "On the
 * Necessity of Output Distribution Reweighting for Effective Class Unlearning", arXiv 2506.20893; the
 * paper's text was not available, this follows the reconstruction in the method note, §3.2): one
 * representation vector r_k per class, a PCA of the K vectors, and
 * {@code s_j = softmax_{j≠f}(cos(P r_f, P r_j) / τ)}, with {@code s_f = 0}.
 *
 * <p>The PCA is computed from the K x K Gram matrix of the centred representations, whatever their
 * dimension (K for logit vectors, the embedding size for head weight rows): if {@code G = X Xᵀ = U Λ Uᵀ},
 * class k's score on component i is {@code sqrt(λ_i) U_ki}, which equals the projection of its centred
 * vector on the i-th principal axis. The eigen-decomposition is the cyclic Jacobi method; centring leaves
 * at most K − 1 non-zero components.
 */
final class ClassSimilarity {
  /** Eigenvalues at or below this fraction of the largest are treated as zero (no component). */
  private static final double RANK_TOLERANCE = 1e-10;
  private static final int MAX_SWEEPS = 100;

  private ClassSimilarity() {}

  /**
   * The similarity weights of every class to {@code forgotten}: a softmax over the other classes of
   * their PCA-space cosine to it divided by {@code temperature}; entry {@code forgotten} is 0.
   *
   * @param representations one row per class, all of one length
   * @param components PCA components kept; 0 or more than available keeps all (at most K − 1)
   */
  static double[] toForgotten(double[][] representations, int forgotten, int components, double temperature) {
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
    double[][] gram = new double[k][k];
    for (int a = 0; a < k; a++) {
      for (int b = 0; b <= a; b++) {
        double dot = 0;
        for (int c = 0; c < dim; c++) {
          dot += (rows[a][c] - mean[c]) * (rows[b][c] - mean[c]);
        }
        gram[a][b] = dot;
        gram[b][a] = dot;
      }
    }
    Eigen eigen = symmetricEigen(gram);
    int rank = 0;
    while (rank < k && eigen.values()[rank] > RANK_TOLERANCE * Math.max(eigen.values()[0], Double.MIN_NORMAL)) {
      rank++;
    }
    int d = components <= 0 ? rank : Math.min(components, rank);
    double[][] scores = new double[k][d];
    for (int i = 0; i < d; i++) {
      double scale = Math.sqrt(eigen.values()[i]);
      for (int a = 0; a < k; a++) {
        scores[a][i] = scale * eigen.vectors()[a][i];
      }
    }
    return scores;
  }

  /**
   * Eigenvalues (descending) and unit eigenvectors of a symmetric matrix.
   *
   * @param values the eigenvalues, largest first
   * @param vectors column i is the eigenvector of {@code values[i]}
   */
  record Eigen(double[] values, double[][] vectors) {}

  /** Cyclic Jacobi eigen-decomposition of the symmetric matrix {@code matrix} (left unchanged). */
  static Eigen symmetricEigen(double[][] matrix) {
    int n = matrix.length;
    double[][] a = new double[n][];
    double[][] v = new double[n][n];
    double scale = 0;
    for (int i = 0; i < n; i++) {
      a[i] = matrix[i].clone();
      v[i][i] = 1;
      for (double x : a[i]) {
        scale += x * x;
      }
    }
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      double off = 0;
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          off += a[p][q] * a[p][q];
        }
      }
      if (off <= 1e-30 * scale) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (a[p][q] != 0) {
            rotate(a, v, p, q);
          }
        }
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
    double[] values = new double[n];
    double[][] vectors = new double[n][n];
    for (int i = 0; i < n; i++) {
      values[i] = a[order[i]][order[i]];
      for (int r = 0; r < n; r++) {
        vectors[r][i] = v[r][order[i]];
      }
    }
    return new Eigen(values, vectors);
  }

  /** One Jacobi rotation {@code A ← Jᵀ A J}, {@code V ← V J}, that zeroes {@code A[p][q]}. */
  private static void rotate(double[][] a, double[][] v, int p, int q) {
    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
    if (theta == 0) {
      t = 1;
    }
    double c = 1 / Math.sqrt(t * t + 1);
    double s = t * c;
    int n = a.length;
    for (int k = 0; k < n; k++) {
      double kp = a[k][p];
      double kq = a[k][q];
      a[k][p] = c * kp - s * kq;
      a[k][q] = s * kp + c * kq;
    }
    for (int k = 0; k < n; k++) {
      double pk = a[p][k];
      double qk = a[q][k];
      a[p][k] = c * pk - s * qk;
      a[q][k] = s * pk + c * qk;
    }
    for (int k = 0; k < n; k++) {
      double kp = v[k][p];
      double kq = v[k][q];
      v[k][p] = c * kp - s * kq;
      v[k][q] = s * kp + c * kq;
    }
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
