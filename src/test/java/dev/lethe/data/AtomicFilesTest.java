package dev.lethe.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path tmp;

  @Test
  void writtenFileHasAnOrdinaryNewFilesPermissionsNotTheTemporarysPrivateOnes() throws IOException {
    Path plain = Files.createFile(tmp.resolve("plain"));
    Path written = tmp.resolve("out/results.jsonl");
    AtomicFiles.write(written, "x\n".getBytes());
    Set<PosixFilePermission> ordinary = Files.getPosixFilePermissions(plain);
    assertThat(Files.getPosixFilePermissions(written)).isEqualTo(ordinary);
    assertThat(Files.readString(written)).isEqualTo("x\n");
  }

  @Test
  void replacingKeepsNoTemporaryBehind() throws IOException {
    Path written = tmp.resolve("a.json");
    AtomicFiles.write(written, "1".getBytes());
    AtomicFiles.write(written, "2".getBytes());
    assertThat(Files.readString(written)).isEqualTo("2");
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a.json");
    }
  }
}
