package dev.lethe.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What a {@link Network} is built from: one of the built-in architectures ({@link ModelSpec}: mlp, cnn,
 * cnn-nobn, resnet18) or a network of your own ({@link CustomArchitecture}, made by {@link #custom}). Every
 * network is {@code SequentialBlock(features, head)}: {@code features} maps an image to its penultimate
 * embedding, {@code head} maps that to one logit per class. Unlearning methods copy the original and some
 * start fresh twins (retraining, Bad Teacher's random teacher, ManiF-SMC's surrogate ends), and Boundary
 * Expanding widens the head by one class, so an architecture builds new, uninitialised blocks on request
 * rather than wrapping block instances (DJL blocks cannot be deep-copied).
 */
public sealed interface Architecture permits ModelSpec, CustomArchitecture {
  /** The name results, cache keys and messages know it by: {@code cnn}, or the name of your own network. */
  String name();

  /** Input channels. */
  int channels();

  /** Input height. */
  int height();

  /** Input width. */
  int width();

  /** Output classes: the head's size. */
  int classes();

  /** The same architecture with a head of {@code classes} outputs. */
  Architecture withClasses(int classes);

  /**
   * A network of your own design: any DJL block with a features/head split.
   *
   * @param name how results, the artifact store and messages name it ({@code [A-Za-z0-9._-]+}); the store tells
   *     networks of your own apart by this name and their parameter layout, so rename it when you change what
   *     it computes without changing its parameters
   * @param input the shape of one image, (channels, height, width)
   * @param classes number of classes, at least 2; {@code head.apply(classes)} must output that many logits
   * @param features builds a new, uninitialised features block on every call (called once per network and per
   *     copy); its output is the embedding, a batch x d matrix for the methods that need an embedding tap
   *     ({@link Network.Part#EMBEDDING})
   * @param head builds a new, uninitialised head with the given number of outputs, e.g.
   *     {@code k -> Linear.builder().setUnits(k).build()} (a single {@code Linear} is a
   *     {@link Network.Part#LINEAR_HEAD})
   */
  static CustomArchitecture custom(
      String name, Shape input, int classes, Supplier<Block> features, IntFunction<Block> head) {
    if (input == null || input.dimension() != 3) {
      throw new dev.lethe.LetheException("network " + name + ": the input shape must be (channels, height, width), got "
          + input);
    }
    return new CustomArchitecture(
        name, (int) input.get(0), (int) input.get(1), (int) input.get(2), classes, features, head);
  }

  /**
   * {@code members} independent copies of {@code member} trained as one network with grouped convolutions, so one
   * SGD step on it is one step of every member (what {@code GroupedThroughput} times). Member g's image is input
   * channels {@code [g C, (g+1) C)} and its logits are outputs {@code [g K, (g+1) K)}; its every parameter is the
   * g-th of {@code members} equal chunks along axis 0 of the grouped one (the head's reshaped to the Linear
   * weight's K x d).
   *
   * @param member a built-in {@code cnn} or {@code cnn-nobn}; any other architecture is a {@link
   *     dev.lethe.LetheException}
   * @param members at least 2
   */
  static CustomArchitecture grouped(Architecture member, int members) {
    if (!(member instanceof ModelSpec spec)) {
      throw new dev.lethe.LetheException("network " + member.name() + " is your own: only the built-in cnn and"
          + " cnn-nobn train as one grouped network");
    }
    return Architectures.grouped(spec, members);
  }
}
