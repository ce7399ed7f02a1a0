package dev.lethe.audit.perexample;

import dev.lethe.LetheException;
import java.util.Arrays;

/**
 * Input checks and the NumPy order statistics the per-example audits share. Medians and percentiles are
 * NumPy's ({@code np.median}; {@code np.percentile} with its default {@code method="linear"}), computed the
 * same way so that values taken from the reference code's outputs compare to the last digit.
 */
final class Samples {
  private Samples() {}

  /**
   * Checks that {@code samples} has at least one example, that every example has at least {@code minimum}
   * margins and that every margin is finite.
   *
   * @throws LetheException naming the audit, the side, the example and what it needs
   */
  static void check(String audit, String side, double[][] samples, int minimum) {
    if (samples.length == 0) {
      throw new LetheException(audit + ": no examples to audit; pass the margins of at least one example");
    }
    for (int i = 0; i < samples.length; i++) {
      double[] row = samples[i];
      if (row.length < minimum) {
        throw new LetheException(audit + " needs at least " + minimum + " " + side + " margin"
            + (minimum == 1 ? "" : "s") + " per example, but example " + i + " has " + row.length
            + ": use a larger ensemble");
      }
      requireFinite(audit, side + " margins of example " + i, row);
    }
  }

  /** Checks that every value of {@code values} (described by {@code what}) is finite. */
  static void requireFinite(String audit, String what, double[] values) {
    for (int j = 0; j < values.length; j++) {
      if (!Double.isFinite(values[j])) {
        throw new LetheException(audit + ": entry " + j + " of the " + what + " is " + values[j]
            + "; margins must be finite, so audit only models whose logits are finite");
      }
    }
  }

  /** {@code σ(m) = 1 / (1 + e^{−m})}, the true-class probability of margin m, without overflow. */
  static double sigmoid(double m) {
    return m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m));
  }

  static double mean(double[] x) {
    double sum = 0;
    for (double v : x) {
      sum += v;
    }
    return sum / x.length;
  }

  /** The population standard deviation ({@code np.std}, ddof 0). */
  static double std(double[] x) {
    double m = mean(x);
    double ss = 0;
    for (double v : x) {
      ss += (v - m) * (v - m);
    }
    return Math.sqrt(ss / x.length);
  }

  static double[] sorted(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    return s;
  }

  /** {@code np.median}: the middle value, or the mean of the two middle values for an even count. */
  static double median(double[] x) {
    double[] s = sorted(x);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * {@code np.percentile(x, q)} with the default linear method: with the values sorted, the virtual index
   * {@code h = (n − 1) · q / 100} and {@code g = h − ⌊h⌋}, the value {@code s[⌊h⌋] + g (s[⌊h⌋+1] − s[⌊h⌋])}
   * (NumPy evaluates it from the upper neighbour when {@code g ≥ ½}, which this repeats).
   */
  static double percentile(double[] x, double q) {
    return percentileOfSorted(sorted(x), q);
  }

  static double percentileOfSorted(double[] s, double q) {
    double h = (s.length - 1) * (q / 100);
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, s.length - 1);
    double g = h - lo;
    double a = s[lo];
    double b = s[hi];
    double diff = b - a;
    return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
  }

  /** The number of values in ascending {@code s} that are strictly below {@code x}. */
  static int countBelow(double[] s, double x) {
    int lo = 0;
    int hi = s.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (s[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The number of values in ascending {@code s} that are at most {@code x}. */
  static int countAtMost(double[] s, double x) {
    int lo = 0;
    int hi = s.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (s[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
