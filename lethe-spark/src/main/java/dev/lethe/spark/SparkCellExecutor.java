package dev.lethe.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.bench.CellExecutor;
import dev.lethe.bench.CellJob;
import dev.lethe.bench.TuningJob;
import dev.lethe.data.ForgetSpec;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.WorstCaseJob;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Computes a bench task's pending cells as Spark tasks, one cell per task ({@link LetheTask}), on the executors of
 * one task slot and one PyTorch thread that compute the ensemble's members ({@link SparkSettings}): each executor
 * rebuilds the task ({@link CellJob#rebuild}), finds or trains the original and the retrained reference in the
 * shared store, unlearns and audits its cell, writes the cell's per-example outputs (and saved model) under the
 * shared {@code --out} (and {@code --save-models}), and answers the row, which the driver commits to {@code
 * results.jsonl} in grid order as a local run does. Cells are keyed as computed with one thread, so a grid computed
 * here and one computed by {@code lethe bench --threads 1} hold the same rows and resume each other; a worst-case
 * forget set, which a cell's task is derived from, is searched for (its original trained) in a task of one thread
 * too ({@link #search}), whatever the driver's threads. A tuning scenario's cells ({@link #tune}) run the same way,
 * their rows committed to {@code tuning.jsonl}: the rows of {@code lethe tune --threads 1}. The context is asked for
 * only when a cell is pending or a set is missing, so a rerun over a finished grid starts no Spark job.
 */
public final class SparkCellExecutor implements CellExecutor {
  private final Supplier<JavaSparkContext> context;
  private final Consumer<String> progress;

  /**
   * An executor that runs its tasks in the context {@code context} gives (asked for on first need), saying what
   * it does in lines to {@code progress}.
   */
  public SparkCellExecutor(Supplier<JavaSparkContext> context, Consumer<String> progress) {
    this.context = context;
    this.progress = progress;
  }

  @Override
  public Experiment cellsOf(Experiment experiment) {
    return experiment.trainedWith(1);
  }

  @Override
  public void compute(CellJob job, Consumer<ObjectNode> finished) {
    List<String> lines = job.lines();
    JavaSparkContext sc = context.get();
    String what = job.scenario() + " seed " + job.seed();
    progress.accept(what + ": computing " + lines.size() + " cell(s) as Spark tasks of one thread on " + sc.master());
    int[] done = {0};
    new LetheTask(LetheTask.Kind.CELLS, job.text()).run(sc, lines, d -> {
      ObjectNode row = CellJob.row(d.answer());
      finished.accept(row);
      progress.accept(String.format(Locale.ROOT, "%s: executor %s finished %s (%d of %d)", what, d.executor(),
          row.get("method").asText(), ++done[0], lines.size()));
    }, "computing the cells of " + what, "the cells finished are committed");
  }

  /**
   * Computes a tuning scenario's pending cells as Spark tasks of one thread, one cell per task, which the driver
   * commits to {@code tuning.jsonl} in the tuner's order: the rows of {@code lethe tune --threads 1}.
   */
  @Override
  public void tune(TuningJob job, Consumer<ObjectNode> finished) {
    List<String> lines = job.lines();
    JavaSparkContext sc = context.get();
    progress.accept(job.scenario() + ": tuning " + lines.size() + " cell(s) as Spark tasks of one thread on "
        + sc.master());
    int[] done = {0};
    new LetheTask(LetheTask.Kind.TUNING, job.text()).run(sc, lines, d -> {
      finished.accept(CellJob.row(d.answer()));
      progress.accept(String.format(Locale.ROOT, "%s: executor %s finished %s (%d of %d)", job.scenario(),
          d.executor(), TuningJob.label(lines.get(done[0])), done[0] + 1, lines.size()));
      done[0]++;
    }, "tuning " + job.scenario(), "the cells finished are in tuning.jsonl");
  }

  /** Searches a missing worst-case set as a Spark task of one thread, as the cells that forget it train. */
  @Override
  public void search(Experiment experiment, ForgetSpec.WorstCase spec, long seed) {
    if (experiment.hasWorstCase(spec, seed)) {
      return;
    }
    JavaSparkContext sc = context.get();
    String what = spec.text() + " seed " + seed;
    progress.accept(what + ": searching the worst-case forget set as a Spark task of one thread on " + sc.master());
    new LetheTask(LetheTask.Kind.WORST_CASE, WorstCaseJob.of(experiment, spec)).run(sc,
        List.of(WorstCaseJob.line(seed)), d -> progress.accept(what + ": executor " + d.executor() + " stored it in "
            + d.answer()), "searching the worst-case forget set " + spec.text(), "an original it trained is stored");
  }
}
