package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/** Loss functions on logits, shared by training and every unlearning method. */
public final class Losses {
  private Losses() {}

  /** Per-sample cross-entropy of {@code logits} (N x K) against int64 {@code labels} (N). */
  public static NDArray crossEntropyPerSample(NDArray logits, NDArray labels) {
    NDArray logProbs = logits.logSoftmax(1);
    return logProbs.get(new NDIndex().addAllDim().addPickDim(labels.reshape(-1, 1))).reshape(-1).neg();
  }

  /** Mean cross-entropy over the batch. */
  public static NDArray crossEntropy(NDArray logits, NDArray labels) {
    return crossEntropyPerSample(logits, labels).mean();
  }

  /**
   * Mean over the batch of {@code −Σ_k q_k log softmax(z)_k} against target distributions {@code q}
   * (N x K, rows summing to 1; detached here). This is {@code KL(q ‖ softmax z)} plus the entropy of q, a
   * constant, so it has the KL's gradient; a target entry of exactly 0 contributes 0, and one-hot targets
   * give {@link #crossEntropy}.
   */
  public static NDArray softCrossEntropy(NDArray logits, NDArray targets) {
    return logits.logSoftmax(1).mul(targets.stopGradient()).sum(new int[] {1}).neg().mean();
  }

  /**
   * PyTorch's {@code mse_loss(logits, targets)} with its default mean reduction: the mean over all N × K
   * elements of {@code (z − t)²}, targets detached.
   */
  public static NDArray meanSquaredError(NDArray logits, NDArray targets) {
    return logits.sub(targets.stopGradient()).square().mean();
  }
}
