package dev.lethe.spark;

import dev.lethe.LetheException;
import dev.lethe.cli.Main;
import java.io.PrintWriter;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code lethe-spark}: the {@code lethe} command line as a Spark driver (issue #11, "Where it runs"). Every verb
 * takes the same arguments as under {@code ./lethe}; {@code bench --audit strong} and {@code audit --strong}
 * compute their ensemble's missing members as Spark tasks ({@link SparkEnsembleExecutor}) instead of
 * {@code --workers} processes, and {@code bench} and {@code tune} compute their grid's cells as Spark tasks too
 * ({@link SparkCellExecutor}), committing their rows as the local path does: the same artifacts, results, recipes and
 * reports as {@code lethe bench --threads 1} and {@code lethe tune --threads 1}. Started by {@code spark-submit --class dev.lethe.spark.SparkLethe}, which gives
 * the master and the conf; {@link SparkSettings} checks and completes it before anything runs, and the context
 * starts only when a member is missing.
 */
public final class SparkLethe {
  private SparkLethe() {}

  /**
   * Runs {@code args} with ensemble members and bench cells computed in the context {@code context} gives (asked
   * for on first need), progress lines on stderr; returns the exit status, as {@link Main#execute(PrintWriter,
   * String...)} does.
   */
  public static int execute(PrintWriter err, Supplier<JavaSparkContext> context, String... args) {
    return Main.execute(err, new SparkEnsembleExecutor(context),
        new SparkCellExecutor(context, line -> System.err.println("lethe: " + line)), args);
  }

  /** Entry point for spark-submit: the conf it set, made fit for Lethe, and a context started on first need. */
  public static void main(String[] args) {
    PrintWriter err = new PrintWriter(System.err, true);
    SparkConf conf;
    try {
      conf = SparkSettings.forLethe(new SparkConf());
    } catch (LetheException e) {
      err.println("lethe: " + e.getMessage());
      System.exit(2);
      return;
    }
    Started started = new Started(conf);
    int status;
    try {
      status = execute(err, started, args);
    } finally {
      started.stop();
    }
    System.exit(status);
  }

  /** The driver's context, started when first asked for and stopped at the end. */
  private static final class Started implements Supplier<JavaSparkContext> {
    private final SparkConf conf;
    private JavaSparkContext context;

    Started(SparkConf conf) {
      this.conf = conf;
    }

    @Override
    public synchronized JavaSparkContext get() {
      if (context == null) {
        context = new JavaSparkContext(conf);
      }
      return context;
    }

    synchronized void stop() {
      if (context != null) {
        context.stop();
      }
    }
  }
}
