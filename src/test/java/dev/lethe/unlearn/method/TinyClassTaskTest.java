package dev.lethe.unlearn.method;

import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The fixture several method tests share: the tiny task forgetting class 0 and a cnn trained on its pool,
 * trained once per test class and closed after it.
 */
abstract class TinyClassTaskTest {
  static final TrainConfig TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);
  static final ForgetTask CLASS = TinyData.task("class:0", 3);
  static Network original;

  @BeforeAll
  static void trainOriginal() {
    original = TinyData.trainedCnn(CLASS.pool(), TRAINING);
  }

  @AfterAll
  static void closeOriginal() {
    original.close();
  }
}
