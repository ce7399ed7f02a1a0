package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.model.Network;
import java.util.List;

/**
 * Sign descent: every trainable parameter moves by {@code lr} against the sign of its gradient,
 * {@code w ← w − lr · sign(∇w)}, with no momentum and no weight decay — the lower-level optimiser of the
 * worst-case forget-set selection (Fan et al., ECCV 2024, whose code's {@code SignSGD.sign_step} ignores the
 * momentum and decay it is built with).
 */
public final class SignSgd implements UpdateRule {
  private final List<Parameter> params;

  /** Sign descent over {@code network}'s trainable parameters. */
  public SignSgd(Network network) {
    this.params = network.trainableParameters();
  }

  @Override
  public void step(double lr, NDManager step) {
    for (Parameter p : params) {
      NDArray w = p.getArray();
      NDArray g = w.getGradient();
      g.attach(step);
      NDArray update = g.sign().mul((float) lr);
      update.attach(step);
      w.subi(update);
      g.subi(g);
    }
  }

  @Override
  public void close() {}
}
