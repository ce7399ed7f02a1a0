package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.model.Network;
import java.util.List;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with PyTorch's
 * {@code torch.optim.Adam} semantics: weight decay is an L2 term added to the gradient (not AdamW's
 * decoupled decay), and both moments are bias-corrected,
 * {@code g' = g + wd*w; m = b1*m + (1-b1)*g'; v = b2*v + (1-b2)*g'^2;
 * w -= lr/(1-b1^n) * m / (sqrt(v)/sqrt(1-b2^n) + eps)} at update n = 1, 2, ... Like {@link SgdOptimizer} it
 * updates every trainable parameter of a network (or the parameters it is given) and zeroes their gradients
 * after each update.
 */
public final class AdamOptimizer implements UpdateRule {
  private final List<Parameter> params;
  private final NDArray[] first;
  private final NDArray[] second;
  private final NDManager stateManager;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private int updates;

  /** Adam over every trainable parameter of {@code network} with PyTorch's defaults (0.9, 0.999, 1e-8). */
  public AdamOptimizer(Network network, double weightDecay) {
    this(network, 0.9, 0.999, 1e-8, weightDecay);
  }

  /** Adam over every trainable parameter of {@code network}. */
  public AdamOptimizer(Network network, double beta1, double beta2, double eps, double weightDecay) {
    this(network.trainableParameters(), network.manager(), beta1, beta2, eps, weightDecay);
  }

  /**
   * Adam with PyTorch's defaults over {@code params} only (a network's head, or a small model that is not a
   * {@link Network}); its state lives in a child of {@code owner}, the manager of the parameters.
   */
  public AdamOptimizer(List<Parameter> params, NDManager owner, double weightDecay) {
    this(params, owner, 0.9, 0.999, 1e-8, weightDecay);
  }

  private AdamOptimizer(
      List<Parameter> params, NDManager owner, double beta1, double beta2, double eps, double weightDecay) {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException(
          "Adam needs betas in [0, 1), eps > 0 and weight decay >= 0: " + beta1 + ", " + beta2 + ", " + eps
              + ", " + weightDecay);
    }
    this.params = List.copyOf(params);
    this.stateManager = owner.newSubManager();
    this.first = new NDArray[params.size()];
    this.second = new NDArray[params.size()];
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    for (int i = 0; i < params.size(); i++) {
      first[i] = stateManager.zeros(params.get(i).getArray().getShape());
      second[i] = stateManager.zeros(params.get(i).getArray().getShape());
    }
  }

  /** The optimised parameters, in the order {@link #step} uses. */
  public List<Parameter> parameters() {
    return params;
  }

  @Override
  public void step(double lr, NDManager step) {
    updates++;
    double correction1 = 1 - Math.pow(beta1, updates);
    double correction2 = Math.sqrt(1 - Math.pow(beta2, updates));
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i).getArray();
      NDArray g = w.getGradient();
      g.attach(step);
      NDArray direction = g;
      if (weightDecay != 0) {
        NDArray decay = w.mul((float) weightDecay);
        decay.attach(step);
        direction = g.add(decay);
      }
      first[i].muli((float) beta1).addi(direction.mul((float) (1 - beta1)));
      second[i].muli((float) beta2).addi(direction.square().muli((float) (1 - beta2)));
      NDArray denominator = second[i].sqrt();
      denominator.attach(step);
      denominator.divi((float) correction2).addi((float) eps);
      NDArray update = first[i].div(denominator);
      update.attach(step);
      w.subi(update.muli((float) (lr / correction1)));
      g.subi(g);
    }
  }

  @Override
  public void close() {
    stateManager.close();
  }
}
