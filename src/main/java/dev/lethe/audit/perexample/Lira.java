package dev.lethe.audit.perexample;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Offline LiRA (Carlini, Chien, Nasr, Song, Terzis and Tramèr, "Membership Inference Attacks From First
 * Principles", IEEE S&amp;P 2022): for each example, a Gaussian N(μ_out, σ_out²) of its margin under reference
 * models that never trained on it, and the one-sided test of the paper's offline variant,
 * {@code Λ = Pr[Z ≤ m]} for Z ~ N(μ_out, σ_out²) and the target's margin m. Members are forget examples
 * (trained on, then unlearned), non-members held-out examples; the attack reports ROC AUC and TPR at 1 % and
 * 0.1 % FPR of telling them apart by Λ ({@link Roc}).
 *
 * <p>The fit follows the official code (tensorflow/privacy {@code research/mi_lira_2021/plot.py},
 * {@code generate_ours_offline}): μ_out is the median of the OUT margins, σ_out their {@code np.std}
 * (ddof 0) {@code + 1e-30}, or with {@link Options#globalVariance} one σ for all examples, {@code np.std} of
 * every OUT margin of every audited example pooled (its {@code fix_variance}); the code keeps each example's
 * first {@code min_x n_x} OUT margins, this uses all of them. Two departures: the code scores by the Gaussian
 * log-density, a two-sided test, where the paper's offline attack (and this) is one-sided, so a margin far
 * <em>below</em> what OUT models give (an over-forgotten example) is not taken for a member; and examples are
 * ranked by {@code z = (m − μ_out) / σ_out}, of which Λ = Φ(z) is increasing, so strong members do not tie
 * at Λ = 1 in double precision. With a global σ the ranking is that of {@code m − μ_out}, whatever σ is.
 */
public final class Lira implements MarginAudit<AttackMargins, Lira.Result> {
  /** The audit's name in messages. */
  public static final String NAME = "LiRA";

  /** Every metric this audit reports, with its definition. */
  public static final Map<String, String> DEFINITIONS = describe();

  private static final double STD_GUARD = 1e-30;

  private final Options options;

  /** LiRA settings: one σ for all examples (the variant for few reference models) or one per example. */
  public record Options(boolean globalVariance) {
    /**
     * The global variance, LiRA's variant for few reference models (its code's {@code fix_variance}): the
     * ensembles this machine affords give each example tens of OUT margins at most.
     */
    public static Options defaults() {
      return new Options(true);
    }

    /** OUT margins each example needs: 2 for its own σ, 1 with the global one. */
    public int minReference() {
      return globalVariance ? 1 : 2;
    }
  }

  /** LiRA with {@code options}. */
  public Lira(Options options) {
    this.options = options;
  }

  @Override
  public Map<String, String> definitions() {
    return DEFINITIONS;
  }

  @Override
  public Result audit(AttackMargins margins) {
    margins.check(NAME, options.minReference());
    double global = options.globalVariance()
        ? pooledStd(margins.memberReference(), margins.nonMemberReference()) + STD_GUARD : Double.NaN;
    double[] members = scores(margins.members(), margins.memberReference(), global);
    double[] nonMembers = scores(margins.nonMembers(), margins.nonMemberReference(), global);
    return new Result(members, nonMembers);
  }

  private static double[] scores(double[] target, double[][] reference, double global) {
    double[] z = new double[target.length];
    for (int i = 0; i < target.length; i++) {
      double std = Double.isNaN(global) ? Samples.std(reference[i]) + STD_GUARD : global;
      z[i] = (target[i] - Samples.median(reference[i])) / std;
    }
    return z;
  }

  /** {@code np.std} of every value of every row of both sides together. */
  private static double pooledStd(double[][] a, double[][] b) {
    double sum = 0;
    long n = 0;
    for (double[][] side : new double[][][] {a, b}) {
      for (double[] row : side) {
        for (double v : row) {
          sum += v;
          n++;
        }
      }
    }
    double mean = sum / n;
    double ss = 0;
    for (double[][] side : new double[][][] {a, b}) {
      for (double[] row : side) {
        for (double v : row) {
          ss += (v - mean) * (v - mean);
        }
      }
    }
    return Math.sqrt(ss / n);
  }

  /** The attack's scores {@code z = (m − μ_out) / σ_out} on members and non-members, and their ROC summaries. */
  public record Result(double[] memberScores, double[] nonMemberScores) implements MarginAudit.Result, AttackScores {
    @Override
    public Map<String, Double> metrics() {
      return rocMetrics("lira");
    }
  }

  private static Map<String, String> describe() {
    String attack = "offline LiRA (Carlini et al., S&P 2022) on the margin: one-sided Pr[Z <= m], Z ~ N(median, std) of "
        + "the example's margins under reference models that never trained on it (one std pooled over all examples by default)";
    Map<String, String> d = new LinkedHashMap<>();
    d.put("lira_auc", "ROC AUC of " + attack + ", members = forget examples vs non-members = held-out examples (0.5 = "
        + "chance; compare with the retrained model's value)");
    d.put("lira_tpr_at_1pct_fpr", "TPR of the same attack at FPR <= 1% (largest over thresholds)");
    d.put("lira_tpr_at_0_1pct_fpr", "TPR of the same attack at FPR <= 0.1%");
    return Collections.unmodifiableMap(d);
  }
}
