package dev.lethe.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The audit of one model against the retrained reference RT on one forget task: every metric of
 * {@link Audit#DEFINITIONS} as a typed field, Avg Gap included. {@link #metrics()} gives them by name in the
 * order (and with the names and values) of the {@code metrics} object of every results row; {@link #toJson()}
 * writes that object. Accuracies and attack rates are percentages (0-100); a model whose outputs are not finite
 * has NaN for the metrics that need finite outputs (null in JSON).
 *
 * @param forgetAcc {@code forget_acc}
 * @param retainAcc {@code retain_acc}
 * @param testAcc {@code test_acc}
 * @param outputsFinite {@code outputs_finite} (1 when true)
 * @param miaEfficacy {@code mia_efficacy}
 * @param miaEntropyMemberRate {@code mia_entropy_member_rate}
 * @param klToRetrainForget {@code kl_to_retrain_forget}
 * @param klToRetrainRetain {@code kl_to_retrain_retain}
 * @param klToRetrainTest {@code kl_to_retrain_test}
 * @param jsToRetrainForget {@code js_to_retrain_forget}
 * @param jsToRetrainTest {@code js_to_retrain_test}
 * @param classMetrics the class-forgetting metrics, present exactly for a task that forgets classes
 * @param avgGap {@code avg_gap}: mean |metric - RT's| over {@link Audit#GAP_METRICS}; 0 for RT itself
 */
public record AuditResult(
    double forgetAcc, double retainAcc, double testAcc, boolean outputsFinite, double miaEfficacy,
    double miaEntropyMemberRate, double klToRetrainForget, double klToRetrainRetain, double klToRetrainTest,
    double jsToRetrainForget, double jsToRetrainTest, Optional<ClassMetrics> classMetrics, double avgGap) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The metrics of a task that forgets classes (TRW, arXiv 2506.20893).
   *
   * @param tvToRetrainForget {@code tv_to_retrain_forget}
   * @param tvToRetrainForgetTest {@code tv_to_retrain_forget_test}
   * @param miaNn {@code mia_nn} (NaN unless exactly one class is forgotten and the outputs are finite)
   */
  public record ClassMetrics(double tvToRetrainForget, double tvToRetrainForgetTest, double miaNn) {}

  /** Rejects a missing class-metrics field (use {@code Optional.empty()}). */
  public AuditResult {
    java.util.Objects.requireNonNull(classMetrics, "classMetrics");
  }

  /**
   * Mean |this - reference| over {@link Audit#GAP_METRICS} (FA, RA, TA, MIA-Efficacy), as in SalUn and SFR-on;
   * NaN if either side has a NaN among them.
   */
  public double gapTo(AuditResult reference) {
    Map<String, Double> mine = metrics();
    Map<String, Double> theirs = reference.metrics();
    double sum = 0;
    for (String k : Audit.GAP_METRICS) {
      sum += Math.abs(mine.get(k) - theirs.get(k));
    }
    return sum / Audit.GAP_METRICS.size();
  }

  /** This result with Avg Gap {@code gap}. */
  AuditResult withAvgGap(double gap) {
    return new AuditResult(forgetAcc, retainAcc, testAcc, outputsFinite, miaEfficacy, miaEntropyMemberRate,
        klToRetrainForget, klToRetrainRetain, klToRetrainTest, jsToRetrainForget, jsToRetrainTest, classMetrics, gap);
  }

  /** Every metric by its name, in the results rows' order: the class metrics only for a class task, Avg Gap last. */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("forget_acc", forgetAcc);
    m.put("retain_acc", retainAcc);
    m.put("test_acc", testAcc);
    m.put("outputs_finite", outputsFinite ? 1.0 : 0.0);
    m.put("mia_efficacy", miaEfficacy);
    m.put("mia_entropy_member_rate", miaEntropyMemberRate);
    m.put("kl_to_retrain_forget", klToRetrainForget);
    m.put("kl_to_retrain_retain", klToRetrainRetain);
    m.put("kl_to_retrain_test", klToRetrainTest);
    m.put("js_to_retrain_forget", jsToRetrainForget);
    m.put("js_to_retrain_test", jsToRetrainTest);
    classMetrics.ifPresent(c -> {
      m.put("tv_to_retrain_forget", c.tvToRetrainForget());
      m.put("tv_to_retrain_forget_test", c.tvToRetrainForgetTest());
      m.put("mia_nn", c.miaNn());
    });
    m.put("avg_gap", avgGap);
    return m;
  }

  /** One metric by its name ({@link Audit#DEFINITIONS}); a one-line error naming the ones this result has. */
  public double metric(String name) {
    Double value = metrics().get(name);
    if (value == null) {
      throw new LetheException("this audit has no metric '" + name + "': it has " + String.join(", ", metrics().keySet()));
    }
    return value;
  }

  /** {@link #metrics()} as one JSON object, non-finite values as null: a results row's {@code metrics}. */
  public String toJson() {
    ObjectNode out = JSON.createObjectNode();
    putMetrics(out, metrics());
    return out.toString();
  }

  /** Puts {@code metrics} into {@code target}, writing non-finite values as JSON null (the results files' form). */
  public static void putMetrics(ObjectNode target, Map<String, Double> metrics) {
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      double v = e.getValue();
      if (Double.isFinite(v)) {
        target.put(e.getKey(), v);
      } else {
        target.putNull(e.getKey());
      }
    }
  }
}
