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

  /**
   * The images of {@code rows} as the same logical N x C x H x W tensor as {@link #images}, stored
   * channels-last (N x H x W x C in memory, permuted to NCHW without a copy). PyTorch's oneDNN convolutions
   * then work on the layout directly instead of reordering every input and output, and BatchNorm, ReLU and
   * pooling keep it: eval-mode logits of cnn and cnn-nobn come out bitwise equal (resnet18's within 4e-6)
   * and about 25 % sooner (BENCHMARKS.md, "Training step: channels-last"). Not for training: PyTorch's
   * channels-last batch-norm kernel sums batch statistics in float32 rather than float64, which moves
   * training-mode outputs by about 1e-4 relative.
   */
  public static NDArray imagesChannelsLast(NDManager manager, Dataset data, int[] rows) {
    int channels = data.channels();
    int plane = data.height() * data.width();
    float[] buffer = gather(data, rows);
    if (channels > 1) {
      float[] interleaved = new float[buffer.length];
      for (int image = 0; image < rows.length; image++) {
        int base = image * data.imageSize();
        for (int c = 0; c < channels; c++) {
          for (int p = 0; p < plane; p++) {
            interleaved[base + p * channels + c] = buffer[base + c * plane + p];
          }
        }
      }
      buffer = interleaved;
    }
    // With one channel the bytes are those of images(), but only the permuted view's strides (HW, 1, W, 1)
    // make PyTorch pick its channels-last kernels: it reads a contiguous N x 1 x H x W tensor as NCHW.
    NDArray nhwc = manager.create(
        FloatBuffer.wrap(buffer), new ai.djl.ndarray.types.Shape(rows.length, data.height(), data.width(), channels));
    return nhwc.transpose(0, 3, 1, 2);
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
