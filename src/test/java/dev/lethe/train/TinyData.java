package dev.lethe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.util.Pair;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.Splits;
import dev.lethe.data.TrainTest;
import dev.lethe.model.Architecture;
import dev.lethe.model.CustomArchitecture;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.SplittableRandom;

/** Tiny synthetic datasets, tasks and bitwise snapshots shared by the model, train and unlearn tests. */
public final class TinyData {
  /** The class names of every tiny dataset. */
  public static final List<String> CLASSES = List.of("zero", "one", "two");

  private TinyData() {}

  /**
   * {@code n} images of {@code c}x8x8, label {@code row % 3}: noise in [0, 0.2) everywhere plus a bright
   * band of rows {@code 2k..2k+1} for class k, so the classes are trivially separable.
   */
  public static Dataset separable(String name, int n, int c, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int h = 8;
    int w = 8;
    float[] pixels = new float[n * c * h * w];
    int[] labels = new int[n];
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      ids[i] = i;
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            float v = (float) (0.2 * random.nextDouble());
            if (y / 2 == labels[i]) {
              v += 0.8f;
            }
            pixels[((i * c + ch) * h + y) * w + x] = v;
          }
        }
      }
    }
    return new Dataset(name, c, h, w, pixels, labels, ids, CLASSES);
  }

  /** A copy of {@code data} whose first pixel of every image is NaN. */
  public static Dataset withNaN(Dataset data) {
    float[] pixels = data.pixels().clone();
    for (int i = 0; i < data.size(); i++) {
      pixels[i * data.imageSize()] = Float.NaN;
    }
    return new Dataset(data.name(), data.channels(), data.height(), data.width(), pixels, data.labels(),
        data.ids(), data.classNames());
  }

  /** 64 training and 16 test images of 1x8x8, cut into a 48-image pool and 8 validation images. */
  public static Splits splits(long seed) {
    TrainTest tt = new TrainTest(separable("tiny/train", 64, 1, seed), separable("tiny/test", 16, 1, seed + 1));
    return Splits.of(tt, new SplitConfig(48, 8, 0, seed));
  }

  /** A forget task on {@link #splits}. */
  public static ForgetTask task(String spec, long seed) {
    return ForgetTask.derive(ForgetSpec.parse(spec), splits(seed), seed);
  }

  /** An mlp with {@code hidden} units on 1x8x8 input and 3 classes. */
  public static ModelSpec mlp(int hidden) {
    return new ModelSpec("mlp", 1, 8, 8, 3, hidden);
  }

  /** A cnn (with BatchNorm) of base width {@code width} on 1x8x8 input and 3 classes. */
  public static ModelSpec cnn(int width) {
    return new ModelSpec("cnn", 1, 8, 8, 3, width);
  }

  /**
   * A network of your own on 1x8x8 input and 3 classes, as a user would write it: a 3x3 conv of 4 filters with
   * BatchNorm, ReLU and 2x2 max-pooling, flattened (a 64-wide embedding), and a linear head.
   */
  public static CustomArchitecture ownCnn() {
    return Architecture.custom("tiny-own", new Shape(1, 8, 8), 3,
        () -> new SequentialBlock()
            .add(Conv2d.builder().setFilters(4).setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).build())
            .add(BatchNorm.builder().build())
            .add(Activation.reluBlock())
            .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
            .add(Blocks.batchFlattenBlock()),
        k -> Linear.builder().setUnits(k).build());
  }

  /** The raw bytes of every parameter (BatchNorm statistics included), concatenated in order. */
  public static byte[] paramBytes(Network network) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Pair<String, Parameter> p : network.parameters()) {
      out.writeBytes(p.getValue().getArray().toByteArray());
    }
    return out.toByteArray();
  }

  /** The values of one trainable parameter tensor. */
  public static float[] values(Parameter p) {
    NDArray a = p.getArray();
    return a.toFloatArray();
  }

  /** The raw bits of the eval-mode logits of {@code network} on {@code data}, row-major. */
  public static int[] logitBits(Network network, Dataset data) {
    float[][] logits = Prediction.logits(network, data);
    int k = logits[0].length;
    int[] bits = new int[logits.length * k];
    for (int i = 0; i < logits.length; i++) {
      for (int j = 0; j < k; j++) {
        bits[i * k + j] = Float.floatToRawIntBits(logits[i][j]);
      }
    }
    return bits;
  }

  /** Fraction of {@code data} whose arg-max logit is the label. */
  public static double accuracy(Network network, Dataset data) {
    float[][] logits = Prediction.logits(network, data);
    int correct = 0;
    for (int i = 0; i < logits.length; i++) {
      int best = 0;
      for (int j = 1; j < logits[i].length; j++) {
        if (logits[i][j] > logits[i][best]) {
          best = j;
        }
      }
      if (best == data.label(i)) {
        correct++;
      }
    }
    return (double) correct / data.size();
  }

  /** Mean eval-mode cross-entropy of {@code network} on {@code data}, computed in double in Java. */
  public static double meanCrossEntropy(Network network, Dataset data) {
    float[][] logits = Prediction.logits(network, data);
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (float z : logits[i]) {
        max = Math.max(max, z);
      }
      double s = 0;
      for (float z : logits[i]) {
        s += Math.exp(z - max);
      }
      sum += max + Math.log(s) - logits[i][data.label(i)];
    }
    return sum / logits.length;
  }

  /** A width-4 cnn trained on {@code pool} with {@code config} (seed 1) that fits every image. */
  public static Network trainedCnn(Dataset pool, TrainConfig config) {
    Network net = Network.create(cnn(4), 1);
    Training.fit(net, pool, config, 1, "original", Progress.silent());
    if (accuracy(net, pool) != 1.0) {
      net.close();
      throw new AssertionError("the tiny original does not fit its pool");
    }
    return net;
  }
}
