package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.unlearn.MethodRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code lethe methods} prints each method's defaults note, taken from the registry. */
class MethodsCommandTest {
  @Test
  void methodsShowsTheDefaultsNoteUnderTheMethodsThatHaveOne() {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute("methods")).isZero();
    } finally {
      System.setOut(saved);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    String note = "  note: " + MethodRegistry.NO_OP_DEFAULTS;
    assertThat(text.split("\n\n")).filteredOn(block -> block.contains(note)).extracting(b -> b.split(" ")[0])
        .containsExactlyInAnyOrder("ft", "ga", "sfr-on", "amun");
  }
}
