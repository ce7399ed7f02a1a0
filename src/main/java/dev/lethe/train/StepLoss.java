package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The objective of one optimisation step: draws its own batch, runs the forward pass and returns the
 * scalar loss to minimise. Every tensor it makes belongs to {@code step}, which is closed after the update.
 * An unlearning method is, for the most part, one of these.
 */
@FunctionalInterface
public interface StepLoss {
  /** The loss to minimise at step {@code t} (0-based). */
  NDArray loss(NDManager step, int t);

  /**
   * Work step {@code t} needs before its forward pass that must not be recorded for the gradient, e.g.
   * a nested optimisation: {@link Optimization#run} calls it outside the gradient collector, where only
   * one collector may be open. Nothing by default.
   */
  default void prepare(NDManager step, int t) {}
}
