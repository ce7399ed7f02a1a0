package dev.lethe.unlearn.blocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Batches;
import dev.lethe.train.Losses;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AttacksTest {
  private static final TrainConfig TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  private static final ForgetTask TASK = TinyData.task("random:0.25", 3);
  private static final double EPSILON = 0.1;

  private static Network trained;

  @BeforeAll
  static void train() {
    trained = Network.create(TinyData.cnn(4), 1);
    Training.fit(trained, TASK.pool(), TRAINING, 1, "original", Progress.silent());
    assertThat(TinyData.accuracy(trained, TASK.pool())).isEqualTo(1.0);
  }

  @AfterAll
  static void close() {
    trained.close();
  }

  private static int[] allRows(Dataset data) {
    int[] rows = new int[data.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i;
    }
    return rows;
  }

  @Test
  void fgsmTakesOneSignedStepOnThePixelGridAndRaisesTheLoss() {
    Dataset data = TASK.pool();
    byte[] before = TinyData.paramBytes(trained);
    try (NDManager step = trained.manager().newSubManager()) {
      NDArray images = Batches.images(step, data, allRows(data));
      NDArray labels = Batches.labels(step, data, allRows(data));
      NDArray adversarial = Attacks.fgsm(trained, step, images, labels, EPSILON);
      assertThat(adversarial.getShape()).isEqualTo(images.getShape());
      float[] x = images.toFloatArray();
      float[] a = adversarial.toFloatArray();
      int fullSteps = 0;
      for (int i = 0; i < x.length; i++) {
        assertThat(a[i]).isBetween(0f, 1f);
        assertThat((double) Math.abs(a[i] - x[i])).isLessThanOrEqualTo(EPSILON + 0.5 / 255 + 1e-6);
        assertThat((double) Math.abs(a[i] * 255 - Math.round(a[i] * 255))).isLessThan(1e-3);
        if (Math.abs(a[i] - x[i]) >= EPSILON - 0.5 / 255 - 1e-6) {
          fullSteps++;
        }
      }
      // a signed step moves every pixel with a non-zero gradient by the full ε unless clamped; a step
      // along the raw gradient would move almost none that far
      assertThat(fullSteps).isGreaterThan(x.length / 4);
      double clean = Losses.crossEntropy(trained.forward(images, false), labels).getFloat();
      double attacked = Losses.crossEntropy(trained.forward(adversarial, false), labels).getFloat();
      assertThat(attacked).isGreaterThan(clean + 0.1);
      // the images themselves are not modified in place
      assertThat(images.toFloatArray()).isEqualTo(x);
    }
    for (Parameter p : trained.trainableParameters()) {
      assertThat(p.getArray().getGradient().abs().max().getFloat()).as(p.getName()).isZero();
    }
    assertThat(TinyData.paramBytes(trained)).isEqualTo(before);
  }

  @Test
  void inputGradientIsPerSample() {
    Dataset data = TASK.pool();
    int[] rows = allRows(data);
    try (NDManager step = trained.manager().newSubManager()) {
      float[] batch =
          Attacks.inputGradient(trained, step, Batches.images(step, data, rows), Batches.labels(step, data, rows))
              .toFloatArray();
      float[] single =
          Attacks.inputGradient(trained, step, Batches.images(step, data, new int[] {5}),
                  Batches.labels(step, data, new int[] {5}))
              .toFloatArray();
      int size = data.imageSize();
      for (int i = 0; i < size; i++) {
        assertThat(batch[5 * size + i]).isCloseTo(single[i], within(1e-5f));
      }
      assertThat(single).isNotEqualTo(new float[size]);
    }
  }

  @Test
  void pgdL2FlipsEveryPredictionWithinItsRadiusAndLabelsItWithTheWrongPrediction() {
    Dataset data = TASK.pool();
    int[] rows = allRows(data);
    byte[] before = TinyData.paramBytes(trained);
    try (NDManager step = trained.manager().newSubManager()) {
      NDArray images = Batches.images(step, data, rows);
      NDArray labels = Batches.labels(step, data, rows);
      float[] x = images.toFloatArray();
      Attacks.L2Adversarial a = Attacks.pgdL2(trained, step, images, labels, 0.25, 10, 5);
      assertThat(a.images().getShape()).isEqualTo(images.getShape());
      float[] adv = a.images().toFloatArray();
      long[] predicted = trained.forward(a.images(), false).argMax(1).toLongArray();
      int size = data.imageSize();
      boolean doubled = false;
      for (int i = 0; i < rows.length; i++) {
        assertThat(a.found()[i]).as("row %d", i).isTrue();
        assertThat(a.labels()[i]).as("row %d", i).isNotEqualTo(data.label(i)).isEqualTo((int) predicted[i]);
        double sum = 0;
        for (int j = i * size; j < (i + 1) * size; j++) {
          assertThat(adv[j]).isBetween(0f, 1f);
          sum += (adv[j] - x[j]) * (double) (adv[j] - x[j]);
        }
        assertThat(Math.sqrt(sum)).isCloseTo(a.distances()[i], within(1e-4));
        assertThat(a.distances()[i]).as("row %d", i).isLessThanOrEqualTo(a.epsilons()[i] * (1 + 1e-4)).isPositive();
        doubled |= a.epsilons()[i] > 0.25;
      }
      // the classes are 4.5 apart in L2: the first radius is too small for some rows
      assertThat(doubled).isTrue();
      assertThat(images.toFloatArray()).isEqualTo(x);
      // no random start: deterministic
      Attacks.L2Adversarial again = Attacks.pgdL2(trained, step, images, labels, 0.25, 10, 5);
      assertThat(again.images().toFloatArray()).isEqualTo(adv);
      assertThat(again.labels()).isEqualTo(a.labels());
    }
    for (Parameter p : trained.trainableParameters()) {
      assertThat(p.getArray().getGradient().abs().max().getFloat()).as(p.getName()).isZero();
    }
    assertThat(TinyData.paramBytes(trained)).isEqualTo(before);
  }

  @Test
  void pgdL2GivesUpAfterItsDoublingsAndStaysWithinTheLastRadius() {
    Dataset data = TASK.pool();
    int[] rows = allRows(data);
    try (NDManager step = trained.manager().newSubManager()) {
      Attacks.L2Adversarial a =
          Attacks.pgdL2(trained, step, Batches.images(step, data, rows), Batches.labels(step, data, rows),
              0.01, 3, 1);
      for (int i = 0; i < rows.length; i++) {
        assertThat(a.found()[i]).isFalse();
        assertThat(a.labels()[i]).isEqualTo(data.label(i));
        assertThat(a.epsilons()[i]).isEqualTo(0.02);
        assertThat(a.distances()[i]).isLessThanOrEqualTo(0.02 * (1 + 1e-4)).isPositive();
      }
    }
  }

  @Test
  void pgdL2RejectsAnEmptyBudgetWithOneLine() {
    Dataset data = TASK.pool();
    int[] rows = {0, 1};
    try (NDManager step = trained.manager().newSubManager()) {
      NDArray images = Batches.images(step, data, rows);
      NDArray labels = Batches.labels(step, data, rows);
      double[][] budgets = {{0, 10, 1}, {-0.1, 10, 1}, {Double.NaN, 10, 1}, {0.1, 0, 1}, {0.1, 10, -1}};
      for (double[] b : budgets) {
        assertThatThrownBy(() -> Attacks.pgdL2(trained, step, images, labels, b[0], (int) b[1], (int) b[2]))
            .isInstanceOf(LetheException.class)
            .hasMessageContaining("pgdL2 needs epsilon > 0")
            .hasMessageNotContaining("\n");
      }
    }
  }
}
