package dev.lethe.audit;

import dev.lethe.data.ForgetTask;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures an unlearned model against the retrained reference ({@link RetrainReference}): accuracies, membership
 * inference and output divergences, each defined once in {@link #DEFINITIONS}, into one {@link AuditResult}.
 * Accuracies and attack rates are percentages (0-100). A model whose outputs are not finite is flagged
 * ({@code outputs_finite} = 0) and gets NaN for the metrics that need finite outputs instead of crashing the audit.
 */
public final class Audit {
  /** The metrics Avg Gap averages over, as in SalUn and SFR-on. */
  public static final List<String> GAP_METRICS =
      List.of("forget_acc", "retain_acc", "test_acc", "mia_efficacy");

  /**
   * The cap on shadow members and non-members for the SVC attack: SalUn uses |test| = 10,000 of each; an
   * RBF SVC on 2 x 10,000 near-identical confidences takes 10-18 s here, 2 x 5,000 about 4 s.
   */
  public static final int SVC_SHADOW_CAP = 5000;

  /** Every metric name with its one definition. */
  public static final Map<String, String> DEFINITIONS = definitions();

  private Audit() {}

  /**
   * Audits {@code candidate} on {@code task} against the retrained reference: every metric, and Avg Gap to RT's
   * own audit.
   */
  public static AuditResult audit(SplitLogits candidate, ForgetTask task, RetrainReference reference) {
    AuditResult result = measure(candidate, task, reference.logits());
    return result.withAvgGap(result.gapTo(reference.result()));
  }

  /**
   * Every metric of {@code candidate} on {@code task} against {@code reference} (RT's logits; the candidate
   * itself to audit RT), Avg Gap NaN until it is known.
   */
  static AuditResult measure(SplitLogits candidate, ForgetTask task, SplitLogits reference) {
    double forgetAcc = ClassificationMetrics.accuracyPercent(candidate.forget(), task.forget().labels());
    double retainAcc = ClassificationMetrics.accuracyPercent(candidate.retain(), task.retain().labels());
    double testAcc = ClassificationMetrics.accuracyPercent(candidate.test(), task.test().labels());
    boolean finite = candidate.finite();
    float[][] pf = Softmax.probabilities(candidate.forget());
    float[][] pr = Softmax.probabilities(candidate.retain());
    float[][] pt = Softmax.probabilities(candidate.test());
    double miaEfficacy = Double.NaN;
    double miaEntropy = Double.NaN;
    if (finite) {
      miaEfficacy = svcEfficacy(pf, pr, pt, task);
      miaEntropy = MembershipInference.logisticMemberRate(
          MembershipFeatures.entropy(pr), MembershipFeatures.entropy(pt), MembershipFeatures.entropy(pf));
    }
    float[][] rf = Softmax.probabilities(reference.forget());
    float[][] rt = Softmax.probabilities(reference.test());
    double klForget = Divergences.meanKl(rf, pf);
    double klRetain = Divergences.meanKl(Softmax.probabilities(reference.retain()), pr);
    double klTest = Divergences.meanKl(rt, pt);
    double jsForget = Divergences.meanJs(rf, pf);
    double jsTest = Divergences.meanJs(rt, pt);
    Optional<AuditResult.ClassMetrics> classMetrics = task.forgetClasses().length > 0
        ? Optional.of(classMetrics(candidate, task, reference, rf, pf))
        : Optional.empty();
    return new AuditResult(forgetAcc, retainAcc, testAcc, finite, miaEfficacy, miaEntropy, klForget, klRetain,
        klTest, jsForget, jsTest, classMetrics, Double.NaN);
  }

  /**
   * The class-forgetting metrics (TRW, arXiv 2506.20893): TV to RT on the forget set and on the forgotten
   * classes' test images, and MIA-NN (for a single forgotten class; NaN for non-finite outputs).
   */
  private static AuditResult.ClassMetrics classMetrics(SplitLogits candidate, ForgetTask task,
      SplitLogits reference, float[][] rf, float[][] pf) {
    int[] classes = task.forgetClasses();
    return new AuditResult.ClassMetrics(
        Divergences.meanTv(rf, pf),
        Divergences.meanTv(
            Softmax.probabilities(reference.testForgotten()), Softmax.probabilities(candidate.testForgotten())),
        candidate.finite() && classes.length == 1
            ? NeighbourMembership.score(candidate.forget(), candidate.testForgotten(), classes[0])
            : Double.NaN);
  }

  private static double svcEfficacy(float[][] pf, float[][] pr, float[][] pt, ForgetTask task) {
    SvcShadow shadow = svcShadow(pr, task.retain().labels(), pt, task.test().labels());
    return MembershipInference.svcEfficacy(
        shadow.members(), shadow.nonMembers(), MembershipFeatures.confidence(pf, task.forget().labels()));
  }

  /** The true-class confidences the SVC attack is fit on: members (label 1) and non-members (label 0). */
  record SvcShadow(double[] members, double[] nonMembers) {}

  /**
   * SalUn's shadow sets ({@code SVC_MIA}): the first n retain samples (members) and the first n test samples
   * (non-members), n = min(|retain|, |test|, {@link #SVC_SHADOW_CAP}), a fixed prefix in split order rather
   * than a random draw. SalUn's code takes |test| retain samples and never meets a retain set smaller than
   * the test split; on such small pools n = |retain| keeps the two classes balanced, because an RBF SVC fit
   * on more non-members than members at a chance-level feature turns into the constant "non-member"
   * classifier and reports MIA-efficacy 100 (SISA's shard vote on 1,800 retain samples, BENCHMARKS.md).
   */
  static SvcShadow svcShadow(float[][] retainProbs, int[] retainLabels, float[][] testProbs, int[] testLabels) {
    int n = Math.min(Math.min(retainProbs.length, testProbs.length), SVC_SHADOW_CAP);
    return new SvcShadow(
        MembershipFeatures.confidence(Arrays.copyOf(retainProbs, n), Arrays.copyOf(retainLabels, n)),
        MembershipFeatures.confidence(Arrays.copyOf(testProbs, n), Arrays.copyOf(testLabels, n)));
  }

  private static Map<String, String> definitions() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("forget_acc", "FA: top-1 accuracy (%) on the forget set; the target is RT's value, not 0, for random forgetting");
    d.put("retain_acc", "RA: top-1 accuracy (%) on the retain set");
    d.put("test_acc", "TA: top-1 accuracy (%) on the test split without the forgotten classes (SalUn's class-wise convention)");
    d.put("mia_efficacy", "SalUn's MIA-Efficacy: RBF SVC (C=3, gamma=1) on true-class confidence, fit on the first n retain samples (members) vs the first n test samples (non-members), n = min(|retain|, |test|, "
        + SVC_SHADOW_CAP + "); % of forget samples predicted non-member");
    d.put("mia_entropy_member_rate", "SFR-on's MIA: balanced logistic regression on softmax entropy, all retain (members) vs test (non-members); % of forget samples predicted member");
    d.put("kl_to_retrain_forget", "mean KL(p_RT || p_model) of softmax outputs over the forget set, epsilon 1e-20 inside the logs");
    d.put("kl_to_retrain_retain", "the same over the retain set");
    d.put("kl_to_retrain_test", "the same over the test split");
    d.put("js_to_retrain_forget", "mean Jensen-Shannon divergence to RT's outputs over the forget set (bounded by ln 2)");
    d.put("js_to_retrain_test", "the same over the test split");
    d.put("tv_to_retrain_forget", "class tasks only: mean total-variation distance 1/2 sum_j |p_model(j|x) - p_RT(j|x)| over the forget set (TRW v1's metric, 0 = RT's outputs, 1 = disjoint)");
    d.put("tv_to_retrain_forget_test", "class tasks only: the same over the forgotten class's test images");
    d.put("mia_nn", "class tasks only; a reconstruction of TRW's MIA-NN (arXiv 2506.20893, known from its abstract and reviews): "
        + "balanced accuracy (%) of a standardised RBF SVC (C=3) telling the forgotten class's train images from its test images "
        + "by the model's softmax probabilities of the other K-1 classes (forgotten column dropped, not renormalised), on " + NeighbourMembership.FOLDS
        + " held-out folds of a balanced seeded subsample; ~50 = indistinguishable (RT), higher = membership leaks through the neighbouring classes");
    d.put("outputs_finite", "1 if every logit on every split is finite, else 0 (the MIA metrics are then NaN)");
    d.put("avg_gap", "Avg Gap: mean |metric - RT's metric| over forget_acc, retain_acc, test_acc, mia_efficacy (same seed)");
    d.put("seconds", "wall-clock seconds of the method, including its own preparation, excluding the audit; RT: its training time");
    d.put("rte", "seconds / RT's seconds for the same scenario and seed");
    return d;
  }
}
