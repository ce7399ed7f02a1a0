package dev.lethe.unlearn.method;

import static dev.lethe.unlearn.method.ReferenceMlp.POOL_X;
import static dev.lethe.unlearn.method.ReferenceMlp.POOL_Y;
import static dev.lethe.unlearn.method.ReferenceMlp.WEIGHTS;
import static dev.lethe.unlearn.method.ReferenceMlp.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.ParameterMask;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.SgdOptimizer.MaskMode;
import dev.lethe.unlearn.SgdOptions;
import dev.lethe.unlearn.blocks.Saliency;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SFR-on pinned to exact weights on the tiny mlp of {@link ReferenceMlp}: its Fisher-ratio mask, the
 * fast–slow update and the joint (Euclidean) ablation, each re-derived here in double arithmetic from
 * the official {@code sfron.py} rules.
 */
class SfrOnStepsTest {
  private static final ForgetTask TASK = ReferenceMlp.classZeroTask();
  private static final int[] FORGET = {0, 1};
  private static final int[] RETAIN = {2, 3, 4, 5};
  /**
   * Three passes over the 4 retain images in one batch (T = 3 iterations), a forget step at t = 0 and
   * t = 2; α0 = 4 and clip 4 make the first ascent step clipped and the second not; wd 0.01 is large
   * enough that grad_only visibly decays masked weights.
   */
  private static final SfrOn.Options BASE = SfrOn.Options.defaults()
      .withSgd(new SgdOptions(3, 0.1, 4, 0.9, 0.01, LrSchedule.COSINE))
      .withForgetFreq(2).withForgetAlpha(4).withClip(4.0);
  /** The Fisher-ratio mask of the fixture at γ = 1 (see {@link #fisherMask}), W1 b1 W2 b2 W3 b3. */
  private static final double[][] FIXTURE_MASK = {
    {0, 0, 0, 0}, {0, 0}, {0, 0, 1, 1}, {0, 1}, {1, 1, 1, 1, 0, 0}, {1, 1, 0}
  };

  private static SfrOn.Options with(boolean mask, boolean adaptive, boolean fastSlow, MaskMode mode) {
    return BASE.withMask(mask).withAdaptive(adaptive).withFastSlow(fastSlow).withMaskMode(mode);
  }

  /** Mean over {@code batches} of the squared batch-mean CE gradient: SFR-on's "Fisher" diagonal. */
  private static double[][] fisher(double[][] w, double[][] x, int[] y, int[][] batches) {
    double[][] f = ReferenceMlp.zerosLike(w);
    for (int[] batch : batches) {
      double[][] g = ReferenceMlp.meanGradient(w, rows(x, batch), rows(y, batch));
      for (int p = 0; p < f.length; p++) {
        for (int i = 0; i < f[p].length; i++) {
          f[p][i] += g[p][i] * g[p][i] / batches.length;
        }
      }
    }
    return f;
  }

  /** 1 where (F_f + 1e-15) / (F_r + 1e-15) ≥ γ. */
  private static double[][] fisherMask(double[][] ff, double[][] fr, double gamma) {
    double[][] m = ReferenceMlp.zerosLike(ff);
    for (int p = 0; p < m.length; p++) {
      for (int i = 0; i < m[p].length; i++) {
        m[p][i] = (ff[p][i] + 1e-15) / (fr[p][i] + 1e-15) >= gamma ? 1 : 0;
      }
    }
    return m;
  }

  @Test
  void fisherRatioMaskKeepsWeightsWhoseForgetFisherReachesGammaTimesTheRetainFisher() {
    // forget: 2 images in one batch; retain: 4 images in two batches of 2, in dataset order
    double[][] fx = {{0.7, 0.7}, {0.6, 0.5}};
    int[] fy = {1, 0};
    double[][] rx = {{0.2, 0.3}, {0.3, 0.2}, {0.2, 0.7}, {0.2, 0.1}};
    int[] ry = {0, 2, 0, 1};
    Dataset forget = ReferenceMlp.dataset("fisher-forget", fx, fy);
    Dataset retain = ReferenceMlp.dataset("fisher-retain", rx, ry);
    double[][] ff = fisher(WEIGHTS, fx, fy, new int[][] {{0, 1}});
    double[][] fr = fisher(WEIGHTS, rx, ry, new int[][] {{0, 1}, {2, 3}});
    // F_f / F_r from ff and fr, rounded: W1 .001 .001 .134 .084; b1 .000 .038; W2 .006 .005 6.631 1.611;
    // b2 .002 11.063; W3 2.759 1.494 .700 .568 .000 .000; b3 15.595 .323 .000
    double[][] atOne = {{0, 0, 0, 0}, {0, 0}, {0, 0, 1, 1}, {0, 1}, {1, 1, 0, 0, 0, 0}, {1, 0, 0}};
    double[][] atFive = {{0, 0, 0, 0}, {0, 0}, {0, 0, 1, 0}, {0, 1}, {0, 0, 0, 0, 0, 0}, {1, 0, 0}};
    assertThat(fisherMask(ff, fr, 1)).isDeepEqualTo(atOne);
    assertThat(fisherMask(ff, fr, 5)).isDeepEqualTo(atFive);
    // a per-sample Fisher (batches of one) would select other weights: the test tells the two apart
    double[][] perSample = fisherMask(
        fisher(WEIGHTS, fx, fy, new int[][] {{0}, {1}}), fisher(WEIGHTS, rx, ry, new int[][] {{0}, {1}, {2}, {3}}), 1);
    assertThat(perSample).isNotEqualTo(atOne);
    try (Network net = ReferenceMlp.network(WEIGHTS)) {
      try (ParameterMask mask = Saliency.fisherRatio(net, forget, retain, 1, 2)) {
        assertThat(ReferenceMlp.entriesOf(mask)).isDeepEqualTo(atOne);
      }
      try (ParameterMask mask = Saliency.fisherRatio(net, forget, retain, 5, 2)) {
        assertThat(ReferenceMlp.entriesOf(mask)).isDeepEqualTo(atFive);
      }
    }
  }

  /** What one reference run saw: the final weights and the forget-gradient norm before each clip. */
  private record Run(double[][] weights, List<Double> forgetNorms, List<double[]> adaptiveWeights) {}

  /**
   * SFR-on written out from {@code sfron.py}: at iteration t of T, lr_t = lr0 (1 + cos πt/T) / 2 and
   * α_t = α0 (1 + cos πt/T) / 2; every k-th iteration the gradient of −α_t Σ_i w_i ℓ_i on the forget batch
   * (w_i ∝ 1 / ℓ_i^λ, detached, summing to 1) is masked, clipped to global norm {@code clip} and — in the
   * fast–slow update — stepped at once (hard_freeze: masked weights and their momentum stay); then the
   * retain CE gradient, at the weights reached, is stepped unmasked. The joint update adds both gradients
   * at the same weights and steps once. One SGD state serves every step.
   */
  private static Run reference(SfrOn.Options o) {
    double[][] xf = rows(POOL_X, FORGET);
    int[] yf = rows(POOL_Y, FORGET);
    double[][] xr = rows(POOL_X, RETAIN);
    int[] yr = rows(POOL_Y, RETAIN);
    double[][] w = ReferenceMlp.copy(WEIGHTS);
    // batch size 4 covers each split in one batch
    double[][] mask = fisherMask(
        fisher(w, xf, yf, new int[][] {{0, 1}}), fisher(w, xr, yr, new int[][] {{0, 1, 2, 3}}), o.gamma());
    assertThat(mask).isDeepEqualTo(FIXTURE_MASK);
    ReferenceMlp.Sgd sgd = new ReferenceMlp.Sgd(o.sgd().momentum(), o.sgd().weightDecay());
    int steps = 3;
    List<Double> norms = new ArrayList<>();
    List<double[]> adaptive = new ArrayList<>();
    for (int t = 0; t < steps; t++) {
      double cosine = (1 + Math.cos(Math.PI * t / steps)) / 2;
      double lr = o.sgd().lr() * cosine;
      double alpha = o.forgetAlpha() * cosine;
      double[][] pending = ReferenceMlp.zerosLike(w);
      if (t % o.forgetFreq() == 0) {
        double[] c = new double[xf.length];
        double sum = 0;
        for (int i = 0; i < c.length; i++) {
          double loss = ReferenceMlp.crossEntropy(w, xf[i], yf[i]);
          c[i] = o.adaptive() ? 1 / (Math.pow(loss, o.lambda()) + 1e-15) : 1;
          sum += c[i];
        }
        double[] coef = new double[c.length];
        for (int i = 0; i < c.length; i++) {
          c[i] /= sum;
          coef[i] = -alpha * c[i];
        }
        adaptive.add(c);
        double[][] g = ReferenceMlp.gradient(w, xf, yf, coef);
        if (o.mask()) {
          g = ReferenceMlp.times(g, mask);
        }
        double norm = ReferenceMlp.norm(g);
        norms.add(norm);
        double scale = o.clip() / (norm + 1e-6);
        if (scale < 1) {
          g = ReferenceMlp.scaled(g, scale);
        }
        if (o.fastSlow()) {
          sgd.step(w, g, lr, o.mask() && o.maskMode() == MaskMode.HARD_FREEZE ? mask : null);
        } else {
          pending = g;
        }
      }
      sgd.step(w, ReferenceMlp.plus(pending, ReferenceMlp.meanGradient(w, xr, yr)), lr, null);
    }
    return new Run(w, norms, adaptive);
  }

  private static void assertMatchesReference(SfrOn.Options o, String what) {
    Run expected = reference(o);
    // the fixture exercises the clip once: the first ascent step is clipped, the second is not
    assertThat(expected.forgetNorms()).as(what).hasSize(2);
    assertThat(expected.forgetNorms().get(0)).as(what).isGreaterThan(1.1 * o.clip());
    assertThat(expected.forgetNorms().get(1)).as(what).isLessThan(o.clip() / 1.1);
    if (o.adaptive()) {
      // λ = 0.5 weighs the two forget images clearly unequally
      assertThat(Math.abs(expected.adaptiveWeights().get(0)[0] - 0.5)).as(what).isGreaterThan(0.05);
    }
    try (Network original = ReferenceMlp.network(WEIGHTS);
        Network out = new SfrOn(o, Augmentation.NONE).unlearn(original, TASK, 11, Progress.silent())) {
      ReferenceMlp.assertWeights(out, expected.weights(), 1e-5, what);
    }
  }

  @Test
  void fastSlowUpdateTakesTheMaskedAdaptiveAscentStepThenARetainStepAtTheNewPoint() {
    for (MaskMode mode : MaskMode.values()) {
      assertMatchesReference(with(true, true, true, mode), "fast-slow " + mode.id());
    }
    // the two mask modes differ: weight decay moves masked weights only under grad_only
    assertThat(reference(with(true, true, true, MaskMode.GRAD_ONLY)).weights())
        .isNotEqualTo(reference(with(true, true, true, MaskMode.HARD_FREEZE)).weights());
  }

  @Test
  void jointUpdateStepsTheSumOfTheClippedForgetAndTheRetainGradientsOnce() {
    assertMatchesReference(with(true, true, false, MaskMode.GRAD_ONLY), "joint");
  }

  @Test
  void ablationsWithoutMaskOrAdaptiveWeightsMatchTheirReferences() {
    assertMatchesReference(with(false, true, true, MaskMode.GRAD_ONLY), "no mask");
    assertMatchesReference(with(true, false, true, MaskMode.GRAD_ONLY), "plain mean forget loss");
  }
}
