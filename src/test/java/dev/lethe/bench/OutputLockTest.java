package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputLockTest {
  @TempDir Path tmp;

  @Test
  void aSecondRunIntoTheSameDirectoryFailsWhileTheFirstHoldsIt() {
    Path out = tmp.resolve("out");
    try (OutputLock first = OutputLock.acquire(out)) {
      assertThatThrownBy(() -> OutputLock.acquire(out))
          .isInstanceOf(LetheException.class)
          .hasMessageContaining("another lethe run is writing to " + out)
          .hasMessageContaining("--out");
    }
    OutputLock.acquire(out).close();
  }

  @Test
  void temporaryFilesOfAKilledRunAreRemovedAndNothingElse() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve(".summary.md123.tmp"), "half a summary");
    Files.writeString(out.resolve("results.jsonl"), "{}");
    Files.writeString(out.resolve("notes.tmp"), "the user's, not ours");
    try (OutputLock lock = OutputLock.acquire(out)) {
      try (var files = Files.list(out)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("results.jsonl", "notes.tmp", OutputLock.FILE);
      }
    }
  }

  @Test
  void anOutputPathThatIsAFileIsRejected() throws Exception {
    Path file = Files.writeString(tmp.resolve("out"), "x");
    assertThatThrownBy(() -> OutputLock.acquire(file)).isInstanceOf(LetheException.class).hasMessageContaining("is a file");
  }
}
