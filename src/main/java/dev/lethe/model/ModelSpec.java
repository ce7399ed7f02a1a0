package dev.lethe.model;

import dev.lethe.LetheException;
import java.util.List;

/**
 * What a network is: architecture name, input shape, number of classes and base width. Two networks with
 * equal specs have identical parameter names and shapes, which is what copies and checkpoints rely on.
 *
 * @param architecture one of {@link #ARCHITECTURES}
 * @param channels input channels
 * @param height input height
 * @param width input width
 * @param classes number of output classes
 * @param baseWidth width knob: hidden units for {@code mlp}, first-stage channels for {@code cnn},
 *     {@code cnn-nobn} (the cnn without BatchNorm) and {@code resnet18}
 */
public record ModelSpec(
    String architecture, int channels, int height, int width, int classes, int baseWidth) {

  /** The architectures Lethe can build. */
  public static final List<String> ARCHITECTURES = List.of("mlp", "cnn", "cnn-nobn", "resnet18");

  /** Validates every field. */
  public ModelSpec {
    if (!ARCHITECTURES.contains(architecture)) {
      throw new LetheException(
          "unknown model '" + architecture + "': choose one of " + String.join(", ", ARCHITECTURES));
    }
    if (channels <= 0 || height <= 0 || width <= 0 || classes < 2) {
      throw new LetheException(
          "invalid input shape " + channels + "x" + height + "x" + width + " with " + classes
              + " classes: every dimension must be positive and there must be at least 2 classes");
    }
    if (baseWidth <= 0) {
      throw new LetheException("model width must be positive, got " + baseWidth);
    }
  }

  /** Whether the architecture starts with convolutions: every one but {@code mlp}. */
  public boolean convolutional() {
    return !architecture.equals("mlp");
  }

  /** The default base width of an architecture (mlp 256 hidden units, cnn and cnn-nobn 16 channels, resnet18 64). */
  public static int defaultWidth(String architecture) {
    return switch (architecture) {
      case "mlp" -> 256;
      case "cnn", "cnn-nobn" -> 16;
      case "resnet18" -> 64;
      default -> throw new LetheException(
          "unknown model '" + architecture + "': choose one of " + String.join(", ", ARCHITECTURES));
    };
  }
}
