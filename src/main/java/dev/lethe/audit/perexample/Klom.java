package dev.lethe.audit.perexample;

import dev.lethe.audit.perexample.PairedMargins.Group;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * KLoM, the KL divergence of margins (Georgiev et al., "Attribute-to-Delete: Machine Unlearning via Datamodel
 * Matching", ICLR 2025, §E.1): per example, the KL divergence between the distribution of its margin over
 * the audited models and over the retrained models, estimated from histograms. It follows EasyDUB
 * (RoyRin/data-unlearning-bench, {@code unlearning_bench/eval.py}, {@code compute_binned_KL_div} and
 * {@code kl_from_margins}):
 *
 * <ol>
 *   <li>clip both samples to [−{@code clip}, {@code clip}] (100);
 *   <li>cut [min, max] of the pooled clipped values into {@code bins} (20) equal bins (edges NumPy's
 *       {@code linspace}; a constant pool gets [v, v + 1]); a value on an inner edge falls in the bin to its
 *       right, the pooled maximum in the last bin;
 *   <li>turn each side's counts into probabilities p and q; where p > 0, raise q to at least ε = 1e-5;
 *       renormalise q (scipy's {@code entropy} does) and take {@code Σ_{p>0} p ln(p / q)}.
 * </ol>
 *
 * <p>Both directions are kept. The reported one is {@code KL(retrained ‖ audited)}, the direction EasyDUB's
 * benchmark runner computes ({@code run.py}, {@code load_klom}: {@code kl_from_margins(oracle_margins,
 * margins)}); {@code KL(audited ‖ retrained)} is what {@code kl_from_margins}'s own argument names describe.
 * A side whose mass falls where the other has none scores about {@code ln(1/ε) ≈ 11.5}; two samples with the
 * same histogram score 0.
 *
 * <p>One departure: EasyDUB bins with {@code np.digitize}, which puts a value equal to the last edge (the
 * pooled maximum) in no bin at all, so every sample at the maximum is dropped, and two disjoint constant
 * samples give 0 or NaN depending on which lies above. Here the maximum belongs to the last bin, as in
 * {@code np.histogram}.
 *
 * <p>Group summaries are the 95th percentile and the median over the group's examples (NumPy's default
 * linear interpolation, as the KLoM papers' {@code np.percentile(res, 95)}); 0 means indistinguishable from
 * retraining. With small ensembles most of 20 bins are empty and the ε floor dominates:
 * {@link Options#fewBins(int)} uses about √N bins instead.
 */
public final class Klom implements MarginAudit<PairedMargins, Klom.Result> {
  /** The audit's name in messages. */
  public static final String NAME = "KLoM";
  /** Margins per side and example below which a histogram is not a distribution. */
  public static final int MIN_SAMPLES = 2;

  /** Every metric this audit reports, with its definition. */
  public static final Map<String, String> DEFINITIONS = describe();

  private final Options options;

  /** Histogram settings. */
  public record Options(int bins, double epsilon, double clip) {
    /** Checks the settings. */
    public Options {
      if (bins < 1) {
        throw new IllegalArgumentException("KLoM needs at least 1 bin, got " + bins);
      }
      if (!(epsilon > 0 && epsilon < 1)) {
        throw new IllegalArgumentException("KLoM's epsilon must be in (0, 1), got " + epsilon);
      }
      if (!(clip > 0)) {
        throw new IllegalArgumentException("KLoM's clip must be positive, got " + clip);
      }
    }

    /** EasyDUB's settings: 20 bins, ε = 1e-5, margins clipped to ±100. */
    public static Options easyDub() {
      return new Options(20, 1e-5, 100);
    }

    /**
     * EasyDUB's ε and clip with {@code max(2, round(√n))} bins (at most 20) for {@code n} models per side:
     * 4 bins for 16, 5 for 25, so that a histogram of a small ensemble is not mostly empty bins.
     */
    public static Options fewBins(int n) {
      int bins = (int) Math.max(2, Math.min(20, Math.round(Math.sqrt(n))));
      return new Options(bins, 1e-5, 100);
    }
  }

  /** KLoM with {@code options}. */
  public Klom(Options options) {
    this.options = options;
  }

  @Override
  public Map<String, String> definitions() {
    return DEFINITIONS;
  }

  /** Per example, KLoM in both directions, and the input's groups for the summaries. */
  @Override
  public Result audit(PairedMargins margins) {
    Samples.check(NAME, "audited", margins.candidate(), MIN_SAMPLES);
    Samples.check(NAME, "retrained", margins.reference(), MIN_SAMPLES);
    int n = margins.groups().length;
    double[] retrainedToAudited = new double[n];
    double[] auditedToRetrained = new double[n];
    for (int i = 0; i < n; i++) {
      double[][] probs = histograms(margins.reference()[i], margins.candidate()[i], options);
      retrainedToAudited[i] = kl(probs[0], probs[1], options.epsilon());
      auditedToRetrained[i] = kl(probs[1], probs[0], options.epsilon());
    }
    return new Result(retrainedToAudited, auditedToRetrained, margins.groups().clone(), options);
  }

  /**
   * {@code KL(p ‖ q)} of the binned samples {@code p} and {@code q} (EasyDUB's
   * {@code compute_binned_KL_div(p, q)} with the last-bin fix), in nats.
   */
  public static double divergence(double[] p, double[] q, Options options) {
    double[][] probs = histograms(p, q, options);
    return kl(probs[0], probs[1], options.epsilon());
  }

  /** The two samples' bin probabilities over the bins of their pooled clipped range. */
  private static double[][] histograms(double[] a, double[] b, Options o) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] side : new double[][] {a, b}) {
      for (double v : side) {
        double c = clip(v, o.clip());
        lo = Math.min(lo, c);
        hi = Math.max(hi, c);
      }
    }
    if (lo >= hi) {
      hi = lo + 1;
    }
    double[] edges = linspace(lo, hi, o.bins() + 1);
    return new double[][] {probabilities(a, edges, o), probabilities(b, edges, o)};
  }

  /** NumPy's {@code linspace(start, stop, num)}: {@code start + i·step}, the last value exactly {@code stop}. */
  static double[] linspace(double start, double stop, int num) {
    double[] out = new double[num];
    if (num == 1) {
      out[0] = start;
      return out;
    }
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; i++) {
      out[i] = i * step + start;
    }
    out[num - 1] = stop;
    return out;
  }

  private static double[] probabilities(double[] sample, double[] edges, Options o) {
    int bins = edges.length - 1;
    double[] counts = new double[bins];
    for (double v : sample) {
      // np.digitize's bin: the number of edges ≤ v, minus one; the last edge joins the last bin.
      int bin = Math.min(Samples.countAtMost(edges, clip(v, o.clip())) - 1, bins - 1);
      counts[bin]++;
    }
    for (int k = 0; k < bins; k++) {
      counts[k] /= sample.length;
    }
    return counts;
  }

  private static double kl(double[] p, double[] q, double epsilon) {
    double[] safe = new double[q.length];
    double total = 0;
    for (int k = 0; k < q.length; k++) {
      safe[k] = p[k] > 0 ? Math.max(q[k], epsilon) : q[k];
      total += safe[k];
    }
    double kl = 0;
    for (int k = 0; k < p.length; k++) {
      if (p[k] > 0) {
        kl += p[k] * Math.log(p[k] / (safe[k] / total));
      }
    }
    return kl;
  }

  private static double clip(double v, double bound) {
    return Math.max(-bound, Math.min(bound, v));
  }

  /** A group's 95th percentile and median of per-example KLoM, and how many examples it has. */
  public record Summary(double p95, double median, int examples) {
    static Summary of(double[] values) {
      double[] s = Samples.sorted(values);
      return new Summary(Samples.percentileOfSorted(s, 95), Samples.percentileOfSorted(s, 50), s.length);
    }
  }

  /**
   * Per-example KLoM in both directions (indexed like the input), the input's groups and the options used.
   */
  public record Result(double[] retrainedToAudited, double[] auditedToRetrained, Group[] groups, Options options)
      implements MarginAudit.Result {
    /** The reported direction, {@code KL(retrained ‖ audited)}, summarised over {@code group}; null if empty. */
    public Summary summary(Group group) {
      return summarise(retrainedToAudited, group);
    }

    /** The other direction, {@code KL(audited ‖ retrained)}, summarised over {@code group}; null if empty. */
    public Summary reverseSummary(Group group) {
      return summarise(auditedToRetrained, group);
    }

    private Summary summarise(double[] values, Group group) {
      int n = 0;
      double[] picked = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        if (groups[i] == group) {
          picked[n++] = values[i];
        }
      }
      return n == 0 ? null : Summary.of(Arrays.copyOf(picked, n));
    }

    /** {@code klom_<group>_p95} and {@code klom_<group>_median} for each group that has examples. */
    @Override
    public Map<String, Double> metrics() {
      Map<String, Double> m = new LinkedHashMap<>();
      for (Group g : Group.values()) {
        Summary s = summary(g);
        if (s != null) {
          m.put("klom_" + g.key + "_p95", s.p95());
          m.put("klom_" + g.key + "_median", s.median());
        }
      }
      return m;
    }
  }

  private static Map<String, String> describe() {
    String kl = "per-example KLoM = KL(retrained || audited) of the example's margins (z_y - logsumexp_{k!=y} z_k) "
        + "over the retrained vs the audited models, histograms over the pooled range clipped to +-100 (EasyDUB: 20 "
        + "bins, or about sqrt(N) for small ensembles), epsilon 1e-5 where the other side has mass (at most ~11.5)";
    Map<String, String> d = new LinkedHashMap<>();
    d.put("klom_forget_p95", "95th percentile (numpy linear) over the forget examples of " + kl + "; 0 = like retraining");
    d.put("klom_forget_median", "median over the forget examples of the same per-example KLoM");
    d.put("klom_retain_p95", "95th percentile of per-example KLoM over the retain examples (damage to what should stay)");
    d.put("klom_retain_median", "median of per-example KLoM over the retain examples");
    d.put("klom_val_p95", "95th percentile of per-example KLoM over the validation examples (seen by neither side)");
    d.put("klom_val_median", "median of per-example KLoM over the validation examples");
    return Collections.unmodifiableMap(d);
  }
}
