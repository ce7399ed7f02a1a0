package dev.lethe.audit;

/**
 * MIA-NN, the class-unlearning membership attack through the neighbouring classes (Ebrahimpour-Boroojeny,
 * Wang and Sundaram, "On the Necessity of Output Distribution Reweighting for Effective Class
 * Unlearning", arXiv 2506.20893: "uses the probabilities the model assigns to neighboring classes to
 * detect unlearned samples"). The paper's exact attack is known only from its abstract and reviews
 * (nearest-neighbour class probability, an SVM on logits, retrained models as references), so this is a
 * reconstruction: a membership test on the forgotten class that sees only the other classes' outputs.
 *
 * <ul>
 *   <li>Features: the model's softmax probabilities of the K − 1 other classes, in class order, the
 *       forgotten class's column dropped and not renormalised (so whatever mass the model still gives the
 *       forgotten class shows as their sum falling short of 1; a model that gives it none is judged on how
 *       it spreads the mass over the neighbours). Class order, not sorted, because which neighbour
 *       receives the mass is the signal. Probabilities rather than log-probabilities: the paper's attack
 *       reads "the probabilities the model assigns to neighboring classes", and on Fashion-MNIST the
 *       log-probabilities separated an original's member and non-member images less well (their spread
 *       over many orders of magnitude hides the shift in total mass).
 *   <li>Members: the forgotten class's training images (D_f, which the original saw); non-members: its
 *       test images (which no model saw).
 *   <li>Score: {@link MembershipInference#svcCrossValidatedAccuracy}, balanced accuracy (%) of a
 *       standardised RBF SVC on 5 held-out folds of a balanced, seeded subsample.
 * </ul>
 *
 * <p>A retrained model never saw either set, so its score is about 50; higher means membership in the
 * forgotten class still leaks through the other classes' outputs.
 */
public final class NeighbourMembership {
  /** Cross-validation folds. */
  public static final int FOLDS = 5;
  /** Seed of the balanced subsample and of nothing else: the score is a function of the outputs. */
  private static final long SEED = 0;

  private NeighbourMembership() {}

  /**
   * The MIA-NN score of a model from its logits on the forgotten class's training images
   * ({@code forgetLogits}) and test images ({@code testLogits}); NaN if either has fewer than 2 rows.
   */
  public static double score(float[][] forgetLogits, float[][] testLogits, int forgottenClass) {
    return MembershipInference.svcCrossValidatedAccuracy(
        features(forgetLogits, forgottenClass), features(testLogits, forgottenClass), FOLDS, SEED);
  }

  /** Per row, {@code softmax(z)_j} for every class j ≠ {@code forgottenClass}, in class order. */
  public static double[][] features(float[][] logits, int forgottenClass) {
    float[][] probs = Softmax.probabilities(logits);
    double[][] out = new double[probs.length][];
    for (int i = 0; i < probs.length; i++) {
      out[i] = new double[probs[i].length - 1];
      for (int j = 0, c = 0; j < probs[i].length; j++) {
        if (j != forgottenClass) {
          out[i][c++] = probs[i][j];
        }
      }
    }
    return out;
  }
}
