package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.data.DatasetLoader;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.Splits;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import org.junit.jupiter.api.Test;

/**
 * MIA-NN on a small real case: real Fashion-MNIST, a 3,000-image pool, forgetting Shirt (289 training
 * images, 1,000 test images). The original is an MLP trained into the memorising regime (40 epochs, pool
 * accuracy ≈ 99 %, Shirt train accuracy ≈ 96 % against ≈ 55 % on test); RT is the same recipe on the
 * retain set. An MLP because it memorises this pool in seconds; the small cnn at a similar budget
 * stayed at 92–95 % pool accuracy, too little gap for the attack to see. Measured: original 69.4, RT 53.1.
 */
class NeighbourMembershipFashionMnistTest {
  @Test
  void separatesAnUntouchedOriginalsForgottenClassAndFailsOnRetrain() {
    Splits splits = Splits.of(DatasetLoader.load("fashion-mnist", null), new SplitConfig(3000, 0, 0, 1));
    ForgetTask task = ForgetTask.derive(ForgetSpec.parse("class:Shirt"), splits, 1);
    int shirt = task.forgetClasses()[0];
    TrainConfig recipe = new TrainConfig(40, 64, 0.05, 0.9, 5e-4, LrSchedule.COSINE);
    ModelSpec mlp = new ModelSpec("mlp", 1, 28, 28, 10, 512);
    double original;
    double retrained;
    try (Network net = Training.trainFresh(mlp, task.pool(), recipe, 1, "original", Progress.silent())) {
      original = miaNn(net, task, shirt);
    }
    try (Network net = Training.trainFresh(mlp, task.retain(), recipe, 1, "retrain", Progress.silent())) {
      retrained = miaNn(net, task, shirt);
    }
    assertThat(retrained).isBetween(40.0, 60.0);
    assertThat(original).isGreaterThan(62).isGreaterThan(retrained + 8);
  }

  private static double miaNn(Network net, ForgetTask task, int forgotten) {
    return NeighbourMembership.score(
        Prediction.logits(net, task.forget()), Prediction.logits(net, task.testForgotten()), forgotten);
  }
}
