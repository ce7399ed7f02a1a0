package dev.lethe.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * Builds the supported architectures as {@code SequentialBlock(features, head)}: {@code features} maps an
 * image to its penultimate embedding and {@code head} is the final linear classifier, so embedding taps,
 * head-only statistics and partial freezing need no special cases.
 *
 * <p>{@code resnet18} is the CIFAR variant of He et al., "Deep Residual Learning for Image Recognition"
 * (CVPR 2016): 3x3 stem, no max-pool, [2, 2, 2, 2] basic blocks, global average pooling.
 */
final class Architectures {
  private Architectures() {}

  /** Returns the features block and the head block of {@code spec}. */
  static Block[] build(ModelSpec spec) {
    Block features =
        switch (spec.architecture()) {
          case "mlp" -> mlp(spec.baseWidth());
          case "cnn" -> cnn(spec.baseWidth(), true);
          case "cnn-nobn" -> cnn(spec.baseWidth(), false);
          case "resnet18" -> resnet18(spec.baseWidth());
          default -> throw new IllegalStateException(spec.architecture());
        };
    Block head = Linear.builder().setUnits(spec.classes()).build();
    return new Block[] {features, head};
  }

  private static Block mlp(int hidden) {
    return new SequentialBlock()
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(hidden).build())
        .add(Activation.reluBlock())
        .add(Linear.builder().setUnits(hidden).build())
        .add(Activation.reluBlock());
  }

  /**
   * Two conv stages (3x3 conv, BatchNorm, ReLU, 2x2 max-pool) of {@code width} and {@code 2 width} channels.
   * Without BatchNorm ({@code cnn-nobn}, FastClip's Lipschitz models) the convs carry a bias instead.
   */
  private static Block cnn(int width, boolean batchNorm) {
    SequentialBlock net = new SequentialBlock();
    for (int stage = 0; stage < 2; stage++) {
      net.add(conv(width << stage, 3, 1, 1, !batchNorm));
      if (batchNorm) {
        net.add(BatchNorm.builder().build());
      }
      net.add(Activation.reluBlock()).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
    }
    return net.add(Blocks.batchFlattenBlock());
  }

  private static Block resnet18(int width) {
    SequentialBlock net =
        new SequentialBlock()
            .add(conv(width, 3, 1, 1))
            .add(BatchNorm.builder().build())
            .add(Activation.reluBlock());
    int channels = width;
    for (int stage = 0; stage < 4; stage++) {
      int out = width << stage;
      int stride = stage == 0 ? 1 : 2;
      net.add(basicBlock(out, stride, stride != 1 || out != channels));
      net.add(basicBlock(out, 1, false));
      channels = out;
    }
    return net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
  }

  private static Block basicBlock(int out, int stride, boolean project) {
    SequentialBlock main =
        new SequentialBlock()
            .add(conv(out, 3, stride, 1))
            .add(BatchNorm.builder().build())
            .add(Activation.reluBlock())
            .add(conv(out, 3, 1, 1))
            .add(BatchNorm.builder().build());
    Block skip =
        project
            ? new SequentialBlock().add(conv(out, 1, stride, 0)).add(BatchNorm.builder().build())
            : Blocks.identityBlock();
    return new ParallelBlock(
        list ->
            new NDList(
                Activation.relu(
                    list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow()))),
        List.of(main, skip));
  }

  private static Block conv(int filters, int kernel, int stride, int pad) {
    return conv(filters, kernel, stride, pad, false);
  }

  private static Block conv(int filters, int kernel, int stride, int pad, boolean bias) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(pad, pad))
        .optBias(bias)
        .build();
  }
}
