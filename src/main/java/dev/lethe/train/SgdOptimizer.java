package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.Choice;
import dev.lethe.model.Network;
import java.util.List;

/**
 * Stochastic gradient descent with momentum and weight decay, written out with PyTorch's semantics
 * ({@code v = mu*v + (g + wd*w); w -= lr*v}) so that schedules changing the rate every step behave as in
 * the reference code. DJL's built-in {@code Sgd} folds the rate into the buffer, which differs. The
 * optimiser zeroes gradients after each update, as DJL never does. An optional {@link ParameterMask}
 * restricts which weights move, in one of two {@link MaskMode}s.
 */
public final class SgdOptimizer implements UpdateRule {
  /** How a weight-saliency mask is applied; its ids are {@code grad_only} and {@code hard_freeze}. */
  public enum MaskMode implements Choice {
    /**
     * Multiply the gradient by the mask: weight decay and momentum still move masked weights. The
     * behaviour of SalUn's and SFR-on's released code (Unlearn-Saliency issue #32).
     */
    GRAD_ONLY,
    /**
     * Masked weights and their momentum do not change at all: the fix merged as Unlearn-Saliency PR #33,
     * which restores masked weights and zeroes their momentum after every step.
     */
    HARD_FREEZE
  }

  private final List<Parameter> params;
  private final NDArray[] velocity;
  private final NDManager stateManager;
  private final double momentum;
  private final double weightDecay;
  private final ParameterMask mask;
  private final MaskMode maskMode;

  /** An optimiser over every trainable parameter of {@code network}. */
  public SgdOptimizer(Network network, double momentum, double weightDecay) {
    this(network, momentum, weightDecay, null, MaskMode.HARD_FREEZE);
  }

  /** An optimiser whose every step is restricted by {@code mask} (null for none) in {@code mode}. */
  public SgdOptimizer(Network network, double momentum, double weightDecay, ParameterMask mask, MaskMode mode) {
    this.params = network.trainableParameters();
    this.stateManager = network.manager().newSubManager();
    this.velocity = new NDArray[params.size()];
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.mask = mask;
    this.maskMode = mode;
    if (mask != null) {
      mask.checkCovers(params);
    }
    for (int i = 0; i < params.size(); i++) {
      velocity[i] = stateManager.zeros(params.get(i).getArray().getShape());
    }
  }

  /** The optimised parameters, in the order {@link #step} uses. */
  public List<Parameter> parameters() {
    return params;
  }

  /** Applies one update with rate {@code lr} from the current gradients, then zeroes them. */
  @Override
  public void step(double lr, NDManager step) {
    step(lr, step, mask, maskMode);
  }

  /** As {@link #step(double, NDManager)}, restricted by {@code stepMask} (null: none) for this step only. */
  public void step(double lr, NDManager step, ParameterMask stepMask, MaskMode mode) {
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i).getArray();
      NDArray g = w.getGradient();
      g.attach(step);
      if (stepMask != null && mode == MaskMode.GRAD_ONLY) {
        g.muli(stepMask.get(i));
      }
      NDArray direction = g;
      if (weightDecay != 0) {
        NDArray decay = w.mul((float) weightDecay);
        decay.attach(step);
        direction = g.add(decay);
      }
      NDArray v = velocity[i];
      boolean freeze = stepMask != null && mode == MaskMode.HARD_FREEZE;
      if (freeze) {
        // v += mask * ((mu - 1) v + d): frozen coordinates keep their velocity exactly
        NDArray change = v.mul((float) (momentum - 1));
        change.attach(step);
        v.addi(change.addi(direction).muli(stepMask.get(i)));
      } else if (momentum != 0) {
        v.muli((float) momentum).addi(direction);
      } else {
        direction.copyTo(v);
      }
      NDArray update = v.mul((float) lr);
      update.attach(step);
      if (freeze) {
        update.muli(stepMask.get(i));
      }
      w.subi(update);
      g.subi(g);
    }
  }

  /** Multiplies every gradient by {@code gradientMask} in place. */
  public void maskGradients(ParameterMask gradientMask, NDManager step) {
    for (int i = 0; i < params.size(); i++) {
      NDArray g = params.get(i).getArray().getGradient();
      g.attach(step);
      g.muli(gradientMask.get(i));
    }
  }

  /**
   * Scales all gradients so their global L2 norm is at most {@code maxNorm} (PyTorch's
   * {@code clip_grad_norm_}); returns the norm before clipping.
   */
  public double clipGradientNorm(double maxNorm, NDManager step) {
    double squares = 0;
    NDArray[] grads = new NDArray[params.size()];
    for (int i = 0; i < params.size(); i++) {
      grads[i] = params.get(i).getArray().getGradient();
      grads[i].attach(step);
      squares += grads[i].square().sum().getFloat();
    }
    double norm = Math.sqrt(squares);
    double scale = maxNorm / (norm + 1e-6);
    if (scale < 1) {
      for (NDArray g : grads) {
        g.muli((float) scale);
      }
    }
    return norm;
  }

  /** Zeroes every gradient without updating (after a pass whose gradients must be discarded). */
  public void zeroGradients(NDManager step) {
    for (Parameter p : params) {
      NDArray g = p.getArray().getGradient();
      g.attach(step);
      g.subi(g);
    }
  }

  @Override
  public void close() {
    stateManager.close();
  }
}
