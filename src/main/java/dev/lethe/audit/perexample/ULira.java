package dev.lethe.audit.perexample;

import dev.lethe.audit.perexample.PairedMargins.Group;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * U-LiRA, the per-example unlearning likelihood-ratio attack (Hayes, Shumailov, Triantafillou, Khalifa and
 * Papernot, "Inexact Unlearning Needs More Careful Evaluations to Avoid a False Sense of Privacy", SaTML 2025,
 * arXiv 2403.01218). For each forget example x, U holds its margins under the audited (unlearned) models and
 * R under the retrained ones. Each model in turn is held out as the attacked model; Gaussians are fitted to
 * the rest of U and to R (or to U and the rest of R), and the attacker says "unlearned" when
 * {@code p_U(m) / (p_U(m) + p_R(m)) > ½}. The example's attack accuracy is {@code ½ (TPR + TNR)} over its
 * held-out models, i.e. the accuracy on a set where half the attacked models unlearned x and half never saw
 * it; 0.5 means indistinguishable from retraining, 1 means every model is told apart. The score is the mean
 * over forget examples, with its distribution and a seeded percentile-bootstrap interval over examples.
 *
 * <p>The test follows the DMM authors' U-LiRA port (RoyRin/data-unlearning-bench @09aa166,
 * {@code unlearning/auditors/ulira/compute_ulira_scores.py}, {@code single_ulira} and
 * {@code do_ulira_on_one_model}): Gaussians by {@code np.mean} and {@code np.std} (ddof 0), threshold ½,
 * strict. Compared as log-densities, so no density underflows; a standard deviation gets LiRA's
 * {@code + 1e-30} so a constant sample stays usable. The port trims both fit samples to the smaller one's size
 * (at most 300) and scores a target model over examples; here every margin is used and each example is scored
 * over its own held-out models, which is what makes the accuracy per example.
 *
 * <p>Small ensembles: a fit sample with fewer than {@link Options#ownVarianceFrom} (20) margins uses its
 * group's global standard deviation instead, LiRA's remedy for few shadow models. Global here is the pooled
 * within-example deviation, {@code sqrt(Σ_x Σ_j (v_xj − mean_x)² / Σ_x n_x)} over every forget example's full
 * U (or R) sample (the held-out margin is not removed from it; it is one of Σ n_x). LiRA's code instead pools
 * around the grand mean ({@code np.std(dat_out)}, tensorflow/privacy {@code research/mi_lira_2021/plot.py}),
 * which adds the spread between examples to every example's width; ours keeps the within-example width the
 * per-example fit estimates. The paper's text was not available to check its choice.
 */
public final class ULira implements MarginAudit<PairedMargins, ULira.Result> {
  /** The audit's name in messages. */
  public static final String NAME = "U-LiRA";
  /** Margins per group and example: one to hold out, one left to fit. */
  public static final int MIN_SAMPLES = 2;

  /** Every metric this audit reports, with its definition. */
  public static final Map<String, String> DEFINITIONS = describe();

  /** LiRA's guard against a zero standard deviation ({@code std + 1e-30}). */
  private static final double STD_GUARD = 1e-30;

  private final Options options;

  /**
   * U-LiRA settings.
   *
   * @param ownVarianceFrom the fit size from which a sample's own standard deviation is used (else its
   *     group's global one)
   * @param resamples bootstrap resamples of the examples
   * @param confidence the bootstrap interval's coverage, e.g. 0.95
   * @param seed the bootstrap's seed
   */
  public record Options(int ownVarianceFrom, int resamples, double confidence, long seed) {
    /** Checks the settings. */
    public Options {
      if (ownVarianceFrom < 2) {
        throw new IllegalArgumentException("U-LiRA's ownVarianceFrom must be at least 2, got " + ownVarianceFrom);
      }
      if (resamples < 1) {
        throw new IllegalArgumentException("U-LiRA needs at least 1 bootstrap resample, got " + resamples);
      }
      if (!(confidence > 0 && confidence < 1)) {
        throw new IllegalArgumentException("U-LiRA's confidence must be in (0, 1), got " + confidence);
      }
    }

    /** Own variance from 20 margins, 1,000 resamples, a 95 % interval, seed 0. */
    public static Options defaults() {
      return new Options(20, 1000, 0.95, 0);
    }
  }

  /** U-LiRA with {@code options}. */
  public ULira(Options options) {
    this.options = options;
  }

  @Override
  public Map<String, String> definitions() {
    return DEFINITIONS;
  }

  /** Attacks every {@link Group#FORGET} example of {@code margins}. */
  @Override
  public Result audit(PairedMargins margins) {
    int[] rows = margins.rows(Group.FORGET);
    PairedMargins forget = margins.select(rows);
    Samples.check(NAME, "unlearned", forget.candidate(), MIN_SAMPLES);
    Samples.check(NAME, "retrained", forget.reference(), MIN_SAMPLES);
    double globalU = pooledStd(forget.candidate());
    double globalR = pooledStd(forget.reference());
    double[] accuracy = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      double[] u = forget.candidate()[i];
      double[] r = forget.reference()[i];
      Gaussian allU = Gaussian.fit(u, globalU, options.ownVarianceFrom());
      Gaussian allR = Gaussian.fit(r, globalR, options.ownVarianceFrom());
      int caughtU = 0;
      for (int j = 0; j < u.length; j++) {
        if (saysUnlearned(u[j], Gaussian.fit(without(u, j), globalU, options.ownVarianceFrom()), allR)) {
          caughtU++;
        }
      }
      int caughtR = 0;
      for (int j = 0; j < r.length; j++) {
        if (!saysUnlearned(r[j], allU, Gaussian.fit(without(r, j), globalR, options.ownVarianceFrom()))) {
          caughtR++;
        }
      }
      accuracy[i] = 0.5 * ((double) caughtU / u.length + (double) caughtR / r.length);
    }
    double[] interval = bootstrap(accuracy);
    return new Result(rows, accuracy, Samples.mean(accuracy), interval[0], interval[1], options);
  }

  /** {@code p_U(m) / (p_U(m) + p_R(m)) > ½}, i.e. {@code ln p_U(m) > ln p_R(m)}. */
  private static boolean saysUnlearned(double m, Gaussian unlearned, Gaussian retrained) {
    return unlearned.logDensity(m) > retrained.logDensity(m);
  }

  /** A fitted normal distribution. */
  private record Gaussian(double mean, double std) {
    static Gaussian fit(double[] sample, double global, int ownFrom) {
      return new Gaussian(Samples.mean(sample), (sample.length >= ownFrom ? Samples.std(sample) : global) + STD_GUARD);
    }

    /** {@code ln N(m; mean, std)} up to the constant {@code −½ ln 2π}. */
    double logDensity(double m) {
      double z = (m - mean) / std;
      return -Math.log(std) - 0.5 * z * z;
    }
  }

  /** The pooled within-example standard deviation of {@code samples}. */
  private static double pooledStd(double[][] samples) {
    double ss = 0;
    long n = 0;
    for (double[] s : samples) {
      double m = Samples.mean(s);
      for (double v : s) {
        ss += (v - m) * (v - m);
      }
      n += s.length;
    }
    return Math.sqrt(ss / n);
  }

  private static double[] without(double[] x, int skip) {
    double[] out = new double[x.length - 1];
    for (int i = 0, k = 0; i < x.length; i++) {
      if (i != skip) {
        out[k++] = x[i];
      }
    }
    return out;
  }

  /**
   * The percentile-bootstrap interval of the mean accuracy: {@link Options#resamples} means of the examples
   * drawn with replacement from a {@code SplittableRandom} seeded with {@link Options#seed}, and their
   * {@code (1 ∓ confidence)/2} percentiles (NumPy linear).
   */
  private double[] bootstrap(double[] accuracy) {
    SplittableRandom random = new SplittableRandom(options.seed());
    double[] means = new double[options.resamples()];
    for (int b = 0; b < means.length; b++) {
      double sum = 0;
      for (int k = 0; k < accuracy.length; k++) {
        sum += accuracy[random.nextInt(accuracy.length)];
      }
      means[b] = sum / accuracy.length;
    }
    double[] sorted = Samples.sorted(means);
    double tail = 100 * (1 - options.confidence()) / 2;
    return new double[] {Samples.percentileOfSorted(sorted, tail), Samples.percentileOfSorted(sorted, 100 - tail)};
  }

  /**
   * Per forget example ({@code rows} index the input), its attack accuracy; their mean and its bootstrap
   * interval.
   */
  public record Result(int[] rows, double[] accuracy, double mean, double ciLow, double ciHigh, Options options)
      implements MarginAudit.Result {
    /** The {@code q}-th percentile (0–100, NumPy linear) of the per-example accuracies. */
    public double quantile(double q) {
      return Samples.percentile(accuracy, q);
    }

    @Override
    public Map<String, Double> metrics() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("ulira_accuracy", mean);
      m.put("ulira_accuracy_ci_low", ciLow);
      m.put("ulira_accuracy_ci_high", ciHigh);
      return m;
    }
  }

  private static Map<String, String> describe() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("ulira_accuracy", "U-LiRA (Hayes et al., SaTML 2025): mean over forget examples of the per-example attack accuracy "
        + "1/2 (TPR + TNR), each audited (unlearned) and each retrained model held out in turn and called unlearned when "
        + "N(m; U) > N(m; R) for Gaussians fitted to the other margins (a group-wide std for fits of fewer than 20 by default); "
        + "0.5 = indistinguishable "
        + "from retraining, 1 = always told apart");
    d.put("ulira_accuracy_ci_low", "lower end of the percentile-bootstrap interval of ulira_accuracy over the forget examples "
        + "(by default 95%, 1000 seeded resamples)");
    d.put("ulira_accuracy_ci_high", "upper end of the same interval");
    return Collections.unmodifiableMap(d);
  }
}
