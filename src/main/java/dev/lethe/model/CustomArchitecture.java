package dev.lethe.model;

import ai.djl.nn.Block;
import dev.lethe.LetheException;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A network of your own design ({@link Architecture#custom} documents the parameters): a name, the input shape,
 * the number of classes and the two block factories. {@link Network#create} checks the blocks fit: they take the
 * input shape, the head outputs {@code classes} logits, and every call builds a new block.
 *
 * @param name how results, the store and messages name the network
 * @param channels input channels
 * @param height input height
 * @param width input width
 * @param classes output classes
 * @param features builds a new features block on every call
 * @param head builds a new head block with the given number of outputs
 */
public record CustomArchitecture(
    String name, int channels, int height, int width, int classes, Supplier<Block> features,
    IntFunction<Block> head) implements Architecture {
  /** Rejects a name that cannot be part of a file name or key, a non-positive shape and missing factories. */
  public CustomArchitecture {
    if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
      throw new LetheException("network name '" + name + "' must be letters, digits, '.', '_' or '-'");
    }
    if (channels <= 0 || height <= 0 || width <= 0 || classes < 2) {
      throw new LetheException("network " + name + ": invalid input shape " + channels + "x" + height + "x" + width
          + " with " + classes + " classes: every dimension must be positive and there must be at least 2 classes");
    }
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(head, "head");
  }

  @Override
  public CustomArchitecture withClasses(int newClasses) {
    return new CustomArchitecture(name, channels, height, width, newClasses, features, head);
  }
}
