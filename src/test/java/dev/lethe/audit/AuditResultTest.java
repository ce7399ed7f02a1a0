package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.train.TinyData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The typed audit gives the results rows exactly the metrics they had: the expected maps below are what
 * {@code Audit.measure} returned, with {@code avg_gap} put beside it as the benchmark did, before the audit
 * returned an {@link AuditResult} (captured on these synthetic logits from the code of commit 78dc51f), names,
 * order and values.
 */
class AuditResultTest {
  private static final Map<String, Double> RANDOM_RT = ordered(
      "forget_acc", 75.0,
      "retain_acc", 88.88888888888889,
      "test_acc", 75.0,
      "outputs_finite", 1.0,
      "mia_efficacy", 16.666666666666668,
      "mia_entropy_member_rate", 50.0,
      "kl_to_retrain_forget", 0.0,
      "kl_to_retrain_retain", 0.0,
      "kl_to_retrain_test", 0.0,
      "js_to_retrain_forget", 0.0,
      "js_to_retrain_test", 0.0,
      "avg_gap", 0.0);

  private static final Map<String, Double> RANDOM_CANDIDATE = ordered(
      "forget_acc", 91.66666666666667,
      "retain_acc", 88.88888888888889,
      "test_acc", 100.0,
      "outputs_finite", 1.0,
      "mia_efficacy", 83.33333333333333,
      "mia_entropy_member_rate", 50.0,
      "kl_to_retrain_forget", 0.5204031850753413,
      "kl_to_retrain_retain", 0.46767651018812817,
      "kl_to_retrain_test", 1.1413194122761152,
      "js_to_retrain_forget", 0.09947372911995407,
      "js_to_retrain_test", 0.16720618065713547,
      "avg_gap", 27.083333333333332);

  private static final Map<String, Double> RANDOM_NON_FINITE = ordered(
      "forget_acc", 83.33333333333333,
      "retain_acc", 88.88888888888889,
      "test_acc", 100.0,
      "outputs_finite", 0.0,
      "mia_efficacy", Double.NaN,
      "mia_entropy_member_rate", Double.NaN,
      "kl_to_retrain_forget", Double.NaN,
      "kl_to_retrain_retain", 0.46767651018812817,
      "kl_to_retrain_test", 1.1413194122761152,
      "js_to_retrain_forget", Double.NaN,
      "js_to_retrain_test", 0.16720618065713547,
      "avg_gap", Double.NaN);

  private static final Map<String, Double> CLASS_RT = ordered(
      "forget_acc", 81.25,
      "retain_acc", 81.25,
      "test_acc", 30.0,
      "outputs_finite", 1.0,
      "mia_efficacy", 18.75,
      "mia_entropy_member_rate", 37.5,
      "kl_to_retrain_forget", 0.0,
      "kl_to_retrain_retain", 0.0,
      "kl_to_retrain_test", 0.0,
      "js_to_retrain_forget", 0.0,
      "js_to_retrain_test", 0.0,
      "tv_to_retrain_forget", 0.0,
      "tv_to_retrain_forget_test", 0.0,
      "mia_nn", 50.0,
      "avg_gap", 0.0);

  private static final Map<String, Double> CLASS_CANDIDATE = ordered(
      "forget_acc", 68.75,
      "retain_acc", 93.75,
      "test_acc", 90.0,
      "outputs_finite", 1.0,
      "mia_efficacy", 31.25,
      "mia_entropy_member_rate", 56.25,
      "kl_to_retrain_forget", 0.6677063295520878,
      "kl_to_retrain_retain", 0.6213204433643746,
      "kl_to_retrain_test", 1.6761089609377788,
      "js_to_retrain_forget", 0.12090960292871587,
      "js_to_retrain_test", 0.25612809829480676,
      "tv_to_retrain_forget", 0.31638491154990334,
      "tv_to_retrain_forget_test", 0.422676578561853,
      "mia_nn", 75.0,
      "avg_gap", 24.375);

  private static final Map<String, Double> CLASS_NON_FINITE = ordered(
      "forget_acc", 68.75,
      "retain_acc", 93.75,
      "test_acc", 90.0,
      "outputs_finite", 0.0,
      "mia_efficacy", Double.NaN,
      "mia_entropy_member_rate", Double.NaN,
      "kl_to_retrain_forget", Double.NaN,
      "kl_to_retrain_retain", 0.6213204433643746,
      "kl_to_retrain_test", 1.6761089609377788,
      "js_to_retrain_forget", Double.NaN,
      "js_to_retrain_test", 0.25612809829480676,
      "tv_to_retrain_forget", Double.NaN,
      "tv_to_retrain_forget_test", 0.422676578561853,
      "mia_nn", Double.NaN,
      "avg_gap", Double.NaN);

  private static Map<String, Double> ordered(Object... entries) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < entries.length; i += 2) {
      m.put((String) entries[i], (Double) entries[i + 1]);
    }
    return m;
  }

  /** Logits of {@code data}: N(0, 1.5²) noise per class plus {@code bias} on the true class. */
  private static float[][] logits(Dataset data, Random random, float bias) {
    float[][] out = new float[data.size()][data.numClasses()];
    for (int i = 0; i < out.length; i++) {
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (float) (1.5 * random.nextGaussian()) + (j == data.label(i) ? bias : 0);
      }
    }
    return out;
  }

  private static SplitLogits synthetic(ForgetTask task, long seed, float bias) {
    Random random = new Random(seed);
    return new SplitLogits(logits(task.forget(), random, bias), logits(task.retain(), random, bias),
        logits(task.test(), random, bias), logits(task.testForgotten(), random, bias));
  }

  /** The candidate's logits with one NaN in the first forget row. */
  private static SplitLogits withNaN(SplitLogits l) {
    float[][] forget = l.forget().clone();
    forget[0] = forget[0].clone();
    forget[0][1] = Float.NaN;
    return new SplitLogits(forget, l.retain(), l.test(), l.testForgotten());
  }

  private static void assertSameAsBefore(String spec, Map<String, Double> rt, Map<String, Double> candidate,
      Map<String, Double> nonFinite) {
    ForgetTask task = TinyData.task(spec, 3);
    RetrainReference reference = RetrainReference.of(synthetic(task, 11, 2f), task);
    SplitLogits logits = synthetic(task, 12, 3f);
    assertThat(reference.result().metrics()).as(spec + " RT").containsExactlyEntriesOf(rt);
    assertThat(Audit.audit(logits, task, reference).metrics()).as(spec).containsExactlyEntriesOf(candidate);
    assertThat(Audit.audit(withNaN(logits), task, reference).metrics()).as(spec + " non-finite")
        .containsExactlyEntriesOf(nonFinite);
  }

  @Test
  void theMetricsOfARandomTaskAreTodaysNamesOrderAndValues() {
    assertSameAsBefore("random:0.25", RANDOM_RT, RANDOM_CANDIDATE, RANDOM_NON_FINITE);
  }

  @Test
  void theMetricsOfAClassTaskAreTodaysNamesOrderAndValuesWithTheClassMetrics() {
    assertSameAsBefore("class:0", CLASS_RT, CLASS_CANDIDATE, CLASS_NON_FINITE);
  }

  @Test
  void theTypedFieldsAreTheNamedMetrics() {
    ForgetTask task = TinyData.task("class:0", 3);
    RetrainReference reference = RetrainReference.of(synthetic(task, 11, 2f), task);
    AuditResult a = Audit.audit(synthetic(task, 12, 3f), task, reference);
    assertThat(a.forgetAcc()).isEqualTo(68.75);
    assertThat(a.retainAcc()).isEqualTo(93.75);
    assertThat(a.testAcc()).isEqualTo(90.0);
    assertThat(a.miaEfficacy()).isEqualTo(31.25);
    assertThat(a.outputsFinite()).isTrue();
    assertThat(a.classMetrics()).hasValue(new AuditResult.ClassMetrics(0.31638491154990334, 0.422676578561853, 75.0));
    // Avg Gap = (|68.75 − 81.25| + |93.75 − 81.25| + |90 − 30| + |31.25 − 18.75|) / 4 = (12.5 + 12.5 + 60 + 12.5) / 4
    assertThat(a.avgGap()).isEqualTo(24.375).isEqualTo(a.gapTo(reference.result()));
    assertThat(a.metric("mia_nn")).isEqualTo(75.0);
    assertThat(reference.result().avgGap()).isZero();
    assertThat(Audit.DEFINITIONS).containsKeys(a.metrics().keySet().toArray(String[]::new));
    ForgetTask random = TinyData.task("random:0.25", 3);
    AuditResult r = Audit.audit(synthetic(random, 12, 3f), random, RetrainReference.of(synthetic(random, 11, 2f), random));
    assertThat(r.classMetrics()).isEmpty();
    assertThatThrownBy(() -> r.metric("mia_nn")).isInstanceOf(LetheException.class)
        .hasMessageStartingWith("this audit has no metric 'mia_nn': it has forget_acc, retain_acc, ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void toJsonWritesTheMetricsObjectOfAResultsRowWithNullForNonFiniteValues() throws Exception {
    ForgetTask task = TinyData.task("random:0.25", 3);
    RetrainReference reference = RetrainReference.of(synthetic(task, 11, 2f), task);
    AuditResult a = Audit.audit(withNaN(synthetic(task, 12, 3f)), task, reference);
    JsonNode json = new ObjectMapper().readTree(a.toJson());
    assertThat(json.size()).isEqualTo(RANDOM_NON_FINITE.size());
    for (Map.Entry<String, Double> e : RANDOM_NON_FINITE.entrySet()) {
      if (e.getValue().isNaN()) {
        assertThat(json.get(e.getKey()).isNull()).as(e.getKey()).isTrue();
      } else {
        assertThat(json.get(e.getKey()).doubleValue()).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
    assertThat(a.toJson()).startsWith("{\"forget_acc\":83.33333333333333,\"retain_acc\":88.88888888888889,")
        .contains("\"mia_efficacy\":null").endsWith("\"avg_gap\":null}");
  }
}
