package dev.lethe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.audit.Audit;
import dev.lethe.audit.AuditResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code examples/BringYourOwnNetwork.java} (compiled with the tests, see the pom) as a user would. */
class ExamplesTest {
  @TempDir Path store;

  @Test
  void bringYourOwnNetworkUnlearnsTheIdsAndPrintsItsAudit() throws Exception {
    Class<?> example = Class.forName("BringYourOwnNetwork");
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      example.getMethod("main", String[].class).invoke(null, (Object) new String[] {store.toString()});
    } finally {
      System.setOut(saved);
    }
    JsonNode printed = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    AuditResult again = (AuditResult) example.getMethod("run", Path.class).invoke(null, store);
    // the second run finds the original and RT in the store and unlearns bit for bit the same
    assertThat(printed.toString()).isEqualTo(again.toJson());
    assertThat(again.outputsFinite()).isTrue();
    assertThat(again.classMetrics()).isEmpty();
    for (String gap : Audit.GAP_METRICS) {
      assertThat(printed.get(gap).isNumber()).as(gap).isTrue();
    }
    // the forget set is the example's ten ids: its accuracy is a whole number of them
    assertThat(again.forgetAcc() / 10).isEqualTo(Math.rint(again.forgetAcc() / 10));
    assertThat(again.avgGap()).isBetween(0.0, 100.0);
  }
}
