package dev.lethe.cli;

import dev.lethe.report.Report;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lethe report}: writes the self-contained HTML report of a benchmark's results directory. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Write RESULTS_DIR/report.html from RESULTS_DIR/results.jsonl: per scenario the results table, the"
        + " trade-off of Avg Gap against run time, every metric against RT and the noise floor, the tuning grids and"
        + " each row's provenance with the command that recomputes it. One self-contained file (inline CSS and SVG).")
public final class ReportCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RESULTS_DIR", description = "The --out directory of a `lethe bench` run.")
  Path dir;

  @Option(names = "--recipes", description = RunOptions.RECIPES_HELP)
  String recipes;

  @Option(names = "--tuning", paramLabel = "DIR",
      description = "The --out directory of `lethe tune`, whose tuning.jsonl scores every grid point (default: RESULTS_DIR).")
  Path tuning;

  @Override
  public Integer call() {
    Path file = Report.fromDirectory(dir, new Report.Sources(RunOptions.recipesDir(recipes), tuning != null ? tuning : dir));
    System.out.println("report: " + file);
    return 0;
  }
}
