package dev.lethe.train;

import ai.djl.ndarray.NDManager;

/**
 * An update rule that {@link Optimization#run} applies after every backward pass: it reads the gradients
 * the pass accumulated, moves the parameters it owns, and zeroes those gradients (DJL never does). State
 * such as momentum buffers lives until {@link #close()}.
 */
public interface UpdateRule extends AutoCloseable {
  /**
   * Applies one update with rate {@code lr} from the current gradients, then zeroes them. Temporaries
   * belong to {@code step}, which is closed after the update.
   */
  void step(double lr, NDManager step);

  /** Releases the optimiser's state. */
  @Override
  void close();
}
