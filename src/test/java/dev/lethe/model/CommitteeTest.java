package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.data.Dataset;
import dev.lethe.train.Prediction;
import dev.lethe.train.TinyData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CommitteeTest {
  private static final Dataset IMAGES = TinyData.separable("tiny", 12, 1, 5);
  private static final List<Network> MEMBERS = new ArrayList<>();

  @BeforeAll
  static void members() {
    for (long seed = 1; seed <= 3; seed++) {
      MEMBERS.add(Network.create(TinyData.cnn(4), seed));
    }
  }

  @AfterAll
  static void close() {
    MEMBERS.forEach(Network::close);
  }

  private static float[][][] memberLogits() {
    float[][][] out = new float[MEMBERS.size()][][];
    for (int s = 0; s < out.length; s++) {
      out[s] = Prediction.logits(MEMBERS.get(s), IMAGES);
    }
    return out;
  }

  @Test
  void softmaxIsTheLogOfTheMembersMeanProbabilities() {
    float[][][] members = memberLogits();
    try (Network committee = Committee.of(MEMBERS, Committee.Aggregation.SOFTMAX)) {
      float[][] logits = Prediction.logits(committee, IMAGES);
      for (int i = 0; i < logits.length; i++) {
        for (int k = 0; k < 3; k++) {
          double mean = 0;
          for (float[][] m : members) {
            double norm = 0;
            for (float z : m[i]) {
              norm += Math.exp(z);
            }
            mean += Math.exp(m[i][k]) / norm / members.length;
          }
          assertThat((double) logits[i][k]).isCloseTo(Math.log(mean), within(1e-5));
        }
      }
    }
  }

  @Test
  void voteIsTheSmoothedShareOfTheMembersArgmaxLabels() {
    float[][][] members = memberLogits();
    try (Network committee = Committee.of(MEMBERS, Committee.Aggregation.VOTE)) {
      float[][] logits = Prediction.logits(committee, IMAGES);
      for (int i = 0; i < logits.length; i++) {
        int[] votes = new int[3];
        for (float[][] m : members) {
          int best = 0;
          for (int k = 1; k < 3; k++) {
            best = m[i][k] > m[i][best] ? k : best;
          }
          votes[best]++;
        }
        for (int k = 0; k < 3; k++) {
          assertThat((double) logits[i][k]).isCloseTo(Math.log((votes[k] + 1.0 / 3) / 4), within(1e-6));
        }
      }
    }
  }

  @Test
  void itCopiesTheMembersAndLeavesThemTheCallers() {
    byte[] before = TinyData.paramBytes(MEMBERS.get(0));
    try (Network committee = Committee.of(MEMBERS, Committee.Aggregation.VOTE)) {
      assertThat(committee.parameters()).hasSize(3 * MEMBERS.get(0).parameters().size());
      try (Network copy = committee.copy()) {
        assertThat(TinyData.logitBits(copy, IMAGES)).isEqualTo(TinyData.logitBits(committee, IMAGES));
      }
    }
    assertThat(TinyData.paramBytes(MEMBERS.get(0))).isEqualTo(before);
  }
}
