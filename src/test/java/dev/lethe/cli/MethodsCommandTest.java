package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.OptionsBinder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lethe methods} shows every method's options with the defaults defined in Java, and its notes; with
 * {@code --metrics}, every metric's definition.
 */
class MethodsCommandTest {
  private static final Pattern PARAM = Pattern.compile("  --param ([^ =]+)\\.([^ =.]+)=(\\S+)(?:   (.*))?");
  private static String text;

  @BeforeAll
  static void runMethods() {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute("methods")).isZero();
    } finally {
      System.setOut(saved);
    }
    text = out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void methodsShowsTheDefaultsNoteUnderTheMethodsThatHaveOne() {
    String note = "  note: " + MethodRegistry.NO_OP_DEFAULTS;
    assertThat(text.split("\n\n")).filteredOn(block -> block.contains(note)).extracting(b -> b.split(" ")[0])
        .containsExactlyInAnyOrder("ft", "ga", "neggrad+", "sfr-on", "amun", "amun-a", "scrub", "iu", "laf");
  }

  @Test
  void methodsThatReadMoreThanLogitsOrForgetOnlyClassesSaySo() {
    assertThat(text.split("\n\n")).filteredOn(b -> b.contains("\n  needs: an embedding tap")).extracting(b -> b.split(" ")[0])
        .contains("laf", "manif-smc").doesNotContain("ft", "ga");
    assertThat(text.split("\n\n")).filteredOn(b -> b.contains("\n  forget sets: class: requests only\n"))
        .extracting(b -> b.split(" ")[0]).containsExactlyInAnyOrder("trw", "modhifi-u");
  }

  @Test
  void lafIsListedWithItsPaper() {
    assertThat(text).contains("\nlaf — Label-agnostic: ").contains("\n  paper: Shen et al. (LAF), ICLR 2024\n")
        .contains("  --param laf.repair=false   LAF+R: ");
  }

  /** Binding every printed {@code --param} line back onto its method gives exactly the method's defaults. */
  @Test
  void thePrintedValuesAreTheDefaultsAndEveryOptionIsListedWithItsDoc() {
    // the CLI's default training recipe, which retrain's listed values are
    MethodRegistry registry = new MethodRegistry(new TrainConfig(40, 128, 0.02, 0.9, 5e-4, LrSchedule.COSINE));
    Map<String, Map<String, String>> printed = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = PARAM.matcher(line);
      if (line.startsWith("  --param")) {
        assertThat(m.matches()).as(line).isTrue();
        assertThat(m.group(4)).as("the doc of " + line).isNotBlank();
        printed.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2), m.group(3));
      }
    }
    for (MethodRegistry.Method method : registry.all()) {
      Map<String, String> values = printed.getOrDefault(method.id(), Map.of());
      assertThat(values.keySet()).as(method.id()).containsExactlyElementsOf(
          OptionsBinder.params(method.defaults()).stream().map(OptionsBinder.Param::key).toList());
      assertThat(method.create(values).options()).as(method.id()).isEqualTo(method.defaults());
    }
    assertThat(printed.get("sfr-on")).containsEntry("forgetAlpha", "25.0").containsEntry("schedule", "cosine")
        .containsEntry("maskMode", "grad_only");
    assertThat(printed.get("ga")).containsEntry("schedule", "constant").containsEntry("lr", "3.0E-4");
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
