package dev.lethe.unlearn.blocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class DistillationTest {
  /** KL([0.75, 0.25] ‖ [0.5, 0.5]) = 0.75 ln 1.5 + 0.25 ln 0.5. */
  private static final double KL_QUARTER = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);

  @Test
  void zeroWhenStudentEqualsTeacher() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(new float[] {1, -2, 0.5f, 3, 3, -7}, new Shape(2, 3));
      for (double t : new double[] {1, 4}) {
        assertThat(Distillation.klPerSample(logits, logits.duplicate(), t).toFloatArray())
            .containsExactly(new float[] {0, 0}, within(1e-6f));
        assertThat(Distillation.kl(logits, logits.duplicate(), t).getFloat()).isCloseTo(0f, within(1e-6f));
        assertThat(Distillation.klElementMean(logits, logits.duplicate(), t).getFloat())
            .isCloseTo(0f, within(1e-6f));
      }
    }
  }

  @Test
  void handComputedTwoClassValuesWithTemperatureSquaredAndBatchMean() {
    float ln3 = (float) Math.log(3);
    try (NDManager m = NDManager.newBaseManager()) {
      // row 0: teacher softmax [0.75, 0.25] against a uniform student; row 1: identical, KL 0
      NDArray student = m.create(new float[] {0, 0, 1, 2}, new Shape(2, 2));
      NDArray teacherT1 = m.create(new float[] {ln3, 0, 1, 2}, new Shape(2, 2));
      assertThat(Distillation.klPerSample(student, teacherT1, 1).toFloatArray())
          .containsExactly(new float[] {(float) KL_QUARTER, 0}, within(1e-6f));
      assertThat(Distillation.kl(student, teacherT1, 1).getFloat())
          .isCloseTo((float) (KL_QUARTER / 2), within(1e-6f));
      // batch x classes mean: the batchmean over the 2 classes
      assertThat(Distillation.klElementMean(student, teacherT1, 1).getFloat())
          .isCloseTo((float) (KL_QUARTER / 4), within(1e-6f));

      // at T = 4 the teacher logits 4 ln 3 soften to the same [0.75, 0.25]; the loss carries T^2 = 16
      NDArray teacherT4 = m.create(new float[] {4 * ln3, 0, 1, 2}, new Shape(2, 2));
      assertThat(Distillation.klPerSample(student, teacherT4, 4).getFloat(0))
          .isCloseTo((float) KL_QUARTER, within(1e-6f));
      assertThat(Distillation.kl(student, teacherT4, 4).getFloat())
          .isCloseTo((float) (16 * KL_QUARTER / 2), within(1e-5f));
      assertThat(Distillation.klElementMean(student, teacherT4, 4).getFloat())
          .isCloseTo((float) (KL_QUARTER / 4), within(1e-6f));
      // and at T = 1 the same logits are much sharper: KL([81/82, 1/82] ‖ uniform)
      double p = 81.0 / 82;
      double sharp = p * Math.log(2 * p) + (1 - p) * Math.log(2 * (1 - p));
      assertThat(Distillation.klPerSample(student, teacherT4, 1).getFloat(0)).isCloseTo((float) sharp, within(1e-6f));
    }
  }

  @Test
  void noGradientReachesTheTeacher() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray student = m.create(new float[] {0.3f, -1, 2, 0, 0.5f, 1}, new Shape(2, 3));
      NDArray teacher = m.create(new float[] {1, 2, -1, 0.2f, 0, 3}, new Shape(2, 3));
      student.setRequiresGradient(true);
      teacher.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(Distillation.kl(student, teacher, 4).add(Distillation.klElementMean(student, teacher, 1)));
      }
      assertThat(teacher.getGradient().toFloatArray()).containsOnly(0f);
      assertThat(student.getGradient().abs().sum().getFloat()).isGreaterThan(0.01f);
      // the gradient of T^2 KL_T wrt the student logits is T (q_s - p_t) / N per row; it sums to 0 per row
      float[] g = student.getGradient().toFloatArray();
      assertThat(g[0] + g[1] + g[2]).isCloseTo(0f, within(1e-6f));
    }
  }

  @Test
  void rejectsBadShapesAndTemperatures() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.zeros(new Shape(2, 3));
      assertThatThrownBy(() -> Distillation.kl(a, m.zeros(new Shape(2, 4)), 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 3)");
      assertThatThrownBy(() -> Distillation.kl(a, a, 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
    }
  }
}
