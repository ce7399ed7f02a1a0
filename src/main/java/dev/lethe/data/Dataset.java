package dev.lethe.data;

import dev.lethe.LetheException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A labelled image set held in flat arrays: pixels as one N×C×H×W float array with values in [0, 1],
 * one label and one stable id per sample. The id is the sample's index in its source file and survives
 * {@link #select}, so subsets can always be traced back to the file. Batches are copied out with
 * {@link #gather}; no per-sample objects are built.
 *
 * <p>Instances are not copied on construction and {@link #pixels()} exposes the internal array for
 * speed: treat both as read-only. Constructor checks guard against programming errors and throw
 * {@link IllegalArgumentException}; readers validate user files before building a dataset.
 */
public final class Dataset {
  private final String name;
  private final int channels;
  private final int height;
  private final int width;
  private final int imageSize;
  private final float[] pixels;
  private final int[] labels;
  private final int[] ids;
  private final List<String> classNames;
  private volatile String contentHash;

  /**
   * Wraps the given arrays without copying them.
   *
   * @param name a label for messages, such as {@code fashion-mnist/train}
   * @param pixels N×C×H×W values in [0, 1], sample-major then channel-major
   * @param labels one class index per sample, each in [0, classNames.size())
   * @param ids one stable id per sample: its index in the source file
   * @param classNames the name of each class, by index
   */
  public Dataset(
      String name,
      int channels,
      int height,
      int width,
      float[] pixels,
      int[] labels,
      int[] ids,
      List<String> classNames) {
    this.name = Objects.requireNonNull(name, "name");
    this.pixels = Objects.requireNonNull(pixels, "pixels");
    this.labels = Objects.requireNonNull(labels, "labels");
    this.ids = Objects.requireNonNull(ids, "ids");
    this.classNames = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
    String problem = problem(name, channels, height, width, pixels, labels, ids, this.classNames);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.imageSize = channels * height * width;
  }

  /**
   * A dataset of your own from flat pixels: N×C×H×W values in [0, 1], sample-major then channel-major, one label
   * per image. Each image's id is its row, 0 to N-1. The arrays are not copied: treat them as read-only.
   *
   * @param classNames the name of each class, by label
   * @throws LetheException if the arrays do not hold whole images of this shape, one label per image, each label
   *     a class index
   */
  public static Dataset of(
      String name, float[] pixels, int[] labels, List<String> classNames, int channels, int height, int width) {
    Objects.requireNonNull(pixels, "pixels");
    Objects.requireNonNull(labels, "labels");
    int[] ids = new int[labels.length];
    Arrays.setAll(ids, i -> i);
    List<String> names = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
    String problem = problem(name, channels, height, width, pixels, labels, ids, names);
    if (problem != null) {
      throw new LetheException(problem);
    }
    return new Dataset(name, channels, height, width, pixels, labels, ids, names);
  }

  /**
   * As {@link #of(String, float[], int[], List, int, int, int)} from one array of C×H×W values (channel-major)
   * per image; the images are copied into one flat array.
   *
   * @throws LetheException also if an image does not hold C×H×W values
   */
  public static Dataset of(
      String name, float[][] images, int[] labels, List<String> classNames, int channels, int height, int width) {
    long image = (long) channels * height * width;
    float[] pixels = new float[Math.toIntExact(images.length * Math.max(image, 0))];
    for (int i = 0; i < images.length; i++) {
      if (images[i] == null || images[i].length != image) {
        throw new LetheException("dataset " + name + ": image " + i + " holds "
            + (images[i] == null ? 0 : images[i].length) + " values, not " + channels + "x" + height + "x" + width);
      }
      System.arraycopy(images[i], 0, pixels, (int) (i * image), (int) image);
    }
    return of(name, pixels, labels, classNames, channels, height, width);
  }

  /** What is wrong with these arrays as a dataset, in one line, or null if nothing is. */
  private static String problem(String name, int channels, int height, int width, float[] pixels, int[] labels,
      int[] ids, List<String> classNames) {
    if (channels <= 0 || height <= 0 || width <= 0) {
      return "dataset " + name + ": image shape must be positive, got " + channels + "x" + height + "x" + width;
    }
    if (classNames.isEmpty()) {
      return "dataset " + name + ": classNames must not be empty";
    }
    long image = (long) channels * height * width;
    if ((long) labels.length * image != pixels.length) {
      return "dataset " + name + ": " + pixels.length + " pixels do not hold " + labels.length
          + " images of " + channels + "x" + height + "x" + width;
    }
    if (ids.length != labels.length) {
      return "dataset " + name + ": " + ids.length + " ids for " + labels.length + " labels";
    }
    int numClasses = classNames.size();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        return "dataset " + name + ": label " + labels[i] + " of row " + i + " is outside [0, " + numClasses + ")";
      }
    }
    return null;
  }

  /** A label for messages and provenance, such as {@code fashion-mnist/train}. */
  public String name() {
    return name;
  }

  /** Number of channels per image (1 for Fashion-MNIST, 3 for CIFAR). */
  public int channels() {
    return channels;
  }

  /** Image height in pixels. */
  public int height() {
    return height;
  }

  /** Image width in pixels. */
  public int width() {
    return width;
  }

  /** Number of floats per image: channels × height × width. */
  public int imageSize() {
    return imageSize;
  }

  /** Number of samples. */
  public int size() {
    return labels.length;
  }

  /** Number of classes, whether or not every class occurs in this dataset. */
  public int numClasses() {
    return classNames.size();
  }

  /** Class names by index; unmodifiable. */
  public List<String> classNames() {
    return classNames;
  }

  /** The label of one row. */
  public int label(int row) {
    return labels[row];
  }

  /** The stable id (index in the source file) of one row. */
  public int id(int row) {
    return ids[row];
  }

  /** All labels by row; a copy. */
  public int[] labels() {
    return labels.clone();
  }

  /** All stable ids by row; a copy. */
  public int[] ids() {
    return ids.clone();
  }

  /**
   * The internal N×C×H×W pixel array, values in [0, 1]. Not copied, for speed: callers must not
   * modify it.
   */
  public float[] pixels() {
    return pixels;
  }

  /** A new dataset with exactly the given rows in the given order, keeping name and class names. */
  public Dataset select(int[] rows) {
    float[] selected = new float[Math.multiplyExact(rows.length, imageSize)];
    gather(rows, selected);
    int[] selectedLabels = new int[rows.length];
    int[] selectedIds = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      selectedLabels[i] = labels[rows[i]];
      selectedIds[i] = ids[rows[i]];
    }
    return new Dataset(name, channels, height, width, selected, selectedLabels, selectedIds, classNames);
  }

  /** Copies the images of the given rows, in order, into {@code dst[0 .. rows.length × imageSize())}. */
  public void gather(int[] rows, float[] dst) {
    if ((long) rows.length * imageSize > dst.length) {
      throw new IllegalArgumentException(
          "gather of " + rows.length + " images needs " + (long) rows.length * imageSize
              + " floats but dst holds " + dst.length);
    }
    for (int i = 0; i < rows.length; i++) {
      int row = rows[i];
      if (row < 0 || row >= labels.length) {
        throw new IndexOutOfBoundsException("row " + row + " outside dataset " + name + " of size " + labels.length);
      }
      System.arraycopy(pixels, row * imageSize, dst, i * imageSize, imageSize);
    }
  }

  /**
   * SHA-256 (64 hex digits) of the content, independent of the name and class names: the shape
   * (N, C, H, W), the pixels' float bits, the labels and the ids, all big-endian. Computed once.
   */
  public String contentHash() {
    String hash = contentHash;
    if (hash == null) {
      MessageDigest digest = Sha256.newDigest();
      Sha256.updateInts(digest, labels.length, channels, height, width);
      Sha256.updateFloats(digest, pixels);
      Sha256.updateInts(digest, labels);
      Sha256.updateInts(digest, ids);
      hash = Sha256.hex(digest);
      contentHash = hash;
    }
    return hash;
  }

  /**
   * Resolves a class given by index ({@code "5"}) or by name ({@code "Sandal"}). Names match
   * case-insensitively, and also after dropping everything but letters and digits, so
   * {@code "ankle-boot"} finds {@code "Ankle boot"}.
   *
   * @throws LetheException if the text names no class, or more than one, listing the valid classes
   */
  public int classIndex(String nameOrIndex) {
    String text = Objects.requireNonNull(nameOrIndex, "nameOrIndex").strip();
    if (text.matches("\\d{1,9}") && Integer.parseInt(text) < classNames.size()) {
      return Integer.parseInt(text);
    }
    if (text.matches("[-+]?\\d+")) {
      throw new LetheException(
          "class index " + text + " is out of range for " + name + "; valid classes: " + validClasses());
    }
    for (int i = 0; i < classNames.size(); i++) {
      if (classNames.get(i).equalsIgnoreCase(text)) {
        return i;
      }
    }
    String key = normalise(text);
    List<Integer> matches = new ArrayList<>();
    for (int i = 0; i < classNames.size(); i++) {
      if (!key.isEmpty() && normalise(classNames.get(i)).equals(key)) {
        matches.add(i);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.isEmpty()) {
      throw new LetheException(
          "unknown class '" + text + "' for " + name + "; valid classes: " + validClasses());
    }
    throw new LetheException(
        "class '" + text + "' is ambiguous for " + name + " (matches indices " + matches
            + "); give the exact name or the index: " + validClasses());
  }

  /** Rows whose label is {@code cls}, ascending. */
  public int[] rowsOfClass(int cls) {
    if (cls < 0 || cls >= classNames.size()) {
      throw new IllegalArgumentException("class " + cls + " outside [0, " + classNames.size() + ") for " + name);
    }
    int count = 0;
    for (int label : labels) {
      if (label == cls) {
        count++;
      }
    }
    int[] rows = new int[count];
    int next = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == cls) {
        rows[next++] = i;
      }
    }
    return rows;
  }

  @Override
  public String toString() {
    return "Dataset[" + name + ", " + labels.length + " x " + channels + "x" + height + "x" + width
        + ", " + classNames.size() + " classes]";
  }

  private String validClasses() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < classNames.size(); i++) {
      if (i > 0) {
        text.append(", ");
      }
      text.append(i).append('=').append(classNames.get(i));
    }
    return text.toString();
  }

  private static String normalise(String text) {
    StringBuilder key = new StringBuilder(text.length());
    text.codePoints()
        .filter(Character::isLetterOrDigit)
        .map(Character::toLowerCase)
        .forEach(key::appendCodePoint);
    return key.toString();
  }
}
