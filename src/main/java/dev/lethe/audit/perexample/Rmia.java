package dev.lethe.audit.perexample;

import dev.lethe.LetheException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Offline RMIA (Zarifzadeh, Liu and Shokri, "Low-Cost High-Power Membership Inference Attacks", ICML 2024)
 * as ml_privacy_meter implements it (privacytrustlab/ml_privacy_meter, {@code modules/mia/attacks/rmia.py},
 * {@code run_rmia} and {@code tune_offline_a}). The signal is the target model's probability of the true
 * class, {@code p(x|θ) = σ(m)} for margin m. With the mean {@code mean_out(x)} of that probability over
 * reference models that never trained on x,
 *
 * <pre>
 *   p(x) ≈ (1 + a)/2 · mean_out(x) + (1 − a)/2,   LR(x, z) = [p(x|θ) / p(x)] / [p(z|θ) / p(z)],
 *   score(x) = fraction of population examples z with LR(x, z) &gt; γ = 1,
 * </pre>
 *
 * the population being held-out examples with the same reference treatment. Members are forget examples,
 * non-members held-out ones; reported are ROC AUC and TPR at 1 % and 0.1 % FPR of the scores ({@link Roc}).
 *
 * <p>{@code a} is tuned as {@code tune_offline_a} does: a ∈ {0, 0.1, …, 1.0}, each used to attack a paired
 * reference model whose members are known, keeping the first a of highest AUC (a = 0 if none is above 0).
 * {@code tune_offline_a} reads the population through the target model in one version of the code and through
 * the paired model in the other ({@code attacks.py}); here the paired model's own population margins are
 * used, so tuning never looks at the target. All OUT references of an example are averaged (the code sorts
 * the IN-masked signals and averages the K largest, K half the reference models by default). The ratios are computed in probability space as the code computes them, and
 * {@code LR > 1} is decided as {@code ratio_x > ratio_z} (for positive doubles the same test as the code's
 * {@code ratio_x / ratio_z > 1.0}), so exact ties count as the code counts them.
 */
public final class Rmia implements MarginAudit<Rmia.Input, Rmia.Result> {
  /** The audit's name in messages. */
  public static final String NAME = "RMIA";

  /** Every metric this audit reports, with its definition. */
  public static final Map<String, String> DEFINITIONS = describe();

  /** {@code np.arange(0, 1.1, 0.1)}: a = i · 0.1 for i = 0..10. */
  private static final int GRID = 11;

  private final double fixedA;

  /**
   * One attacked model: its {@link AttackMargins}, its margins on the population and, per population
   * example, the reference models' margins.
   */
  public record Case(AttackMargins attack, double[] population, double[][] populationReference) {
    /** Checks that each population example has its reference row. */
    public Case {
      if (population.length != populationReference.length) {
        throw new IllegalArgumentException(population.length + " population margins but "
            + populationReference.length + " reference rows");
      }
    }

    void check() {
      attack.check(NAME, 1);
      if (population.length == 0) {
        throw new LetheException(NAME + " needs at least one population example (held-out data the attack compares "
            + "against): pass the models' margins on held-out examples");
      }
      Samples.requireFinite(NAME, "target's population margins", population);
      Samples.check(NAME, "population reference", populationReference, 1);
    }
  }

  /**
   * The attacked model and, for tuning {@code a}, a paired reference model attacked the same way (its
   * members known); {@code paired} may be null when {@code a} is fixed.
   */
  public record Input(Case target, Case paired) {}

  private Rmia(double fixedA) {
    this.fixedA = fixedA;
  }

  /** RMIA that tunes {@code a} on the input's paired model. */
  public static Rmia tuned() {
    return new Rmia(Double.NaN);
  }

  /** RMIA with a fixed {@code a} in [0, 1] (ml_privacy_meter's CIFAR-10 research config uses 0.33). */
  public static Rmia withA(double a) {
    if (!(a >= 0 && a <= 1)) {
      throw new IllegalArgumentException("RMIA's a must be in [0, 1], got " + a);
    }
    return new Rmia(a);
  }

  @Override
  public Map<String, String> definitions() {
    return DEFINITIONS;
  }

  @Override
  public Result audit(Input input) {
    input.target().check();
    double a = fixedA;
    if (Double.isNaN(a)) {
      if (input.paired() == null) {
        throw new LetheException(NAME + " tunes a on a paired reference model, but none was given: pass one, or fix a");
      }
      input.paired().check();
      a = tune(input.paired());
    }
    double[][] scores = scores(input.target(), a);
    return new Result(scores[0], scores[1], a);
  }

  /** The first a on the grid with the highest AUC against the paired model (0 if none exceeds 0). */
  static double tune(Case paired) {
    double best = 0;
    double bestAuc = 0;
    for (int i = 0; i < GRID; i++) {
      double a = i * 0.1;
      double[][] s = scores(paired, a);
      double auc = Roc.auc(s[0], s[1]);
      if (auc > bestAuc) {
        bestAuc = auc;
        best = a;
      }
    }
    return best;
  }

  /** Scores of members and non-members for {@code a}. */
  static double[][] scores(Case c, double a) {
    double[] z = Samples.sorted(ratios(c.population(), c.populationReference(), a));
    AttackMargins m = c.attack();
    return new double[][] {fractionBelow(ratios(m.members(), m.memberReference(), a), z),
        fractionBelow(ratios(m.nonMembers(), m.nonMemberReference(), a), z)};
  }

  /** {@code p(x|θ) / p(x)} per example. */
  private static double[] ratios(double[] target, double[][] reference, double a) {
    double[] out = new double[target.length];
    for (int i = 0; i < target.length; i++) {
      double meanOut = 0;
      for (double r : reference[i]) {
        meanOut += Samples.sigmoid(r);
      }
      meanOut /= reference[i].length;
      out[i] = Samples.sigmoid(target[i]) / ((1 + a) / 2 * meanOut + (1 - a) / 2);
    }
    return out;
  }

  private static double[] fractionBelow(double[] x, double[] sortedZ) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (double) Samples.countBelow(sortedZ, x[i]) / sortedZ.length;
    }
    return out;
  }

  /** Scores of members and non-members (fractions of the population beaten), the a used, ROC summaries. */
  public record Result(double[] memberScores, double[] nonMemberScores, double a) implements MarginAudit.Result, AttackScores {
    @Override
    public Map<String, Double> metrics() {
      Map<String, Double> m = rocMetrics("rmia");
      m.put("rmia_offline_a", a);
      return m;
    }
  }

  private static Map<String, String> describe() {
    String attack = "offline RMIA (Zarifzadeh et al., ICML 2024; ml_privacy_meter): score(x) = fraction of held-out "
        + "population z with [p(x)/P(x)] / [p(z)/P(z)] > 1, p = the model's true-class probability, P = (1+a)/2 mean_out + "
        + "(1-a)/2 over reference models that never trained on the example";
    Map<String, String> d = new LinkedHashMap<>();
    d.put("rmia_auc", "ROC AUC of " + attack + ", members = forget examples vs non-members = held-out examples (0.5 = chance; "
        + "compare with the retrained model's value)");
    d.put("rmia_tpr_at_1pct_fpr", "TPR of the same attack at FPR <= 1% (largest over thresholds)");
    d.put("rmia_tpr_at_0_1pct_fpr", "TPR of the same attack at FPR <= 0.1%");
    d.put("rmia_offline_a", "the a used: tuned on a paired reference model over 0, 0.1, ..., 1 for the highest AUC");
    return Collections.unmodifiableMap(d);
  }
}
