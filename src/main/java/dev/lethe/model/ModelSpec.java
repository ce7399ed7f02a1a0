package dev.lethe.model;

import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import java.util.List;

/**
 * A built-in architecture ({@link Architecture}): its name, input shape, number of classes and base width. Two
 * networks with equal specs have identical parameter names and shapes, which is what copies and checkpoints
 * rely on.
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
    String architecture, int channels, int height, int width, int classes, int baseWidth) implements Architecture {

  /** The architectures Lethe can build. */
  public static final List<String> ARCHITECTURES = List.of("mlp", "cnn", "cnn-nobn", "resnet18");

  /** The architecture of the default benchmark ({@code --model}'s default). */
  public static final String DEFAULT_ARCHITECTURE = "cnn";

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

  /**
   * {@code architecture} at base width {@code width} for the images and classes of {@code data}.
   *
   * @throws LetheException for an unknown architecture or a non-positive width
   */
  public static ModelSpec of(String architecture, int width, Dataset data) {
    return new ModelSpec(architecture, data.channels(), data.height(), data.width(), data.numClasses(), width);
  }

  /** The architecture's name, such as {@code cnn}. */
  @Override
  public String name() {
    return architecture;
  }

  @Override
  public ModelSpec withClasses(int newClasses) {
    return new ModelSpec(architecture, channels, height, width, newClasses, baseWidth);
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
