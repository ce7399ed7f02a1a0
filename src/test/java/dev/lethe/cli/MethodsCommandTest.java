package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.unlearn.MethodRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code lethe methods} prints each method's defaults note, taken from the registry, and every metric's definition. */
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

  @Test
  void metricsListsThePerExampleAuditsBesideTheSingleModelOnes() {
    CliRun.Outcome run = CliRun.run("methods", "--metrics");
    assertThat(run.status()).isZero();
    for (String name : new String[] {"mia_efficacy", "klom_forget_p95", "klom_forget_median", "klom_retain_p95",
        "klom_val_p95", "ulira_accuracy", "lira_auc", "lira_tpr_at_1pct_fpr", "rmia_auc", "rmia_tpr_at_1pct_fpr",
        "forget_quality", "ensemble_size"}) {
      assertThat(run.out()).containsPattern("(?m)^" + name + " +\\S");
    }
    assertThat(run.out()).contains("ceil(ln(N-1))").contains("KL(retrained || audited)");
  }
}
