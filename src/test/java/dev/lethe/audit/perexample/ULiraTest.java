package dev.lethe.audit.perexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.audit.perexample.PairedMargins.Group;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ULiraTest {
  private static final ULira DEFAULTS = new ULira(ULira.Options.defaults());

  @Test
  void handComputedLeaveOneOutWithTheGlobalDeviation() {
    // U = {0, 2}, R = {1, 3}: both global deviations are 1 (fits of 1 margin use them).
    // U held out: 0 vs U'={2} (mean 2) and R (mean 2): a tie, not "unlearned" → missed;
    //             2 vs U'={0} and R (mean 2): closer to R → missed.
    // R held out: 1 vs U (mean 1) and R'={3}: closer to U → missed; 3 vs U (mean 1) and R'={1}: a tie → "retrained", right.
    // accuracy = ½ (0/2 + 1/2) = ¼: leaving one out makes a useless attack score below ½.
    ULira.Result r = DEFAULTS.audit(PairedMargins.forget(new double[][] {{0, 2}}, new double[][] {{1, 3}}));
    assertThat(r.accuracy()).containsExactly(0.25);
    assertThat(r.mean()).isEqualTo(0.25);
    assertThat(r.metrics()).containsEntry("ulira_accuracy", 0.25);
  }

  @Test
  void identicalDistributionsAreIndistinguishable() {
    SplittableRandom random = new SplittableRandom(1);
    double[][] u = new double[200][];
    double[][] r = new double[200][];
    for (int i = 0; i < u.length; i++) {
      double centre = 3 * random.nextGaussian();
      u[i] = gaussians(random, 24, centre, 1);
      r[i] = gaussians(random, 24, centre, 1);
    }
    ULira.Result res = DEFAULTS.audit(PairedMargins.forget(u, r));
    assertThat(res.mean()).isBetween(0.42, 0.52);
    assertThat(res.ciLow()).isLessThan(res.mean());
    assertThat(res.ciHigh()).isGreaterThan(res.mean());
  }

  @Test
  void wellSeparatedDistributionsAreAlwaysToldApart() {
    SplittableRandom random = new SplittableRandom(2);
    double[][] u = new double[50][];
    double[][] r = new double[50][];
    for (int i = 0; i < u.length; i++) {
      double centre = 3 * random.nextGaussian();
      // 8 samples per side: the global deviations are used
      u[i] = gaussians(random, 8, centre + 12, 1);
      r[i] = gaussians(random, 8, centre, 1);
    }
    ULira.Result res = DEFAULTS.audit(PairedMargins.forget(u, r));
    assertThat(res.mean()).isEqualTo(1.0);
    assertThat(res.ciLow()).isEqualTo(1.0);
    assertThat(res.quantile(5)).isEqualTo(1.0);
  }

  @Test
  void matchesTheAuthorsPortWithGaussianDensitiesAndOwnDeviations() {
    // single_ulira of the DMM authors' port: norm.pdf with np.mean / np.std, predict unlearned when
    // p_U / (p_U + p_R) > 0.5; here with every fit using its own deviation (ownVarianceFrom = 2).
    ULira own = new ULira(new ULira.Options(2, 100, 0.95, 0));
    SplittableRandom random = new SplittableRandom(3);
    double[][] u = new double[60][];
    double[][] r = new double[60][];
    for (int i = 0; i < u.length; i++) {
      u[i] = gaussians(random, 3 + random.nextInt(10), random.nextDouble(), 0.5 + random.nextDouble());
      r[i] = gaussians(random, 3 + random.nextInt(10), 0, 0.5 + random.nextDouble());
    }
    ULira.Result res = own.audit(PairedMargins.forget(u, r));
    for (int i = 0; i < u.length; i++) {
      int hitU = 0;
      for (int j = 0; j < u[i].length; j++) {
        double[] fit = without(u[i], j);
        hitU += likelihoodRatio(u[i][j], fit, r[i]) > 0.5 ? 1 : 0;
      }
      int hitR = 0;
      for (int j = 0; j < r[i].length; j++) {
        hitR += likelihoodRatio(r[i][j], u[i], without(r[i], j)) > 0.5 ? 0 : 1;
      }
      assertThat(res.accuracy()[i]).as("example %d", i)
          .isEqualTo(0.5 * ((double) hitU / u[i].length + (double) hitR / r[i].length));
    }
  }

  private static double likelihoodRatio(double m, double[] unlearned, double[] retrained) {
    double pu = pdf(m, Samples.mean(unlearned), Samples.std(unlearned) + 1e-30);
    double pr = pdf(m, Samples.mean(retrained), Samples.std(retrained) + 1e-30);
    return pu / (pu + pr);
  }

  private static double pdf(double x, double mean, double std) {
    double z = (x - mean) / std;
    return Math.exp(-0.5 * z * z) / (std * Math.sqrt(2 * Math.PI));
  }

  @Test
  void theBootstrapIntervalIsSeededAndCollapsesForConstantAccuracies() {
    SplittableRandom random = new SplittableRandom(4);
    double[][] u = new double[30][];
    double[][] r = new double[30][];
    for (int i = 0; i < u.length; i++) {
      u[i] = gaussians(random, 6, 0.8, 1);
      r[i] = gaussians(random, 6, 0, 1);
    }
    PairedMargins m = PairedMargins.forget(u, r);
    ULira.Result a = DEFAULTS.audit(m);
    ULira.Result b = DEFAULTS.audit(m);
    assertThat(a.ciLow()).isEqualTo(b.ciLow());
    assertThat(a.ciHigh()).isEqualTo(b.ciHigh());
    assertThat(a.ciLow()).isLessThan(a.mean()).isGreaterThan(0.4);
    ULira.Result other = new ULira(new ULira.Options(20, 1000, 0.95, 99)).audit(m);
    assertThat(other.mean()).isEqualTo(a.mean());
    assertThat(other.ciLow()).isNotEqualTo(a.ciLow());
    // every example told apart perfectly: every resample's mean is 1
    ULira.Result perfect = DEFAULTS.audit(PairedMargins.forget(new double[][] {{10, 11}, {20, 21}},
        new double[][] {{0, 1}, {0, 1}}));
    assertThat(perfect.ciLow()).isEqualTo(1.0);
    assertThat(perfect.ciHigh()).isEqualTo(1.0);
  }

  @Test
  void onlyForgetExamplesAreAttackedAndRowsIndexTheInput() {
    PairedMargins m = new PairedMargins(new double[][] {{5, 5, 5}, {10, 11}}, new double[][] {{5, 5}, {0, 1}},
        new Group[] {Group.RETAIN, Group.FORGET});
    ULira.Result r = DEFAULTS.audit(m);
    assertThat(r.rows()).containsExactly(1);
    assertThat(r.accuracy()).containsExactly(1.0);
    assertThat(DEFAULTS.definitions()).containsKeys(r.metrics().keySet().toArray(String[]::new));
  }

  @Test
  void tooFewMarginsNaNAndNoForgetExamplesAreOneLineErrors() {
    assertThatThrownBy(() -> DEFAULTS.audit(PairedMargins.forget(new double[][] {{1, 2}}, new double[][] {{1}})))
        .isInstanceOf(LetheException.class)
        .hasMessage("U-LiRA needs at least 2 retrained margins per example, but example 0 has 1: use a larger ensemble");
    assertThatThrownBy(() -> DEFAULTS.audit(PairedMargins.forget(
        new double[][] {{1, Double.NaN}}, new double[][] {{1, 2}})))
        .isInstanceOf(LetheException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> DEFAULTS.audit(new PairedMargins(new double[][] {{1, 2}}, new double[][] {{1, 2}},
        new Group[] {Group.VALIDATION}))).isInstanceOf(LetheException.class).hasMessageStartingWith("U-LiRA: no examples");
  }

  @Test
  void optionsAreChecked() {
    assertThatThrownBy(() -> new ULira.Options(1, 100, 0.95, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ULira.Options(20, 0, 0.95, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ULira.Options(20, 100, 1, 0)).isInstanceOf(IllegalArgumentException.class);
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

  static double[] gaussians(SplittableRandom random, int n, double mean, double std) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = mean + std * random.nextGaussian();
    }
    return x;
  }
}
