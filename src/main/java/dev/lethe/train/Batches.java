package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.data.Dataset;
import java.nio.FloatBuffer;

/** Turns rows of a {@link Dataset} into tensors owned by a step's manager. */
public final class Batches {
  private Batches() {}

  /**
   * The clean images of {@code rows} as an N x C x H x W float tensor: what evaluation, attacks, saliency and
   * embedding passes read. Training batches come from {@link BatchStream#images}, which augments.
   */
  public static NDArray images(NDManager manager, Dataset data, int[] rows) {
    return tensor(manager, data, gather(data, rows), rows.length);
  }

  /** The pixels of {@code rows}, in order, in a new array. */
  static float[] gather(Dataset data, int[] rows) {
    float[] buffer = new float[rows.length * data.imageSize()];
    data.gather(rows, buffer);
    return buffer;
  }

  /** {@code count} images of {@code data}'s shape held in {@code pixels}, as a tensor. */
  static NDArray tensor(NDManager manager, Dataset data, float[] pixels, int count) {
    return manager.create(
        FloatBuffer.wrap(pixels),
        new ai.djl.ndarray.types.Shape(count, data.channels(), data.height(), data.width()));
  }

  /** The labels of {@code rows} as an int64 vector. */
  public static NDArray labels(NDManager manager, Dataset data, int[] rows) {
    long[] labels = new long[rows.length];
    for (int i = 0; i < rows.length; i++) {
      labels[i] = data.label(rows[i]);
    }
    return manager.create(labels);
  }

  /** Arbitrary int labels as an int64 vector (random labels, shadow classes). */
  public static NDArray labels(NDManager manager, int[] labels) {
    long[] out = new long[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = labels[i];
    }
    return manager.create(out);
  }
}
