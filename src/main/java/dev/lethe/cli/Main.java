package dev.lethe.cli;

import dev.lethe.LetheException;
import dev.lethe.bench.CellExecutor;
import dev.lethe.experiment.EnsembleExecutor;
import dev.lethe.experiment.EnsembleWorkers;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lethe} command line: train, forget, audit, bench, tune, split, eval, methods, throughput, spectrum, report. */
@Command(
    name = "lethe",
    mixinStandardHelpOptions = true,
    version = "lethe 0.1.0",
    description = "Machine unlearning for the JVM: train a classifier, make it forget, audit it against retraining.",
    subcommands = {
      BenchCommand.class, TrainCommand.class, ForgetCommand.class, AuditCommand.class,
      TuneCommand.class, SplitCommand.class, EvalCommand.class, MethodsCommand.class, ThroughputCommand.class,
      SpectrumCommand.class, ReportCommand.class, WorkerCommand.class, CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Where a cluster driver computes ensemble members ({@code lethe-spark}), or null: here or in local workers. */
  private final EnsembleExecutor cluster;

  /** Where bench's cells are computed: this process, or a cluster driver's executors. */
  private final CellExecutor cells;

  /** The command line whose ensembles are computed in this process or in local workers ({@code --workers}). */
  public Main() {
    this(null, CellExecutor.IN_PROCESS);
  }

  private Main(EnsembleExecutor cluster, CellExecutor cells) {
    this.cluster = cluster;
    this.cells = cells;
  }

  /**
   * Where {@code bench --audit strong} and {@code audit --strong} compute their ensemble's missing members: the
   * cluster's executor when a cluster driver runs this command line, else {@code --workers} worker processes
   * ({@code workers}; null: one per core).
   *
   * @throws LetheException if {@code workers} is below 1, or given to a cluster driver
   */
  EnsembleExecutor ensembleExecutor(Integer workers) {
    if (cluster == null) {
      return EnsembleWorkers.executor(workers == null ? Runtime.getRuntime().availableProcessors() : workers);
    }
    if (workers != null) {
      throw new LetheException("--workers starts local worker processes, but here the cluster's executors compute the "
          + "ensemble members: drop --workers");
    }
    return cluster;
  }

  /** Where {@code bench} computes its grid's cells: this process, or the cluster's executors. */
  CellExecutor cellExecutor() {
    return cells;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line and returns the exit status: 0 ok, 2 bad input or a failed run. */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.err, true), args);
  }

  /** As {@link #execute(String...)}, with error lines written to {@code err}. */
  public static int execute(PrintWriter err, String... args) {
    return run(new Main(), err, args);
  }

  /**
   * As {@link #execute(PrintWriter, String...)}, for a cluster driver: every ensemble's missing members are
   * computed by {@code cluster} and bench's cells by {@code cells} (the {@code lethe-spark} module's Spark
   * executors), and {@code --workers} is refused.
   */
  public static int execute(PrintWriter err, EnsembleExecutor cluster, CellExecutor cells, String... args) {
    return run(new Main(cluster, cells), err, args);
  }

  private static int run(Main main, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(main);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof LetheException) {
            cmd.getErr().println("lethe: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    cli.setParameterExceptionHandler(
        (e, args2) -> {
          e.getCommandLine().getErr().println("lethe: " + e.getMessage() + " (see `lethe " + e.getCommandLine().getCommandName() + " --help`)");
          return 2;
        });
    return cli.execute(args);
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
