package dev.lethe.unlearn.blocks;

import ai.djl.ndarray.NDArray;

/**
 * SFR-on's adaptive forget loss (Huang et al., NeurIPS 2024, official code {@code sfron.py}): per-sample
 * weights {@code c_i = 1 / (ℓ_i^λ + 1e-15)}, detached, normalised to sum to 1, so samples the model still
 * fits (low loss) get more ascent and samples already forgotten get less. λ = 0 is plain mean CE.
 */
public final class AdaptiveWeights {
  private static final float EPS = 1e-15f;

  private AdaptiveWeights() {}

  /** The normalised weights (sum 1) for per-sample losses, without gradient. */
  public static NDArray weights(NDArray perSampleLoss, double lambda) {
    NDArray c = perSampleLoss.stopGradient().pow((float) lambda).add(EPS).pow(-1f);
    return c.div(c.sum());
  }

  /** Σ_i w_i ℓ_i with {@link #weights}: the weighted forget loss (to be ascended). */
  public static NDArray weightedLoss(NDArray perSampleLoss, double lambda) {
    return perSampleLoss.mul(weights(perSampleLoss, lambda)).sum();
  }
}
