package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The layers of a network whose spectral norms Lethe measures and clips, in forward order, each with the
 * input shape it really sees: conv and linear layers as the exact linear operators they are at that size
 * (padding, stride and dilation included), and BatchNorm layers with their eval-mode per-channel scale.
 * Found by walking the block tree with {@code getOutputShapes}: {@link SequentialBlock} children in order,
 * {@link ParallelBlock} branches (resnet18's residual units) each from the unit's input. This is the layer
 * view of FastClip (Ebrahimpour-Boroojeny et al., "Spectrum Extraction and Clipping for Implicitly Linear
 * Layers", AISTATS 2024), which treats every such layer as one implicitly linear map.
 */
public final class Layers {
  private Layers() {}

  /** A conv, linear or BatchNorm layer with its name and the shape of one input sample. */
  public sealed interface Layer permits Affine, Norm {
    /** The layer's parameter-name prefix, e.g. {@code 01SequentialBlock_05Conv2d}. */
    String name();

    /** The input of one sample, batch dimension 1 included (e.g. {@code (1, 16, 14, 14)}). */
    Shape input();

    /** A short description: {@code conv 3x3 s1 p1}, {@code linear} or {@code batchnorm}. */
    String kind();
  }

  /**
   * A conv or linear layer. Its linear part M(x) = layer(x) - layer(0) is the layer without its bias,
   * which {@link #apply} computes with DJL's functional form on any weight tensor of the layer's shape.
   *
   * @param name parameter-name prefix
   * @param input shape of one input sample
   * @param output shape of that sample's output
   * @param block the {@link Conv2d} or {@link Linear} block
   */
  public record Affine(String name, Shape input, Shape output, Block block) implements Layer {
    /** True for a convolution, false for a dense layer. */
    public boolean isConv() {
      return block instanceof Conv2d;
    }

    /** The weight parameter (the bias is not part of the linear operator). */
    public Parameter weight() {
      return block.getParameters().get("weight");
    }

    /** Scalars in one input, the n of the n x k PowerQR matrix. */
    public long inputSize() {
      return input.size();
    }

    /** The largest number of non-zero singular values: min(input size, output size). */
    public long rankBound() {
      return Math.min(input.size(), output.size());
    }

    @Override
    public String kind() {
      if (block instanceof Conv2d c) {
        return "conv " + c.getKernelShape().get(0) + "x" + c.getKernelShape().get(1) + " s"
            + c.getStride().get(0) + " p" + c.getPadding().get(0);
      }
      return "linear";
    }

    /** M(x) for a batch {@code x} of inputs with weight {@code weight}: the layer without its bias. */
    public NDArray apply(NDArray x, NDArray weight) {
      if (block instanceof Conv2d c) {
        return Conv2d.conv2d(x, weight, null, c.getStride(), c.getPadding(), c.getDilation(), c.getGroups())
            .singletonOrThrow();
      }
      return Linear.linear(x, weight).singletonOrThrow();
    }
  }

  /**
   * A BatchNorm layer. In eval mode it is y = gamma (x - mean) / sqrt(var + eps) + beta per channel, so its
   * spectral norm is max_c |gamma_c| / sqrt(var_c + eps).
   *
   * @param name parameter-name prefix
   * @param input shape of one input sample
   * @param block the BatchNorm block
   */
  public record Norm(String name, Shape input, BatchNorm block) implements Layer {
    @Override
    public String kind() {
      return "batchnorm";
    }

    /** max_c |gamma_c| / sqrt(running_var_c + eps), read off the block's own eval-mode forward. */
    public double spectralNorm() {
      NDArray gamma = block.getParameters().get("gamma").getArray();
      long[] probe = new long[input.dimension()];
      Arrays.fill(probe, 1);
      probe[1] = input.get(1);
      try (NDManager m = gamma.getManager().newSubManager()) {
        ParameterStore store = new ParameterStore(m, false);
        NDArray one = block.forward(store, new NDList(m.ones(new Shape(probe))), false).singletonOrThrow();
        NDArray zero = block.forward(store, new NDList(m.zeros(new Shape(probe))), false).singletonOrThrow();
        return one.sub(zero).abs().max().getFloat();
      }
    }
  }

  /** Every conv, linear and BatchNorm layer of {@code network}, in forward order. */
  public static List<Layer> of(Network network) {
    return of(network.block(), network.inputShape(1));
  }

  /** Every conv, linear and BatchNorm layer of {@code root} fed one input of {@code input}, in order. */
  public static List<Layer> of(Block root, Shape input) {
    List<Layer> out = new ArrayList<>();
    walk(root, "", input, out);
    return out;
  }

  /** The conv and linear layers of {@code network}, in forward order. */
  public static List<Affine> affine(Network network) {
    return of(network).stream().filter(l -> l instanceof Affine).map(l -> (Affine) l).toList();
  }

  /**
   * The input every conv and linear layer of {@code network} receives when {@code images} run through it in eval
   * mode, keyed by {@link Layer#name}, in forward order: the forward pass walked as {@link #of} walks the shapes
   * (the data-driven statistics of ModHiFi need what each layer sees, and DJL blocks have no forward hooks). A
   * residual unit's output comes from its own forward, so its branches run twice; a block of your own that is
   * neither sequential nor parallel runs whole and its inner layers are not listed. The arrays belong to
   * {@code images}' manager.
   */
  public static Map<String, NDArray> inputs(Network network, NDArray images) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    forward(network.block(), "", images, network.store(), out);
    return out;
  }

  private static NDArray forward(Block block, String name, NDArray x, ParameterStore store, Map<String, NDArray> out) {
    if (block instanceof Conv2d || block instanceof Linear) {
      out.put(name, x);
    } else if (block instanceof SequentialBlock) {
      NDArray y = x;
      for (Pair<String, Block> child : block.getChildren()) {
        y = forward(child.getValue(), join(name, child.getKey()), y, store, out);
      }
      return y;
    } else if (block instanceof ParallelBlock) {
      for (Pair<String, Block> branch : block.getChildren()) {
        forward(branch.getValue(), join(name, branch.getKey()), x, store, out);
      }
    }
    return block.forward(store, new NDList(x), false).singletonOrThrow();
  }

  /**
   * An upper bound on the Lipschitz constant (L2) of {@code network} in eval mode from per-layer spectral
   * norms keyed by layer name: the product along a sequence, the sum over the branches of a residual unit
   * (whose join adds them), and 1 for every parameter-free block Lethe builds (ReLU, max pooling over
   * disjoint windows, global average pooling, flatten, identity), all of which are 1-Lipschitz.
   */
  public static double lipschitzBound(Network network, Map<String, Double> norms) {
    return bound(network.block(), "", norms);
  }

  private static Shape walk(Block block, String name, Shape input, List<Layer> out) {
    if (block instanceof Conv2d || block instanceof Linear) {
      Shape output = block.getOutputShapes(new Shape[] {input})[0];
      out.add(new Affine(name, input, output, block));
      return output;
    }
    if (block instanceof BatchNorm bn) {
      out.add(new Norm(name, input, bn));
      return input;
    }
    if (block instanceof SequentialBlock) {
      Shape shape = input;
      for (Pair<String, Block> child : block.getChildren()) {
        shape = walk(child.getValue(), join(name, child.getKey()), shape, out);
      }
      return shape;
    }
    if (block instanceof ParallelBlock) {
      for (Pair<String, Block> branch : block.getChildren()) {
        walk(branch.getValue(), join(name, branch.getKey()), input, out);
      }
    }
    return block.getOutputShapes(new Shape[] {input})[0];
  }

  private static double bound(Block block, String name, Map<String, Double> norms) {
    if (block instanceof Conv2d || block instanceof Linear || block instanceof BatchNorm) {
      Double norm = norms.get(name);
      if (norm == null) {
        throw new IllegalArgumentException("no spectral norm for layer " + name + " among "
            + norms.keySet().stream().sorted().collect(Collectors.joining(", ")));
      }
      return norm;
    }
    double total = block instanceof ParallelBlock ? 0 : 1;
    for (Pair<String, Block> child : block.getChildren()) {
      double b = bound(child.getValue(), join(name, child.getKey()), norms);
      total = block instanceof ParallelBlock ? total + b : total * b;
    }
    return total;
  }

  private static String join(String prefix, String key) {
    return prefix.isEmpty() ? key : prefix + "_" + key;
  }
}
