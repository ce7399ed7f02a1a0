package dev.lethe.audit;

import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;

/**
 * A model's logits on the splits an audit reads: forget, retain, test (test without forgotten classes)
 * and, for a class task, the forgotten classes' test images ({@link ForgetTask#testForgotten()}; no rows
 * otherwise). Computed once per model and shared by every metric, so no audit repeats a prediction pass.
 */
public record SplitLogits(float[][] forget, float[][] retain, float[][] test, float[][] testForgotten) {
  /** Predicts {@code network} on the splits of {@code task} in eval mode. */
  public static SplitLogits of(Network network, ForgetTask task) {
    return new SplitLogits(
        Prediction.logits(network, task.forget()),
        Prediction.logits(network, task.retain()),
        Prediction.logits(network, task.test()),
        Prediction.logits(network, task.testForgotten()));
  }

  /** True when every logit is finite. */
  public boolean finite() {
    return Softmax.allFinite(forget) && Softmax.allFinite(retain) && Softmax.allFinite(test)
        && Softmax.allFinite(testForgotten);
  }
}
