package dev.lethe.data;

import dev.lethe.LetheException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes 2-D float32 matrices in NumPy's {@code .npy} format, version 1.0 (magic {@code \x93NUMPY},
 * a little-endian header length, a Python-literal header dict padded with spaces and a newline to a multiple
 * of 64 bytes, then the row-major little-endian data), so per-example outputs open with {@code numpy.load}
 * or any other NPY reader. Only {@code '<f4'}, C order, two dimensions: anything else is rejected.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern HEADER = Pattern.compile(
      "\\{'descr': '<f4', 'fortran_order': False, 'shape': \\((\\d+), (\\d+)\\), \\}\\s*");

  private Npy() {}

  /**
   * Writes {@code rows} (all of equal length) to {@code file} through a temporary sibling and an atomic
   * rename.
   */
  public static void write(Path file, float[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows.length + ", " + cols + "), }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    ByteBuffer data = ByteBuffer.allocate(4 * rows.length * cols).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      if (row.length != cols) {
        throw new IllegalArgumentException("ragged matrix: a row of " + row.length + " values, expected " + cols);
      }
      for (float v : row) {
        data.putFloat(v);
      }
    }
    byte[] h = header.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + h.length + data.capacity());
    out.put(MAGIC).put((byte) 1).put((byte) 0).put((byte) h.length).put((byte) (h.length >>> 8)).put(h).put(data.array());
    AtomicFiles.write(file, out.array());
  }

  /** Reads a 2-D float32 matrix written by {@link #write} (or by NumPy with the same dtype and order). */
  public static float[][] read(Path file) {
    try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
      byte[] magic = in.readNBytes(MAGIC.length);
      int major = in.read();
      int minor = in.read();
      if (!java.util.Arrays.equals(magic, MAGIC) || major != 1 || minor != 0) {
        throw new LetheException(file + " is not a version-1.0 .npy file: delete it and rerun to recompute it");
      }
      int length = in.readUnsignedByte() | (in.readUnsignedByte() << 8);
      String header = new String(in.readNBytes(length), StandardCharsets.US_ASCII);
      Matcher m = HEADER.matcher(header);
      if (!m.matches()) {
        throw new LetheException(file + " is not a 2-D little-endian float32 .npy matrix (header " + header.strip()
            + "): delete it and rerun to recompute it");
      }
      int n = Integer.parseInt(m.group(1));
      int k = Integer.parseInt(m.group(2));
      byte[] bytes = in.readNBytes(4 * n * k);
      if (bytes.length != 4 * n * k || in.read() != -1) {
        throw new LetheException(file + " holds " + bytes.length + " data bytes, not the " + (4 * n * k)
            + " its header announces: delete it and rerun to recompute it");
      }
      ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      float[][] out = new float[n][k];
      for (float[] row : out) {
        for (int j = 0; j < k; j++) {
          row[j] = data.getFloat();
        }
      }
      return out;
    } catch (IOException e) {
      throw new LetheException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
