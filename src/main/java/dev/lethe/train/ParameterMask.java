package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.model.Network;
import java.util.List;

/**
 * A 0/1 mask over every trainable parameter of a network, aligned with
 * {@link Network#trainableParameters()}: 1 marks a weight an unlearning step may change. Weight-saliency
 * methods (SalUn, SFR-on) build one and the optimiser applies it; see {@link SgdOptimizer.MaskMode}.
 */
public final class ParameterMask implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] masks;

  /** Wraps float 0/1 tensors owned by {@code manager} (closed with this mask). */
  public ParameterMask(NDManager manager, NDArray[] masks) {
    this.manager = manager;
    this.masks = masks;
  }

  /** The mask tensor of trainable parameter {@code i}. */
  public NDArray get(int i) {
    return masks[i];
  }

  /** Number of parameter tensors covered. */
  public int size() {
    return masks.length;
  }

  /** Fraction of weights marked 1. */
  public double density() {
    double ones = 0;
    double all = 0;
    for (NDArray m : masks) {
      ones += m.sum().getFloat();
      all += m.size();
    }
    return ones / all;
  }

  /** Checks the mask matches {@code params} tensor by tensor. */
  public void checkCovers(List<Parameter> params) {
    if (params.size() != masks.length) {
      throw new IllegalArgumentException("mask covers " + masks.length + " tensors, optimiser has " + params.size());
    }
    for (int i = 0; i < masks.length; i++) {
      if (!params.get(i).getArray().getShape().equals(masks[i].getShape())) {
        throw new IllegalArgumentException("mask shape differs at tensor " + i);
      }
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
