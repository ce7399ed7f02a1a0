package dev.lethe.audit;

import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;
import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.SplittableRandom;
import libsvm.svm;
import libsvm.svm_model;
import libsvm.svm_node;
import libsvm.svm_parameter;
import libsvm.svm_problem;

/**
 * The membership-inference classifiers of the audit. Two one-feature attacks that unlearning papers
 * report, each fit on samples known to be members (label 1) and non-members (label 0) and then applied to
 * the forget set:
 *
 * <ul>
 *   <li>{@link #svcEfficacy}: SalUn's "MIA-Efficacy" (Fan et al., ICLR 2024), the {@code confidence}
 *       entry of {@code SVC_MIA} in OPTML-Group/Unlearn-Saliency {@code evaluation/SVC_MIA.py}: an RBF
 *       SVC, reported as the percentage of targets predicted non-member (higher means more forgotten).
 *   <li>{@link #logisticMemberRate}: the "MIA" column of SFR-on's code (Huang et al., NeurIPS 2024;
 *       K1nght/Unified-Unlearning-w-Remain-Geometry {@code evaluation/mia.py}): a class-balanced logistic
 *       regression, reported as the percentage of targets predicted member (the opposite direction).
 * </ul>
 *
 * <p>and {@link #svcCrossValidatedAccuracy}, the same RBF SVC on vector features scored by cross-validated
 * balanced accuracy (the classifier of {@link NeighbourMembership}).
 *
 * <p>All are deterministic. The SVC uses libsvm 3.31 (the solver scikit-learn wraps) and the logistic
 * regression uses liblinear; their console output is switched off once, globally, when this class loads.
 */
public final class MembershipInference {
  /** scikit-learn {@code SVC(C=3)} in {@code SVC_MIA_fit_predict}. */
  private static final double SVC_C = 3.0;
  /** {@code gamma='auto'} is {@code 1 / n_features}, and the feature is one number. */
  private static final double SVC_GAMMA = 1.0;
  /** scikit-learn's SVC default {@code cache_size=200} (MB). */
  private static final double SVC_CACHE_MB = 200.0;
  /** scikit-learn's SVC default {@code tol=1e-3}. */
  private static final double SVC_TOLERANCE = 1e-3;
  /** scikit-learn's default C = 1, doubled because its two-class multinomial fit halves the penalty. */
  private static final double LOGISTIC_C = 2.0;
  /**
   * liblinear's gradient-norm tolerance, relative to the gradient at zero; tighter than liblinear's 0.01
   * so the fit is the optimum that scikit-learn's L-BFGS converges to.
   */
  private static final double LOGISTIC_TOLERANCE = 1e-6;

  private static final int MEMBER = 1;
  private static final int NON_MEMBER = 0;

  static {
    svm.svm_set_print_string_function(message -> { });
    Linear.disableDebugOutput();
  }

  private MembershipInference() {}

  /**
   * SalUn's "MIA-Efficacy" exactly as {@code SVC_MIA} computes its {@code confidence} entry. The
   * features are normally {@link MembershipFeatures#confidence}: shadow members (the retain-set prefix),
   * shadow non-members (the test set) and targets (the forget set). It fits
   * {@code SVC(kernel="rbf", C=3, gamma="auto")}, i.e. libsvm C-SVC with gamma 1, tolerance 1e-3,
   * shrinking on and no probability estimates, and returns {@code 100 × (fraction of targets predicted
   * non-member)}.
   *
   * <p>Non-members are placed before members so that libsvm's class order (0, then 1; it takes the order
   * of first appearance) is scikit-learn's sorted order, and the solver visits the samples grouped the
   * same way. On a fixed set of points this reproduces scikit-learn 1.9.1's predictions exactly. The fit
   * costs roughly quadratic time in the number of shadow samples (about 1–14 s for 2 × 10,000 on one
   * core, depending on overlap); callers subsample large sets.
   *
   * @throws LetheException if any of the three arrays is empty or holds a non-finite value
   */
  public static double svcEfficacy(
      double[] memberFeature, double[] nonMemberFeature, double[] targetFeature) {
    validate(memberFeature, nonMemberFeature, targetFeature);
    int n = nonMemberFeature.length + memberFeature.length;
    svm_problem problem = new svm_problem();
    problem.l = n;
    problem.x = new svm_node[n][];
    problem.y = new double[n];
    int row = 0;
    for (double value : nonMemberFeature) {
      problem.x[row] = svmPoint(value);
      problem.y[row++] = NON_MEMBER;
    }
    for (double value : memberFeature) {
      problem.x[row] = svmPoint(value);
      problem.y[row++] = MEMBER;
    }
    svm_model model = trainSvc(problem, SVC_GAMMA);
    int nonMembers = 0;
    for (double value : targetFeature) {
      if (svm.svm_predict(model, svmPoint(value)) == NON_MEMBER) {
        nonMembers++;
      }
    }
    return 100.0 * nonMembers / targetFeature.length;
  }

  /**
   * SFR-on's membership rate as its {@code get_membership_attack_prob} computes it. The features are
   * normally {@link MembershipFeatures#entropy}: members (the whole retain set), non-members (the test
   * set) and targets (the forget set). It fits scikit-learn's
   * {@code LogisticRegression(class_weight="balanced", solver="lbfgs", multi_class="multinomial")} with
   * its defaults (L2 penalty, C = 1, an unpenalised intercept) and returns {@code 100 × (fraction of
   * targets predicted member)}.
   *
   * <p>The equivalent binary problem is solved with liblinear's primal L2-regularised logistic regression
   * ({@code L2R_LR}) with C = 2: on two classes the multinomial model keeps one weight row per class,
   * {@code w_1 = d/2} and {@code w_0 = −d/2}, so its penalty {@code ½(|w_0|² + |w_1|²) / C} equals
   * {@code ½|d|² / (2C)} on the decision weight {@code d}. The class weights are {@code n / (2 n_c)},
   * what "balanced" gives. The intercept is a bias feature of 1 whose weight is left out of the penalty
   * ({@code regularize_bias = false}, liblinear's {@code -R}): scikit-learn's unpenalised intercept
   * rather than liblinear's usual penalised one.
   *
   * @throws LetheException if any of the three arrays is empty or holds a non-finite value
   */
  public static double logisticMemberRate(
      double[] memberFeature, double[] nonMemberFeature, double[] targetFeature) {
    validate(memberFeature, nonMemberFeature, targetFeature);
    int n = memberFeature.length + nonMemberFeature.length;
    Problem problem = new Problem();
    problem.l = n;
    problem.n = 2;
    problem.bias = 1.0;
    problem.x = new Feature[n][];
    problem.y = new double[n];
    int row = 0;
    for (double value : memberFeature) {
      problem.x[row] = linearPoint(value);
      problem.y[row++] = MEMBER;
    }
    for (double value : nonMemberFeature) {
      problem.x[row] = linearPoint(value);
      problem.y[row++] = NON_MEMBER;
    }
    Parameter param = new Parameter(SolverType.L2R_LR, LOGISTIC_C, LOGISTIC_TOLERANCE);
    param.setRegularizeBias(false);
    param.setWeights(
        new double[] {
          n / (2.0 * memberFeature.length), n / (2.0 * nonMemberFeature.length)
        },
        new int[] {MEMBER, NON_MEMBER});
    Model model = Linear.train(problem, param);
    int members = 0;
    for (double value : targetFeature) {
      if (Linear.predict(model, linearPoint(value)) == MEMBER) {
        members++;
      }
    }
    return 100.0 * members / targetFeature.length;
  }

  /**
   * Balanced accuracy (%) with which an RBF SVC tells members from non-members by their feature vectors,
   * on held-out data: both sets are subsampled (seeded) to the smaller size n, cut into
   * {@code min(folds, n)} stratified folds, and for each fold a scikit-learn-style
   * {@code make_pipeline(StandardScaler(), SVC(C=3))} is fit on the other folds (features standardised
   * with the training folds' mean and standard deviation; gamma 1 / features, which is scikit-learn's
   * {@code gamma="scale"} on standardised features) and predicts the held-out fold. The score is
   * {@code 50 × (TPR + TNR)} over all held-out predictions: 50 when the two sets are indistinguishable.
   *
   * @return the score, or NaN if either set has fewer than 2 samples (no held-out estimate possible)
   * @throws LetheException if a feature is not finite
   */
  public static double svcCrossValidatedAccuracy(double[][] members, double[][] nonMembers, int folds, long seed) {
    requireUsable(members, "member");
    requireUsable(nonMembers, "non-member");
    int n = Math.min(members.length, nonMembers.length);
    if (n < 2) {
      return Double.NaN;
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[][][] sets = {subsample(nonMembers, n, random), subsample(members, n, random)};
    int k = Math.min(folds, n);
    int dim = members[0].length;
    int[] correct = new int[2];
    for (int fold = 0; fold < k; fold++) {
      double[] mean = new double[dim];
      double[] sd = new double[dim];
      int trainCount = 0;
      for (double[][] set : sets) {
        for (int i = 0; i < n; i++) {
          if (i % k != fold) {
            trainCount++;
            for (int c = 0; c < dim; c++) {
              mean[c] += set[i][c];
              sd[c] += set[i][c] * set[i][c];
            }
          }
        }
      }
      for (int c = 0; c < dim; c++) {
        mean[c] /= trainCount;
        double variance = sd[c] / trainCount - mean[c] * mean[c];
        sd[c] = variance > 1e-24 ? Math.sqrt(variance) : 1;
      }
      svm_problem problem = new svm_problem();
      problem.l = trainCount;
      problem.x = new svm_node[problem.l][];
      problem.y = new double[problem.l];
      int row = 0;
      for (int label = NON_MEMBER; label <= MEMBER; label++) {
        for (int i = 0; i < n; i++) {
          if (i % k != fold) {
            problem.x[row] = svmPoint(standardise(sets[label][i], mean, sd));
            problem.y[row++] = label;
          }
        }
      }
      svm_model model = trainSvc(problem, 1.0 / dim);
      for (int label = NON_MEMBER; label <= MEMBER; label++) {
        for (int i = fold; i < n; i += k) {
          if (svm.svm_predict(model, svmPoint(standardise(sets[label][i], mean, sd))) == label) {
            correct[label]++;
          }
        }
      }
    }
    return 50.0 * (correct[NON_MEMBER] + correct[MEMBER]) / n;
  }

  /** {@code n} rows of {@code rows} drawn without replacement, in a random order. */
  private static double[][] subsample(double[][] rows, int n, SplittableRandom random) {
    double[][] copy = rows.clone();
    for (int i = 0; i < n; i++) {
      int j = i + random.nextInt(copy.length - i);
      double[] swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    return Arrays.copyOf(copy, n);
  }

  private static double[] standardise(double[] row, double[] mean, double[] sd) {
    double[] out = new double[row.length];
    for (int c = 0; c < row.length; c++) {
      out[c] = (row[c] - mean[c]) / sd[c];
    }
    return out;
  }

  /** A libsvm C-SVC with scikit-learn's {@code SVC(C=3)} settings and RBF width {@code gamma}. */
  private static svm_model trainSvc(svm_problem problem, double gamma) {
    svm_parameter param = svcParameter(gamma);
    String error = svm.svm_check_parameter(problem, param);
    if (error != null) {
      throw new IllegalStateException("libsvm rejected the SVC parameters: " + error);
    }
    return svm.svm_train(problem, param);
  }

  private static svm_parameter svcParameter(double gamma) {
    svm_parameter param = new svm_parameter();
    param.svm_type = svm_parameter.C_SVC;
    param.kernel_type = svm_parameter.RBF;
    param.gamma = gamma;
    param.C = SVC_C;
    param.cache_size = SVC_CACHE_MB;
    param.eps = SVC_TOLERANCE;
    param.shrinking = 1;
    param.probability = 0;
    param.nr_weight = 0;
    param.weight_label = new int[0];
    param.weight = new double[0];
    return param;
  }

  private static svm_node[] svmPoint(double... values) {
    svm_node[] nodes = new svm_node[values.length];
    for (int i = 0; i < values.length; i++) {
      nodes[i] = new svm_node();
      nodes[i].index = i + 1;
      nodes[i].value = values[i];
    }
    return nodes;
  }

  private static Feature[] linearPoint(double value) {
    return new Feature[] {new FeatureNode(1, value), new FeatureNode(2, 1.0)};
  }

  private static void validate(double[] members, double[] nonMembers, double[] targets) {
    requireUsable(members, "member");
    requireUsable(nonMembers, "non-member");
    requireUsable(targets, "target");
  }

  private static void requireUsable(double[][] features, String role) {
    for (int i = 0; i < features.length; i++) {
      for (double value : features[i]) {
        if (!Double.isFinite(value)) {
          throw new LetheException(
              "Membership inference features of " + role + " sample " + i + " include " + value
                  + ": the model's outputs are not finite; check the model for divergence");
        }
      }
    }
  }

  private static void requireUsable(double[] feature, String role) {
    if (feature.length == 0) {
      throw new LetheException(
          "Membership inference needs at least one " + role + " sample, but the " + role
              + " set is empty");
    }
    for (int i = 0; i < feature.length; i++) {
      if (!Double.isFinite(feature[i])) {
        throw new LetheException(
            "Membership inference feature of " + role + " sample " + i + " is " + feature[i]
                + ": the model's outputs are not finite; check the model for divergence");
      }
    }
  }
}
