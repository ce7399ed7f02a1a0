package dev.lethe.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.lethe.Choice;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Training-time data augmentation, part of the training recipe ({@link TrainConfig#augment}). {@code crop-flip}
 * is the standard CIFAR recipe of the reference unlearning codebases (torchvision's
 * {@code RandomCrop(H, padding=p)} then {@code RandomHorizontalFlip()}, as in OPTML-Group/Unlearn-Saliency
 * {@code Classification/dataset.py} and SFR-on's {@code Classification/dataset/cifar10.py}): zero-pad p pixels on
 * every side, take a random H×W window of the padded image, mirror it left–right with probability 1/2. p is 2 for
 * images up to 28 pixels high (Fashion-MNIST, MNIST) and 4 above (CIFAR's 32), see {@link #padding}. Pixels are
 * in [0, 1] before any normalisation, so the zero padding is black, as torchvision's {@code fill=0}.
 *
 * <p>Only training batches are augmented, through {@link BatchStream#images}; evaluation, attacks, saliency
 * and Fisher passes, embeddings and audits read clean images.
 */
public enum Augmentation implements Choice {
  /** No augmentation: batches are the dataset's images. */
  NONE("none"),
  /** Zero-padded random crop back to the original size, then a horizontal flip with probability 1/2. */
  CROP_FLIP("crop-flip");

  private final String id;

  Augmentation(String id) {
    this.id = id;
  }

  /** The policy named {@code id} ({@code none}, {@code crop-flip}) in JSON; a one-line error listing them otherwise. */
  @JsonCreator
  public static Augmentation parse(String id) {
    return Choice.parse(Augmentation.class, "augmentation", id);
  }

  /** The CLI and JSON name. */
  @JsonValue
  @Override
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }

  /**
   * The crop's zero padding on each side for images {@code height} pixels high: 4 above 28 pixels, the
   * reference codebases' value for 32×32 CIFAR, and 2 up to 28 (Fashion-MNIST), our choice, where the CIFAR
   * ratio H/8 would give a fractional 3.5.
   */
  public static int padding(int height) {
    return height <= 28 ? 2 : 4;
  }

  /**
   * Augments image {@code image} of the N×C×H×W {@code batch} in place, drawing from {@code random} in
   * torchvision's order: the crop's top offset and left offset into the padded image, each uniform in
   * [0, 2p], then the flip. Every channel gets the same crop and flip.
   */
  public void apply(float[] batch, int image, int channels, int height, int width, SplittableRandom random) {
    if (this == NONE) {
      return;
    }
    int p = padding(height);
    int top = random.nextInt(2 * p + 1) - p;
    int left = random.nextInt(2 * p + 1) - p;
    boolean flip = random.nextBoolean();
    int size = channels * height * width;
    int start = image * size;
    float[] source = Arrays.copyOfRange(batch, start, start + size);
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < height; y++) {
        int sy = y + top;
        for (int x = 0; x < width; x++) {
          // the flip mirrors the cropped window: output column x reads window column width-1-x
          int sx = (flip ? width - 1 - x : x) + left;
          boolean inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
          batch[start + (c * height + y) * width + x] = inside ? source[(c * height + sy) * width + sx] : 0f;
        }
      }
    }
  }
}
