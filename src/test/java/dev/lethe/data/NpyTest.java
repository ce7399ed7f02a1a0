package dev.lethe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path tmp;

  @Test
  void theFileIsExactlyNumpysVersionOneLayout() throws Exception {
    Path file = tmp.resolve("m.npy");
    Npy.write(file, new float[][] {{1f, -2.5f, 0f}, {3f, 4f, Float.NaN}});
    byte[] bytes = Files.readAllBytes(file);
    // magic, version 1.0, header length 118 (little endian): 10 + 118 = 128 bytes before the data
    assertThat(Arrays.copyOf(bytes, 10)).containsExactly(0x93 - 256, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0);
    String header = new String(bytes, 10, 118, StandardCharsets.US_ASCII);
    assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }").endsWith(" \n");
    assertThat(bytes).hasSize(128 + 6 * 4);
    ByteBuffer data = ByteBuffer.wrap(bytes, 128, 24).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(data.getFloat()).isEqualTo(1f);
    assertThat(data.getFloat()).isEqualTo(-2.5f);
    float[][] back = Npy.read(file);
    assertThat(back[0]).containsExactly(1f, -2.5f, 0f);
    assertThat(back[1][2]).isNaN();
    assertThat(tmp.toFile().list()).containsExactly("m.npy");
  }

  @Test
  void anEmptyMatrixRoundTrips() {
    Path file = tmp.resolve("e.npy");
    Npy.write(file, new float[0][]);
    assertThat(Npy.read(file)).isEmpty();
  }

  @Test
  void otherDtypesAndTruncatedFilesAreOneLineErrors() throws Exception {
    Path file = tmp.resolve("m.npy");
    Npy.write(file, new float[][] {{1f, 2f}});
    byte[] bytes = Files.readAllBytes(file);
    Files.write(tmp.resolve("short.npy"), Arrays.copyOf(bytes, bytes.length - 1));
    assertThatThrownBy(() -> Npy.read(tmp.resolve("short.npy")))
        .isInstanceOf(LetheException.class).hasMessageContaining("data bytes");
    byte[] f8 = bytes.clone();
    f8[10 + 12] = '8'; // '<f4' -> '<f8'
    Files.write(tmp.resolve("f8.npy"), f8);
    assertThatThrownBy(() -> Npy.read(tmp.resolve("f8.npy")))
        .isInstanceOf(LetheException.class).hasMessageContaining("float32");
    Files.writeString(tmp.resolve("text.npy"), "hello");
    assertThatThrownBy(() -> Npy.read(tmp.resolve("text.npy")))
        .isInstanceOf(LetheException.class).hasMessageContaining("not a version-1.0 .npy");
  }
}
