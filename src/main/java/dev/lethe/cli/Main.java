package dev.lethe.cli;

import dev.lethe.LetheException;
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
    CommandLine cli = new CommandLine(new Main());
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
