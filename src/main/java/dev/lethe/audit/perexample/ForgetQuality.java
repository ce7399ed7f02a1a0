package dev.lethe.audit.perexample;

import dev.lethe.LetheException;
import dev.lethe.audit.perexample.PairedMargins.Group;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Forget quality F of the NeurIPS 2023 Machine Unlearning Challenge (Triantafillou et al., arXiv 2406.09073),
 * exactly as its official code computes it (google-deepmind/unlearning_evaluation @ffae0ff, {@code metric.py}
 * {@code compute_forget_score_from_confs}, {@code _get_epsilons}, {@code _get_single_threshold_rates},
 * {@code _get_double_threshold_rates}; the final score from {@code main.py}). Per forget example it compares
 * N unlearned and N retrained models:
 *
 * <ol>
 *   <li>Each margin m becomes the metric's logit-scaled confidence
 *       {@code φ = ln(σ(m) + 1e-45) − ln(σ(−m) + 1e-45)} ({@code compute_logit_scaled_confidence}: the true
 *       class's probability against the sum of the others, each floored at 1e-45): φ = m for |m| below ~90,
 *       saturating at ±103.6 as the official float computation does.
 *   <li>"Positive" is the side with the larger median (the retrained one only if strictly larger).
 *   <li>If the smaller range (max − min) over the larger is below 1 %, ε = 50.
 *   <li>Otherwise two rule families, thresholds 1/100 apart: one threshold t (positive when φ ≥ t; t from
 *       {@code linspace(min, max, ⌈100 (max − min)⌉)} over both samples) and two thresholds
 *       {@code t_l ≤ φ ≤ t_r} around the peakier sample (right ends {@code linspace(lo, hi, ⌈100 (hi − lo)⌉)}
 *       with {@code lo = min + w − 2}, {@code hi = max + 2} of that sample and w its range; for each right end,
 *       400 left ends {@code linspace(t_r − w − 2, t_r − w + 2, 400)}). A rule with FPR = FNR = 0 gives ε = ∞;
 *       one with exactly one of them 0 is
 *       discarded; any other gives {@code max(ln(1 − δ − FPR) − ln FNR, ln(1 − δ − FNR) − ln FPR)} (a NaN
 *       term ignored), at least 0, δ = 1e-5. ε of the example: the largest over rules, clipped to [0, 50].
 *   <li>Points: buckets [0, ½), [½, 1), … worth 1, ½, ¼, …, as long as a bucket ends at or below
 *       {@code ⌈ln(N − 1)⌉} (14 buckets for N = 512, 6 for N = 16); an ε beyond the last bucket scores 0.
 *       F is the mean of the points over forget examples, in [0, 1]; 1 = indistinguishable.
 *   <li>Final score = {@code F × (mean RA_unlearned / mean RA_retrained) × (mean TA_unlearned / mean TA_retrained)}.
 * </ol>
 *
 * <p>Where this differs from running {@code metric.py}: rates and ε are computed in double (the official
 * code has float32 rates, so an ε within ~1e-6 of a bucket edge can land in the neighbouring bucket);
 * thresholds use NumPy's {@code linspace} for both families ({@code torch.linspace} rounds the single family's
 * thresholds differently by at most an ulp); and an example no rule survives for (both samples one identical
 * constant, the only such case) gets ε = 0, where the official code means to stop at
 * {@code assert thr_eps} (as published that line raises NumPy's "truth value … is ambiguous" whenever the
 * array is empty or has more than one element, i.e. for almost every example, so its intent is taken).
 * All N per side must be equal, as in the official {@code [N, examples]} arrays; F's resolution is set by N,
 * so always report N ({@link Result#n()}) beside it.
 */
public final class ForgetQuality implements MarginAudit<PairedMargins, ForgetQuality.Result> {
  /** The audit's name in messages. */
  public static final String NAME = "forget quality";
  /** {@code DELTA} in metric.py. */
  public static final double DELTA = 1e-5;
  /** {@code EPSILON_CAP} in metric.py. */
  public static final double EPSILON_CAP = 50;
  /**
   * Models per side below which F cannot score: {@code ⌈ln(N − 1)⌉} is 0 for N = 2, leaving no bucket.
   */
  public static final int MIN_MODELS = 3;

  /** Every metric this audit reports, with its definition. */
  public static final Map<String, String> DEFINITIONS = describe();

  private static final int THRESHOLDS_PER_UNIT = 100;
  private static final double BUFFER = 2.0;
  private static final double BUCKET = 0.5;
  private static final double SPIKE_RATIO = 0.01;
  private static final double PROBABILITY_FLOOR = 1e-45;

  @Override
  public Map<String, String> definitions() {
    return DEFINITIONS;
  }

  /** F over the {@link Group#FORGET} examples: candidate = the N unlearned models, reference = the N retrained. */
  @Override
  public Result audit(PairedMargins margins) {
    int[] rows = margins.rows(Group.FORGET);
    PairedMargins forget = margins.select(rows);
    Samples.check(NAME, "unlearned", forget.candidate(), MIN_MODELS);
    Samples.check(NAME, "retrained", forget.reference(), MIN_MODELS);
    int n = forget.candidate()[0].length;
    for (int i = 0; i < rows.length; i++) {
      if (forget.candidate()[i].length != n || forget.reference()[i].length != n) {
        throw new LetheException(NAME + " needs the same number N of unlearned and retrained margins for every "
            + "example (metric.py's [N, examples] arrays), but forget example " + i + " has "
            + forget.candidate()[i].length + " and " + forget.reference()[i].length + " where example 0 has " + n
            + ": give it the same models for every example");
      }
    }
    double[] epsilons = new double[rows.length];
    double[] points = new double[rows.length];
    double sum = 0;
    for (int i = 0; i < rows.length; i++) {
      epsilons[i] = epsilon(confidences(forget.candidate()[i]), confidences(forget.reference()[i]));
      points[i] = points(epsilons[i], n);
      sum += points[i];
    }
    return new Result(rows, epsilons, points, sum / rows.length, n);
  }

  /** metric.py's logit-scaled confidence of each margin. */
  static double[] confidences(double[] margins) {
    double[] out = new double[margins.length];
    for (int i = 0; i < margins.length; i++) {
      double m = margins[i];
      out[i] = Math.log(Samples.sigmoid(m) + PROBABILITY_FLOOR) - Math.log(Samples.sigmoid(-m) + PROBABILITY_FLOOR);
    }
    return out;
  }

  /**
   * ε of one example from N unlearned and N retrained confidences ({@code _get_epsilons} for one column).
   *
   * @throws IllegalArgumentException if the two sides differ in size
   */
  static double epsilon(double[] unlearned, double[] retrained) {
    if (unlearned.length != retrained.length) {
      throw new IllegalArgumentException(unlearned.length + " unlearned but " + retrained.length + " retrained confidences");
    }
    boolean retrainedPositive = Samples.median(retrained) > Samples.median(unlearned);
    double[] pos = Samples.sorted(retrainedPositive ? retrained : unlearned);
    double[] neg = Samples.sorted(retrainedPositive ? unlearned : retrained);
    double posDiff = pos[pos.length - 1] - pos[0];
    double negDiff = neg[neg.length - 1] - neg[0];
    double largest = posDiff > negDiff ? posDiff : negDiff;
    double smallest = posDiff > negDiff ? negDiff : posDiff;
    // 0 / 0 is NaN and not below the ratio, as in NumPy: two constant samples go on to the rules.
    if (smallest / largest < SPIKE_RATIO) {
      return EPSILON_CAP;
    }
    Rates rates = new Rates(pos.length);
    doubleThreshold(pos, neg, posDiff, negDiff, rates);
    singleThreshold(pos, neg, rates);
    return Math.min(Math.max(rates.best(), 0), EPSILON_CAP);
  }

  /**
   * {@code _get_double_threshold_rates}: intervals around the peakier sample. The rates are counted on the
   * swapped sides as the official code does; ε is symmetric in FPR and FNR, so the swap does not change it.
   */
  private static void doubleThreshold(double[] pos, double[] neg, double posDiff, double negDiff, Rates rates) {
    double width = posDiff > negDiff ? negDiff : posDiff;
    if (posDiff >= negDiff) {
      double[] t = pos;
      pos = neg;
      neg = t;
    }
    double min = pos[0] + width - BUFFER;
    double max = pos[pos.length - 1] + BUFFER;
    double[] right = Klom.linspace(min, max, (int) Math.ceil((max - min) * THRESHOLDS_PER_UNIT));
    int numLeft = (int) Math.ceil(2 * BUFFER * THRESHOLDS_PER_UNIT);
    for (double r : right) {
      double[] left = Klom.linspace(r - width - BUFFER, r - width + BUFFER, numLeft);
      int posAtMost = Samples.countAtMost(pos, r);
      int negAtMost = Samples.countAtMost(neg, r);
      // The left ends ascend, so the counts below them only grow: walk them with a pointer per side.
      int posBelow = Samples.countBelow(pos, left[0]);
      int negBelow = Samples.countBelow(neg, left[0]);
      for (double l : left) {
        while (posBelow < pos.length && pos[posBelow] < l) {
          posBelow++;
        }
        while (negBelow < neg.length && neg[negBelow] < l) {
          negBelow++;
        }
        int tp = Math.max(0, posAtMost - posBelow);
        int fp = Math.max(0, negAtMost - negBelow);
        rates.add(fp, pos.length - tp);
      }
    }
  }

  /** {@code _get_single_threshold_rates}: positive when φ ≥ t. */
  private static void singleThreshold(double[] pos, double[] neg, Rates rates) {
    double min = Math.min(pos[0], neg[0]);
    double max = Math.max(pos[pos.length - 1], neg[neg.length - 1]);
    int num = (int) Math.ceil((max - min) * THRESHOLDS_PER_UNIT);
    if (num <= 0) {
      return;
    }
    for (double t : Klom.linspace(min, max, num)) {
      int tp = pos.length - Samples.countBelow(pos, t);
      int fp = neg.length - Samples.countBelow(neg, t);
      rates.add(fp, pos.length - tp);
    }
  }

  /**
   * The distinct (false positives, false negatives) counts the rules produced. ε of a rule depends on nothing
   * else, so each pair is evaluated once however many of the ~160,000 rules produce it.
   */
  private static final class Rates {
    private final int n;
    private final boolean[][] seen;

    Rates(int n) {
      this.n = n;
      this.seen = new boolean[n + 1][n + 1];
    }

    void add(int falsePositives, int falseNegatives) {
      seen[falsePositives][falseNegatives] = true;
    }

    /** The largest ε over the surviving rules; 0 if none survives. */
    double best() {
      double best = Double.NaN;
      for (int fp = 0; fp <= n; fp++) {
        for (int fn = 0; fn <= n; fn++) {
          if (seen[fp][fn]) {
            double e = ruleEpsilon((double) fp / n, (double) fn / n);
            if (!Double.isNaN(e) && !(e <= best)) {
              best = e;
            }
          }
        }
      }
      return Double.isNaN(best) ? 0 : best;
    }
  }

  /** ε of one rule: ∞ for perfect separation, NaN (discarded) when exactly one rate is 0. */
  static double ruleEpsilon(double fpr, double fnr) {
    if (fpr == 0 && fnr == 0) {
      return Double.POSITIVE_INFINITY;
    }
    if (fpr == 0 || fnr == 0) {
      return Double.NaN;
    }
    double a = Math.log(1 - DELTA - fpr) - Math.log(fnr);
    double b = Math.log(1 - DELTA - fnr) - Math.log(fpr);
    double e = Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    return Double.isNaN(e) ? e : Math.max(e, 0);
  }

  /** The points of {@code epsilon} for N models: 1, ½, ¼, … per bucket of width ½ below ⌈ln(N − 1)⌉. */
  static double points(double epsilon, int n) {
    double maxEpsilon = Math.ceil(Math.log(n - 1));
    double start = 0;
    double value = 1;
    while (start + BUCKET <= maxEpsilon) {
      if (epsilon < start + BUCKET) {
        return value;
      }
      value /= 2;
      start += BUCKET;
    }
    return 0;
  }

  /** Per-model accuracies (any unit, the same on both sides) behind the final score's utility ratios. */
  public record Utility(double[] retainUnlearned, double[] retainRetrained, double[] testUnlearned,
      double[] testRetrained) {}

  /** Per forget example ({@code rows} index the input), its ε and points; F and N. */
  public record Result(int[] rows, double[] epsilons, double[] points, double f, int n) implements MarginAudit.Result {
    /**
     * {@code F × (mean RA_unlearned / mean RA_retrained) × (mean TA_unlearned / mean TA_retrained)}, as
     * {@code main.py} reports it.
     *
     * @throws LetheException if an accuracy list is empty or not finite, or a retrained mean is 0
     */
    public double finalScore(Utility utility) {
      return f * ratio("retain", utility.retainUnlearned(), utility.retainRetrained())
          * ratio("test", utility.testUnlearned(), utility.testRetrained());
    }

    private static double ratio(String split, double[] unlearned, double[] retrained) {
      for (double[] side : new double[][] {unlearned, retrained}) {
        if (side.length == 0) {
          throw new LetheException(NAME + ": the final score needs the " + split
              + " accuracy of every unlearned and retrained model, got none for one side");
        }
        Samples.requireFinite(NAME, split + " accuracies", side);
      }
      double reference = Samples.mean(retrained);
      if (reference == 0) {
        throw new LetheException(NAME + ": the retrained models' mean " + split
            + " accuracy is 0, so the final score's ratio is undefined; check the retrained models");
      }
      return Samples.mean(unlearned) / reference;
    }

    @Override
    public Map<String, Double> metrics() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("forget_quality", f);
      m.put("forget_quality_n", (double) n);
      return m;
    }
  }

  private static Map<String, String> describe() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("forget_quality", "F of the NeurIPS 2023 unlearning challenge (google-deepmind/unlearning_evaluation metric.py): per "
        + "forget example, epsilon of the best single- or double-threshold rule telling N unlearned from N retrained "
        + "models by logit-scaled confidence (delta 1e-5, capped at 50, 50 for a spike); points 1, 1/2, 1/4, ... per "
        + "bucket of width 0.5 up to ceil(ln(N-1)); F = mean points in [0, 1], 1 = indistinguishable");
    d.put("forget_quality_n", "N, the unlearned (and retrained) models per forget example behind forget_quality; F's "
        + "resolution depends on it, so it is always reported beside F");
    d.put("forget_quality_final", "the challenge's final score: forget_quality x (mean RA unlearned / mean RA retrained) "
        + "x (mean TA unlearned / mean TA retrained)");
    return Collections.unmodifiableMap(d);
  }
}
