package dev.lethe.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Small synthetic datasets and IDX byte images shared by the data and command-line tests. */
public final class TestData {
  private TestData() {}

  /** Ten class names "c0".."c9". */
  static List<String> tenClasses() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      names.add("c" + i);
    }
    return names;
  }

  /** n 1×2×2 images whose pixels encode their row, labels {@code row % 10}, ids {@code idOffset + row}. */
  static Dataset synthetic(String name, int n, int idOffset) {
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
    }
    return withLabels(name, labels, idOffset);
  }

  /** Like {@link #synthetic} but with the given labels. */
  static Dataset withLabels(String name, int[] labels, int idOffset) {
    int n = labels.length;
    float[] pixels = new float[n * 4];
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = idOffset + i;
      for (int k = 0; k < 4; k++) {
        pixels[i * 4 + k] = ((i * 4 + k) % 256) / 255f;
      }
    }
    return new Dataset(name, 1, 2, 2, pixels, labels, ids, tenClasses());
  }

  /** The bytes of an IDX images file with the given magic, dimensions and data. */
  public static byte[] idxImages(int magic, int count, int rows, int cols, byte[] data) {
    return ByteBuffer.allocate(16 + data.length).putInt(magic).putInt(count).putInt(rows).putInt(cols)
        .put(data).array();
  }

  /** The bytes of an IDX labels file with the given magic, count and data. */
  public static byte[] idxLabels(int magic, int count, byte[] data) {
    return ByteBuffer.allocate(8 + data.length).putInt(magic).putInt(count).put(data).array();
  }

  /** {@code length} bytes where byte i is {@code (i * 7 + seed) % 256}, covering values above 127. */
  public static byte[] pattern(int length, int seed) {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i++) {
      data[i] = (byte) ((i * 7 + seed) % 256);
    }
    return data;
  }

  /**
   * Writes a tiny Fashion-MNIST directory: {@code train} and {@code test} 28×28 images (gzipped IDX files,
   * pixels {@link #pattern}) labelled {@code row % 10}.
   */
  public static Path tinyFashionMnist(Path dir, int train, int test) throws IOException {
    Files.createDirectories(dir);
    writeFashionPart(dir, "train", train, 1);
    writeFashionPart(dir, "t10k", test, 2);
    return dir;
  }

  private static void writeFashionPart(Path dir, String prefix, int count, int seed) throws IOException {
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) (i % 10);
    }
    Files.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"),
        gzip(idxImages(0x803, count, 28, 28, pattern(count * 28 * 28, seed))));
    Files.write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), gzip(idxLabels(0x801, count, labels)));
  }

  /** Gzip-compresses bytes. */
  public static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Pixel byte {@code i} of record {@code seed}: varies with the record, the channel and the position. */
  static byte pixelByte(int seed, int i) {
    return (byte) ((seed * 37 + i * 5 + i / 1024) % 256);
  }

  /** A CIFAR record: its label byte(s) then 3072 pixel bytes R plane, G plane, B plane. */
  static byte[] record(int seed, int... labelBytes) {
    byte[] record = new byte[labelBytes.length + 3072];
    for (int i = 0; i < labelBytes.length; i++) {
      record[i] = (byte) labelBytes[i];
    }
    for (int i = 0; i < 3072; i++) {
      record[labelBytes.length + i] = pixelByte(seed, i);
    }
    return record;
  }

  /** Writes the records one after another into {@code file}. */
  static Path writeRecords(Path file, byte[]... records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] record : records) {
      out.write(record);
    }
    return Files.write(file, out.toByteArray());
  }
}
