package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.experiment.Json;
import dev.lethe.bench.Recipe;
import dev.lethe.report.BenchFixture;
import dev.lethe.report.Reproduce;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.OptionsBinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code lethe report} on a real tiny benchmark output ({@link BenchFixture}) and on every kind of bad input:
 * one line, exit status 2, and no report written (a previous report is left as it was).
 */
class ReportCommandTest {
  @TempDir Path tmp;

  private Path results(List<String> lines) throws Exception {
    Path dir = tmp.resolve("bench");
    Files.createDirectories(dir);
    Files.write(dir.resolve("results.jsonl"), lines);
    return dir;
  }

  private static List<String> fixtureLines() throws Exception {
    return Files.readAllLines(BenchFixture.get().results().resolve("results.jsonl"));
  }

  private static CliRun.Outcome report(Path dir) {
    BenchFixture f = BenchFixture.get();
    return CliRun.run("report", dir.toString(), "--recipes", f.recipes().toString(), "--tuning", f.tuning().toString());
  }

  /** The command failed with one line naming {@code expected}, and the directory holds no new or partial report. */
  private static void refused(CliRun.Outcome outcome, Path dir, String... expected) throws Exception {
    assertThat(outcome.status()).isEqualTo(2);
    assertThat(outcome.err().lines().toList()).hasSize(1);
    assertThat(outcome.err()).startsWith("lethe: ");
    for (String e : expected) {
      assertThat(outcome.err()).contains(e);
    }
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .noneMatch(n -> n.startsWith(".report.html")).doesNotContain("report.html");
      }
    }
  }

  @Test
  void writesTheReportOfABenchDirectory() throws Exception {
    Path dir = results(fixtureLines());
    CliRun.Outcome outcome = report(dir);
    assertThat(outcome.status()).as(outcome.err()).isZero();
    assertThat(outcome.out().trim()).isEqualTo("report: " + dir.resolve("report.html"));
    assertThat(Files.readString(dir.resolve("report.html"))).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
  }

  @Test
  void benchEndsWithTheReportOfTheRowsOfItsOwnRun() throws Exception {
    BenchFixture f = BenchFixture.get();
    Path out = tmp.resolve("out");
    List<String> common = List.of("bench", "--data-dir", f.data().toString(), "--model", "mlp", "--width", "8",
        "--train-size", "80", "--val-size", "20", "--test-size", "40", "--epochs", "2", "--batch-size", "16",
        "--lr", "0.05", "--forget", "random:0.2", "--seed", "1", "--recipes", "none", "--store", f.store().toString(),
        "--out", out.toString());
    for (String methods : List.of("ft", "ga")) {
      List<String> args = new ArrayList<>(common);
      args.addAll(List.of("--methods", methods));
      CliRun.Outcome outcome = CliRun.run(args.toArray(String[]::new));
      assertThat(outcome.status()).as(outcome.err()).isZero();
      assertThat(outcome.out()).contains("report: " + out.resolve("report.html"));
    }
    // the second run's grid: results.jsonl keeps the first run's ft row, the report (like summary.md) not; the
    // do-nothing row is in every grid, named or not
    assertThat(Files.readString(out.resolve("results.jsonl"))).contains("\"method\":\"ft\"");
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("<h2>fashion-mnist/mlp/random:0.2</h2>").contains("</span>ga</td>")
        .contains("</span>retrain-2</td>").contains("</span>original</td>").doesNotContain("</span>ft</td>");
  }

  @Test
  void aDirectoryWithoutResultsIsRefused() throws Exception {
    refused(report(tmp.resolve("nowhere")), tmp.resolve("nowhere"), "is not a directory");
    Path empty = tmp.resolve("empty");
    Files.createDirectories(empty);
    refused(report(empty), empty, "no results.jsonl in " + empty, "lethe bench --out " + empty);
    refused(report(results(List.of())), tmp.resolve("bench"), "holds no result rows");
  }

  @Test
  void aTruncatedLineIsRefusedAndThePreviousReportStays() throws Exception {
    List<String> lines = new ArrayList<>(fixtureLines());
    String last = lines.remove(lines.size() - 1);
    lines.add(last.substring(0, last.length() / 2));
    Path dir = results(lines);
    CliRun.Outcome outcome = report(dir);
    refused(outcome, dir, "results.jsonl line " + lines.size() + " is not valid JSON (truncated?)");
    Files.writeString(dir.resolve("report.html"), "the previous report");
    assertThat(report(dir).status()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("report.html"))).isEqualTo("the previous report");
  }

  @Test
  void rowsOfAnotherExperimentAreRefusedNamingTheDifference() throws Exception {
    List<String> lines = new ArrayList<>(fixtureLines());
    int i = lines.size() - 1;
    ObjectNode row = (ObjectNode) Json.MAPPER.readTree(lines.get(i));
    ((ObjectNode) row.get("cell").get("experiment").get("training")).put("epochs", 3);
    lines.set(i, Json.MAPPER.writeValueAsString(row));
    Path dir = results(lines);
    refused(report(dir), dir, "mixes configurations", "training.epochs 2 -> 3",
        row.get("method").asText() + " seed " + row.get("seed").asLong() + " of " + row.get("scenario").asText(),
        "move the stale rows out of the file");
  }

  @Test
  void aMethodWhoseSeedsRanWithDifferentOptionsIsRefused() throws Exception {
    List<String> lines = new ArrayList<>(fixtureLines());
    int i = -1;
    for (int j = lines.size() - 1; j >= 0 && i < 0; j--) {
      if (Json.MAPPER.readTree(lines.get(j)).get("method").asText().equals("ga")) {
        i = j;
      }
    }
    ObjectNode row = (ObjectNode) Json.MAPPER.readTree(lines.get(i));
    ((ObjectNode) row.get("params")).put("lr", 0.5);
    lines.set(i, Json.MAPPER.writeValueAsString(row));
    Path dir = results(lines);
    refused(report(dir), dir, "mixes configurations", "params.lr 3.0E-4 -> 0.5");
  }

  @Test
  void everyRowsCommandParsesToTheRowsExperimentSeedAndOptions() throws Exception {
    List<JsonNode> rows = Json.readRows(BenchFixture.get().results().resolve("results.jsonl"), "");
    assertThat(rows).hasSize(20);
    for (JsonNode row : rows) {
      List<String> words = Reproduce.words(row);
      assertThat(words.subList(0, 2)).containsExactly("./lethe", "bench");
      CommandLine cli = new CommandLine(new Main());
      CommandLine.ParseResult parsed = cli.parseArgs(words.subList(1, words.size()).toArray(String[]::new));
      BenchCommand bench = (BenchCommand) parsed.subcommand().commandSpec().userObject();
      JsonNode config = row.get("config");
      assertThat(bench.experiment.dataset).isEqualTo(config.get("dataset").asText());
      assertThat(bench.experiment.dataDir.toString()).isEqualTo(config.get("data_dir").asText());
      assertThat(bench.experiment.model).isEqualTo(config.get("model").asText());
      assertThat(bench.experiment.width()).isEqualTo(config.get("width").asInt());
      assertThat(Json.canonicalText(Json.MAPPER.valueToTree(bench.experiment.split()))).isEqualTo(Json.canonicalText(config.get("split")));
      assertThat(Json.canonicalText(Json.MAPPER.valueToTree(bench.experiment.training())))
          .isEqualTo(Json.canonicalText(config.get("training")));
      assertThat(bench.run.threads).isEqualTo(row.get("cell").get("experiment").get("threads").asInt());
      assertThat(bench.run.forgets()).containsExactly(row.get("forget").asText());
      assertThat(bench.seeds.seeds()).containsExactly(row.get("seed").asLong());
      String method = row.get("method").asText();
      if (method.startsWith("retrain")) {
        assertThat(bench.run.methods).containsExactly("retrain");
        continue;
      }
      assertThat(bench.run.methods).containsExactly(method);
      assertThat(bench.run.recipesDir()).as("the options are spelled out: no recipe needed").isNull();
      MethodRegistry registry = new MethodRegistry(bench.experiment.training());
      Map<String, String> overrides = registry.parseOverrides(bench.params).getOrDefault(method, Map.of());
      Record options = registry.get(method).create(Recipe.params(null, registry.get(method), overrides)).options();
      assertThat(Json.canonicalText(Json.MAPPER.valueToTree(OptionsBinder.values(options))))
          .as(method + " resolves to the options its row ran with").isEqualTo(Json.canonicalText(row.get("params")));
    }
  }
}
