package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.LetheException;
import dev.lethe.audit.Softmax;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.unlearn.MethodRegistry;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrwTest extends TinyClassTaskTest {
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  /** Enough steps on the 32-image retain set (2 retain batches per epoch). */
  private static final Map<String, String> BUDGET = Map.of("epochs", "10", "batchSize", "16", "lr", "0.05");

  private static final float[][] LOGITS = {{3f, 1f, 0.5f, -1f}, {0f, 2f, 2f, 1f}, {90f, -5f, -6f, -7f}};
  private static final double[] SIMILARITY = {0, 0.1, 0.8, 0.1};


  private static Network trw(Map<String, String> extra) {
    Map<String, String> options = new HashMap<>(BUDGET);
    options.putAll(extra);
    return REGISTRY.get(Trw.ID).create(options).unlearn(original, CLASS, 7, Progress.silent());
  }

  @Test
  void targetsDropTheForgottenClassAndSumToOne() {
    for (double beta : new double[] {0, 1, 10, 100}) {
      float[][] q = Trw.targets(LOGITS, 0, SIMILARITY, beta);
      for (float[] row : q) {
        assertThat(row[0]).isZero();
        double sum = 0;
        for (float v : row) {
          assertThat(v).isBetween(0f, 1f);
          sum += v;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-6));
      }
    }
  }

  @Test
  void betaZeroIsTheRenormalisedOriginalDistribution() {
    float[][] q = Trw.targets(LOGITS, 0, SIMILARITY, 0);
    float[][] p = Softmax.probabilities(LOGITS);
    for (int i = 0; i < 2; i++) {
      double rest = 1 - p[i][0];
      for (int j = 1; j < 4; j++) {
        assertThat((double) q[i][j]).isCloseTo(p[i][j] / rest, within(1e-6));
      }
    }
    // a row whose forgotten-class probability is 1 in float still gets the exact conditional distribution
    double z = Math.exp(-5) + Math.exp(-6) + Math.exp(-7);
    assertThat((double) q[2][1]).isCloseTo(Math.exp(-5) / z, within(1e-6));
  }

  @Test
  void largerBetaMovesMassTowardTheMostSimilarClass() {
    double previous = -1;
    for (double beta : new double[] {0, 1, 5, 10, 30}) {
      double toClosest = Trw.targets(LOGITS, 0, SIMILARITY, beta)[1][2];
      assertThat(toClosest).isGreaterThan(previous);
      previous = toClosest;
    }
    assertThat(previous).isGreaterThan(0.99);
    // equally similar classes keep their ratio
    float[][] q = Trw.targets(LOGITS, 0, SIMILARITY, 10);
    float[][] q0 = Trw.targets(LOGITS, 0, SIMILARITY, 0);
    assertThat((double) q[0][1] / q[0][3]).isCloseTo((double) q0[0][1] / q0[0][3], within(1e-3));
  }

  @Test
  void rejectsATaskThatIsNotAClass() {
    ForgetTask random = TinyData.task("random:0.1", 3);
    assertThat(REGISTRY.get(Trw.ID).supports(random.spec())).isFalse();
    assertThat(REGISTRY.get(Trw.ID).supports(CLASS.spec())).isTrue();
    assertThat(REGISTRY.get("rl").supports(random.spec())).isTrue();
    assertThatThrownBy(() -> REGISTRY.get(Trw.ID).create(Map.of()).unlearn(original, random, 7, Progress.silent()))
        .isInstanceOf(LetheException.class)
        .hasMessage("trw unlearns a whole class: use --forget class:NAME (got random:0.1)");
  }

  @Test
  void rejectsBadOptions() {
    assertThatThrownBy(() -> REGISTRY.get(Trw.ID).create(Map.of("beta", "-1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("trw.beta");
    assertThatThrownBy(() -> REGISTRY.get(Trw.ID).create(Map.of("temperature", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("trw.temperature");
    assertThatThrownBy(() -> REGISTRY.get(Trw.ID).create(Map.of("similarity", "embedding")))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown value 'embedding' for trw.similarity: use logits or head");
    assertThatThrownBy(() -> REGISTRY.get(Trw.ID).create(Map.of("retainWeight", "-0.5")))
        .isInstanceOf(LetheException.class).hasMessageContaining("trw.retainWeight");
  }

  @Test
  void emptiesTheForgottenClassWhileTheOthersStayAccurate() {
    assertThat(TinyData.accuracy(original, CLASS.forget())).isEqualTo(1.0);
    byte[] before = TinyData.paramBytes(original);
    try (Network logits = trw(Map.of()); Network head = trw(Map.of("similarity", "head"))) {
      for (Network net : new Network[] {logits, head}) {
        double fa = TinyData.accuracy(net, CLASS.forget());
        double ra = TinyData.accuracy(net, CLASS.retain());
        assertThat(fa).isLessThanOrEqualTo(0.1);
        assertThat(ra).isGreaterThanOrEqualTo(0.95);
      }
      assertThat(TinyData.paramBytes(head)).isNotEqualTo(TinyData.paramBytes(logits));
    }
    assertThat(TinyData.paramBytes(original)).isEqualTo(before);
  }
}
