package dev.lethe.unlearn;

import dev.lethe.data.Dataset;
import dev.lethe.model.Network;

/**
 * The models besides the one it unlearns that a method declares it reads, trained or loaded by the experiment that
 * owns the task before the method's timed run: models retrained from scratch without the forget set ({@link
 * Unlearner#retrainedModels()}; oracle matching, the upper bound of Georgiev et al., ICLR 2025), and further models
 * trained as the original was, on the task's pool with other seeds ({@link Unlearner#extraOriginals()}; the
 * checkpoints of DMM's TRAK ensemble). A method reads the retrained models' mean outputs and copies of the extra
 * originals, which it closes.
 */
public interface ReferenceModels {
  /** None of either kind, for a method that declares none. */
  ReferenceModels NONE = new ReferenceModels() {};

  /** How many retrained models there are. */
  default int retrainedCount() {
    return 0;
  }

  /** The mean over the retrained models of their eval-mode logits on every row of {@code data} (rows × classes). */
  default float[][] meanRetrainedLogits(Dataset data) {
    throw new IllegalStateException("no retrained models to average");
  }

  /** How many extra originals there are. */
  default int originalCount() {
    return 0;
  }

  /** A loaded copy of extra original {@code k} (0 ≤ k < {@link #originalCount()}), which the caller closes. */
  default Network original(int k) {
    throw new IndexOutOfBoundsException("extra original " + k + " of " + originalCount());
  }
}
