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
import dev.lethe.LetheException;
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
    return cnnStages(width, batchNorm, 1).add(Blocks.batchFlattenBlock());
  }

  /**
   * The cnn's conv stages, unflattened, for {@code groups} members side by side: every conv has {@code groups}
   * groups of the member's channels each, so member g reads and writes only its own g-th block of channels;
   * BatchNorm, ReLU and max-pooling work per channel and so per member.
   */
  private static SequentialBlock cnnStages(int width, boolean batchNorm, int groups) {
    SequentialBlock net = new SequentialBlock();
    for (int stage = 0; stage < 2; stage++) {
      net.add(conv(groups * (width << stage), 3, 1, 1, !batchNorm, groups));
      if (batchNorm) {
        net.add(BatchNorm.builder().build());
      }
      net.add(Activation.reluBlock()).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
    }
    return net;
  }

  /**
   * {@code members} independent copies of {@code member} (cnn or cnn-nobn) as one network: member g's image is
   * input channels {@code [g C, (g+1) C)}, its logits are outputs {@code [g K, (g+1) K)}, and each of its
   * parameters is the g-th of {@code members} equal chunks along axis 0 of the grouped parameter. The stages are
   * the cnn's with grouped convs ({@link #cnnStages}); the Linear head becomes a grouped conv whose kernel covers
   * the whole final feature map, then a flatten: member g's slice of its weight, reshaped to K x d, is the Linear
   * weight (the flatten of one member's features is channel-major, as the conv kernel is).
   */
  static CustomArchitecture grouped(ModelSpec member, int members) {
    boolean batchNorm = switch (member.architecture()) {
      case "cnn" -> true;
      case "cnn-nobn" -> false;
      default -> throw new LetheException("only cnn and cnn-nobn train as one grouped network (grouped"
          + " convolutions), not " + member.architecture() + ": pick --model cnn");
    };
    if (members < 2) {
      throw new LetheException("a grouped network needs at least 2 members, got " + members);
    }
    int width = member.baseWidth();
    Shape input = new Shape(members * member.channels(), member.height(), member.width());
    Shape map = cnnStages(width, batchNorm, members).getOutputShapes(new Shape[] {new Shape(1).addAll(input)})[0];
    Shape kernel = new Shape(map.get(2), map.get(3));
    return Architecture.custom(member.name() + "-grouped" + members, input, members * member.classes(),
        () -> cnnStages(width, batchNorm, members),
        classes -> new SequentialBlock()
            .add(Conv2d.builder().setFilters(classes).setKernelShape(kernel).optGroups(members).build())
            .add(Blocks.batchFlattenBlock()));
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
    return conv(filters, kernel, stride, pad, false, 1);
  }

  private static Block conv(int filters, int kernel, int stride, int pad, boolean bias, int groups) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(pad, pad))
        .optBias(bias)
        .optGroups(groups)
        .build();
  }
}
