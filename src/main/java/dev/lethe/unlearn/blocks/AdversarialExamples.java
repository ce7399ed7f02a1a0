package dev.lethe.unlearn.blocks;

import ai.djl.ndarray.NDManager;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import dev.lethe.train.Batches;
import java.util.Arrays;

/**
 * {@link Attacks#pgdL2} run over a whole dataset: AMUN's adversarial set D_A (Ebrahimpour-Boroojeny et al.,
 * ICML 2025, code {@code Ali-E/AMUN}), and the nearest wrong class of every image, which Boundary Shrinking
 * can use in place of its FGSM label (Chen et al., CVPR 2023).
 */
public final class AdversarialExamples {
  private AdversarialExamples() {}

  /**
   * D_A: for every row of {@code data} whose {@link Attacks#pgdL2} attack on {@code frozen} succeeds, the
   * adversarial image labelled with {@code frozen}'s prediction on it (never the row's true label), with
   * the row's id; rows whose attack fails are left out. The L2 distance of every row's final image to its
   * original (flipped or not) is written into {@code distances}.
   */
  public static Dataset dataset(
      Network frozen, Dataset data, double epsilon, int steps, int maxDoublings, int batchSize,
      double[] distances) {
    int size = data.imageSize();
    float[] pixels = new float[data.size() * size];
    int[] labels = new int[data.size()];
    int[] ids = new int[data.size()];
    int[] kept = {0};
    attackInChunks(frozen, data, epsilon, steps, maxDoublings, batchSize, (row, image, attack, i) -> {
      distances[row] = attack.distances()[i];
      if (attack.found()[i]) {
        System.arraycopy(image, i * size, pixels, kept[0] * size, size);
        labels[kept[0]] = attack.labels()[i];
        ids[kept[0]] = data.id(row);
        kept[0]++;
      }
    });
    return new Dataset(data.name() + "/adversarial", data.channels(), data.height(), data.width(),
        Arrays.copyOf(pixels, kept[0] * size), Arrays.copyOf(labels, kept[0]),
        Arrays.copyOf(ids, kept[0]), data.classNames());
  }

  /**
   * {@code frozen}'s prediction on the {@link Attacks#pgdL2} adversarial image of every row of {@code data}:
   * a wrong class where the attack succeeds, the true label where it fails.
   */
  public static int[] labels(
      Network frozen, Dataset data, double epsilon, int steps, int maxDoublings, int batchSize) {
    int[] labels = new int[data.size()];
    attackInChunks(frozen, data, epsilon, steps, maxDoublings, batchSize,
        (row, image, attack, i) -> labels[row] = attack.labels()[i]);
    return labels;
  }

  /** Receives the attack's result for one row of the dataset: batch position {@code i} of {@code attack}. */
  private interface AttackedRow {
    void accept(int row, float[] images, Attacks.L2Adversarial attack, int i);
  }

  /**
   * Attacks every row of {@code data} in chunks of {@code batchSize} rows; each row is attacked on its own,
   * so the chunking does not change the result.
   */
  private static void attackInChunks(
      Network frozen, Dataset data, double epsilon, int steps, int maxDoublings, int batchSize,
      AttackedRow sink) {
    for (int start = 0; start < data.size(); start += batchSize) {
      int[] rows = new int[Math.min(batchSize, data.size() - start)];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = start + i;
      }
      try (NDManager step = frozen.manager().newSubManager()) {
        Attacks.L2Adversarial attack =
            Attacks.pgdL2(frozen, step, Batches.images(step, data, rows), Batches.labels(step, data, rows),
                epsilon, steps, maxDoublings);
        float[] images = attack.images().toFloatArray();
        for (int i = 0; i < rows.length; i++) {
          sink.accept(rows[i], images, attack, i);
        }
      }
    }
  }
}
