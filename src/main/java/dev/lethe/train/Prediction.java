package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import java.util.function.UnaryOperator;

/**
 * Logits (or embeddings) of a network for a whole split, in eval mode (BatchNorm running statistics). Convolutional
 * networks read channels-last batches ({@link Batches#imagesChannelsLast}): the same logits, sooner.
 */
public final class Prediction {
  private static final int BATCH = 500;

  private Prediction() {}

  /** One row of logits per sample of {@code data}, in dataset order. */
  public static float[][] logits(Network network, Dataset data) {
    return rows(network, data, images -> network.forward(images, false));
  }

  /**
   * One eval-mode embedding ({@link Network#embed}) per sample of {@code data}, in dataset order; a one-line
   * {@link dev.lethe.LetheException} if the network has no embedding tap.
   */
  public static float[][] embeddings(Network network, Dataset data) {
    return rows(network, data, images -> network.embed(images, false));
  }

  /** {@code pass} applied to the clean images of {@code data}, {@value #BATCH} at a time: one row per sample. */
  private static float[][] rows(Network network, Dataset data, UnaryOperator<NDArray> pass) {
    float[][] out = new float[data.size()][];
    for (int start = 0; start < data.size(); start += BATCH) {
      int n = Math.min(BATCH, data.size() - start);
      int[] rows = new int[n];
      for (int i = 0; i < n; i++) {
        rows[i] = start + i;
      }
      try (NDManager step = network.manager().newSubManager()) {
        // An mlp flattens its input first, which would copy a channels-last batch of several channels back.
        NDArray images = network.readsChannelsLast()
            ? Batches.imagesChannelsLast(step, data, rows)
            : Batches.images(step, data, rows);
        NDArray result = pass.apply(images);
        int k = (int) result.getShape().get(1);
        float[] flat = result.toFloatArray();
        for (int i = 0; i < n; i++) {
          float[] row = new float[k];
          System.arraycopy(flat, i * k, row, 0, k);
          out[start + i] = row;
        }
      }
    }
    return out;
  }
}
