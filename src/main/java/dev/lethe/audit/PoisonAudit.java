package dev.lethe.audit;

import dev.lethe.data.Dataset;
import dev.lethe.data.Poisoning;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether a model still carries a poisoned batch's effect, beside whether it "forgot" the batch: a method can
 * drive the poisoned images' forget accuracy and MIA efficacy to the retrained model's while the backdoor still
 * fires (it hid the poison), or remove the effect itself. Two numbers, in percent:
 *
 * <ul>
 *   <li>{@value #ATTACK_SUCCESS}: for a backdoor, the share of triggered test images of the other classes that
 *       the model assigns to the target (BadNets' attack success rate; a clean model's is near the base rate);
 *   <li>{@value #CLEAN_LABEL_ACC}: the accuracy on the poisoned training images measured against their clean
 *       labels (for a label flip, whether the model has gone back to the truth on the flipped images).
 * </ul>
 */
public final class PoisonAudit {
  /** Metric key of the attack success rate on triggered test images (backdoors only). */
  public static final String ATTACK_SUCCESS = "attack_success_rate";
  /** Metric key of the accuracy on the poisoned images against their clean labels. */
  public static final String CLEAN_LABEL_ACC = "poisoned_clean_acc";

  private PoisonAudit() {}

  /**
   * The metrics of {@code model} for {@code poisoning} (the poisoned pool the model's experiment trained on), with
   * {@code test} the clean test split.
   */
  public static Map<String, Double> measure(Network model, Poisoning poisoning, Dataset test) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (poisoning.isBackdoor()) {
      Dataset triggered = poisoning.triggered(test);
      int[] predicted = ClassificationMetrics.predictions(Prediction.logits(model, triggered));
      int hits = 0;
      for (int p : predicted) {
        hits += p == poisoning.target() ? 1 : 0;
      }
      metrics.put(ATTACK_SUCCESS, predicted.length == 0 ? Double.NaN : 100.0 * hits / predicted.length);
    }
    Dataset poisoned = poisoning.pool().select(poisoning.rows());
    metrics.put(CLEAN_LABEL_ACC,
        ClassificationMetrics.accuracyPercent(Prediction.logits(model, poisoned), poisoning.cleanLabels()));
    return metrics;
  }
}
