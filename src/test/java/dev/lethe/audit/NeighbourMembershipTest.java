package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NeighbourMembershipTest {
  @Test
  void featuresAreTheOtherClassesProbabilitiesWithoutRenormalising() {
    float[][] logits = {{2f, 0f, 1f}, {1000f, 1000f, 1000f}};
    double[][] f = NeighbourMembership.features(logits, 1);
    double sum = Math.exp(2) + 1 + Math.exp(1);
    assertThat(f[0]).containsExactly(new double[] {Math.exp(2) / sum, Math.exp(1) / sum}, within(1e-7));
    // no overflow on large logits; the forgotten class's mass stays out of the features
    assertThat(f[1]).containsExactly(new double[] {1 / 3.0, 1 / 3.0}, within(1e-7));
  }

  @Test
  void separatesConfidentTrainOutputsFromUnsureTestOutputsAndNotIdenticalOnes() {
    java.util.Random random = new java.util.Random(3);
    int k = 4;
    float[][] train = new float[200][k];
    float[][] test = new float[150][k];
    float[][] same = new float[150][k];
    for (float[][] rows : new float[][][] {train, test, same}) {
      for (float[] row : rows) {
        for (int j = 0; j < k; j++) {
          row[j] = (float) random.nextGaussian();
        }
        // class 0 is forgotten: members are much more confident in it, which lowers the others' log-probs
        row[0] += rows == train ? 8f : 3f;
      }
    }
    assertThat(NeighbourMembership.score(train, test, 0)).isGreaterThan(90);
    float[][] otherHalf = java.util.Arrays.copyOf(test, 75);
    float[][] firstHalf = java.util.Arrays.copyOfRange(test, 75, 150);
    assertThat(NeighbourMembership.score(otherHalf, firstHalf, 0)).isBetween(35.0, 65.0);
  }

  @Test
  void theAuditAddsTheClassMetricsOnlyForClassTasks() {
    dev.lethe.train.TrainConfig training =
        new dev.lethe.train.TrainConfig(5, 16, 0.02, 0.9, 5e-4, dev.lethe.train.LrSchedule.COSINE);
    dev.lethe.data.ForgetTask byClass = dev.lethe.train.TinyData.task("class:0", 3);
    dev.lethe.data.ForgetTask random = dev.lethe.train.TinyData.task("random:0.25", 3);
    try (dev.lethe.model.Network net = dev.lethe.train.TinyData.trainedCnn(byClass.pool(), training)) {
      SplitLogits logits = SplitLogits.of(net, byClass);
      assertThat(logits.testForgotten()).hasNumberOfRows(byClass.testForgotten().size()).isNotEmpty();
      java.util.Map<String, Double> m = RetrainReference.of(logits, byClass).result().metrics();
      assertThat(m.get("tv_to_retrain_forget")).isZero();
      assertThat(m.get("tv_to_retrain_forget_test")).isZero();
      assertThat(m.get("mia_nn")).isBetween(0.0, 100.0);
      SplitLogits randomLogits = SplitLogits.of(net, random);
      assertThat(randomLogits.testForgotten()).isEmpty();
      assertThat(RetrainReference.of(randomLogits, random).result().metrics())
          .doesNotContainKeys("mia_nn", "tv_to_retrain_forget", "tv_to_retrain_forget_test");
      assertThat(Audit.DEFINITIONS).containsKeys("mia_nn", "tv_to_retrain_forget", "tv_to_retrain_forget_test");
    }
  }
}
