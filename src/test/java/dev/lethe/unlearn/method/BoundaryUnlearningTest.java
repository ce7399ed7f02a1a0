package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.Training;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.Unlearner;
import dev.lethe.unlearn.blocks.AdversarialExamples;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundaryUnlearningTest extends TinyClassTaskTest {
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  /** A budget large enough to move a tiny network (the defaults are for real datasets). */
  private static final Map<String, String> BUDGET = Map.of("epochs", "3", "batchSize", "8", "lr", "0.05");
  /**
   * The tiny classes differ by a band of +0.8 brightness, so the trained network is robust to the
   * default ε = 0.1 (no label changes); 0.5 moves 15 of the 16 class-0 images across a boundary.
   */
  private static final double EPSILON = 0.5;


  private static Unlearner method(String id, Map<String, String> overrides) {
    Map<String, String> options = new HashMap<>(BUDGET);
    options.putAll(overrides);
    return REGISTRY.get(id).create(options);
  }

  private static int disagreements(int[] labels, Dataset data) {
    int n = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] != data.label(i)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void nearestWrongLabelsMostlyLeaveTheTrueClassAndDoNotDependOnTheBatching() {
    Dataset forget = CLASS.forget();
    byte[] before = TinyData.paramBytes(original);
    int[] labels = BoundaryShrink.nearestWrongLabels(original, forget, EPSILON, 16);
    assertThat(disagreements(labels, forget)).isGreaterThan(forget.size() / 2);
    assertThat(labels).containsAnyOf(0, 1, 2).doesNotContain(-1, 3);
    // the eval-mode attack treats each sample alone: other chunk sizes give the same labels
    assertThat(BoundaryShrink.nearestWrongLabels(original, forget, EPSILON, 3)).isEqualTo(labels);
    // a step too small to cross the boundary keeps the true labels
    assertThat(disagreements(BoundaryShrink.nearestWrongLabels(original, forget, 0.1, 16), forget)).isZero();
    assertThat(TinyData.paramBytes(original)).isEqualTo(before);
  }

  @Test
  void pgdLabelsAreAlwaysAWrongClassWhereFgsmOfTheSameSizeLeavesTheTrueOne() {
    Dataset forget = CLASS.forget();
    // at ε = 0.1 FGSM moves no label (see EPSILON); the doubling PGD radius keeps going until each flips
    int[] labels = AdversarialExamples.labels(original, forget, 0.1, 10, 11, 16);
    assertThat(disagreements(labels, forget)).isEqualTo(forget.size());
    assertThat(disagreements(BoundaryShrink.nearestWrongLabels(original, forget, 0.1, 16), forget)).isZero();
    try (Network out = method("bs", Map.of("epsilon", "0.1", "attack", "pgd"))
        .unlearn(original, CLASS, 1, Progress.silent())) {
      assertThat(TinyData.accuracy(out, CLASS.forget())).isLessThan(0.5);
    }
    assertThatThrownBy(() -> method("bs", Map.of("attack", "cw")))
        .isInstanceOf(LetheException.class).hasMessage("unknown value 'cw' for bs.attack: use fgsm or pgd");
  }

  @Test
  void boundaryShrinkingLowersTheForgetAccuracyAndLeavesTheOriginalUntouched() {
    byte[] before = TinyData.paramBytes(original);
    assertThat(TinyData.accuracy(original, CLASS.forget())).isEqualTo(1.0);
    Unlearner bs = method("bs", Map.of("epsilon", String.valueOf(EPSILON)));
    try (Network a = bs.unlearn(original, CLASS, 7, Progress.silent());
        Network b = bs.unlearn(original, CLASS, 7, Progress.silent())) {
      assertThat(TinyData.accuracy(a, CLASS.forget())).isLessThan(0.5);
      assertThat(a.architecture()).isEqualTo(original.architecture());
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
    }
    assertThat(TinyData.paramBytes(original)).isEqualTo(before);
  }

  @Test
  void boundaryShrinkingWithAStepTooSmallToChangeTheLabelsKeepsTheForgetSet() {
    // with ε = 0.1 every BS label is the true one (see above), so BS is plain fine-tuning on D_f
    try (Network net = method("bs", Map.of("epsilon", "0.1")).unlearn(original, CLASS, 7, Progress.silent())) {
      assertThat(TinyData.accuracy(net, CLASS.forget())).isEqualTo(1.0);
    }
  }

  @Test
  void boundaryExpandingWithATinyRateReturnsTheOriginalFunction() {
    // no BatchNorm, so only the rate moves the network: the pruned head must be the old rows, in order
    try (Network mlp = Training.trainFresh(TinyData.mlp(8), CLASS.pool(), TRAINING, 1, "original",
            Progress.silent());
        Network net = method("be", Map.of("lr", "1e-9", "epochs", "1")).unlearn(mlp, CLASS, 7,
            Progress.silent())) {
      float[][] before = Prediction.logits(mlp, CLASS.pool());
      float[][] after = Prediction.logits(net, CLASS.pool());
      for (int i = 0; i < before.length; i++) {
        for (int j = 0; j < 3; j++) {
          assertThat(after[i][j]).isCloseTo(before[i][j], within(1e-4f));
        }
      }
    }
  }

  @Test
  void boundaryExpandingLowersTheForgetAccuracyAndReturnsTheOriginalSpec() {
    byte[] before = TinyData.paramBytes(original);
    Unlearner be = method("be", Map.of());
    try (Network a = be.unlearn(original, CLASS, 7, Progress.silent());
        Network b = be.unlearn(original, CLASS, 7, Progress.silent())) {
      assertThat(a.architecture()).isEqualTo(original.architecture());
      assertThat(a.layoutSignature()).isEqualTo(original.layoutSignature());
      assertThat(Prediction.logits(a, CLASS.forget())[0]).hasSize(3);
      assertThat(TinyData.accuracy(a, CLASS.forget())).isLessThan(0.5);
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
    }
    assertThat(TinyData.paramBytes(original)).isEqualTo(before);
  }

  @Test
  void badOptionsAreRejectedWithOneLine() {
    for (String eps : new String[] {"0", "-0.1", "1.5"}) {
      assertThatThrownBy(() -> REGISTRY.get("bs").create(Map.of("epsilon", eps)))
          .isInstanceOf(LetheException.class)
          .hasMessageContaining("bs.epsilon must be in (0, 1]")
          .hasMessageNotContaining("\n");
    }
    assertThatThrownBy(() -> REGISTRY.get("bs").create(Map.of("lr", "0")))
        .isInstanceOf(LetheException.class).hasMessageContaining("bs.lr must be a positive number");
    assertThatThrownBy(() -> REGISTRY.get("be").create(Map.of("batchSize", "1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("be.batchSize must be at least 2");
    assertThatThrownBy(() -> REGISTRY.get("be").create(Map.of("epsilon", "0.1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("unknown parameter 'be.epsilon'");
    assertThat(REGISTRY.get("bs").create(Map.of()).options()).isEqualTo(BoundaryShrink.Options.defaults());
  }
}
