package dev.lethe.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.data.ForgetSpec;
import dev.lethe.experiment.Experiment;
import java.util.function.Consumer;

/**
 * Where a bench task's or a tuning scenario's pending cells are computed (issue #11, "Where it runs"): in this
 * process ({@link #IN_PROCESS}), or by a cluster's executors (the opt-in {@code lethe-spark} module), which rebuild
 * the task from its {@link CellJob#text} (or {@link TuningJob#text}) and compute each cell with the same code ({@link
 * CellJob#compute}, {@link TuningJob#compute}) against the same shared store and output directory. Either way the
 * runner or tuner that asked commits every row it is handed to {@code results.jsonl} (or {@code tuning.jsonl}), as
 * {@link dev.lethe.experiment.EnsembleExecutor} is to an ensemble's members.
 */
public interface CellExecutor {
  /** Computes every cell here, one after another, with this process's threads. */
  CellExecutor IN_PROCESS = new CellExecutor() {
    @Override
    public Experiment cellsOf(Experiment experiment) {
      return experiment;
    }

    @Override
    public void compute(CellJob job, Consumer<ObjectNode> finished) {
      for (String line : job.lines()) {
        finished.accept(job.compute(line));
      }
    }

    @Override
    public void tune(TuningJob job, Consumer<ObjectNode> finished) {
      for (String line : job.lines()) {
        finished.accept(job.compute(line));
      }
    }
  };

  /**
   * The experiment whose models and cells this executor computes and keys: {@code experiment} itself in process,
   * {@link Experiment#trainedWith} one thread for executors of one thread.
   */
  Experiment cellsOf(Experiment experiment);

  /**
   * Computes every line of {@code job} ({@link CellJob#lines}) and hands each finished row to {@code finished},
   * on the calling thread, in the order of the lines; a row handed over is committed before the next one.
   *
   * @throws dev.lethe.LetheException if a cell's computation fails, naming it (the rows finished are handed over
   *     first)
   */
  void compute(CellJob job, Consumer<ObjectNode> finished);

  /**
   * As {@link #compute}, the lines of a tuning scenario ({@link TuningJob#lines}): each finished row is handed to
   * {@code finished} on the calling thread, in the order of the lines.
   *
   * @throws dev.lethe.LetheException if a cell's computation fails, naming it (the rows finished are handed over
   *     first)
   */
  void tune(TuningJob job, Consumer<ObjectNode> finished);

  /**
   * Has the worst-case forget set {@code spec} of {@code seed} stored before {@code experiment} (one of {@link
   * #cellsOf}) derives its task, searched (and its original trained) where this executor's cells train. In process
   * there is nothing to do: {@link Experiment#task} searches on first need, with this process's threads.
   *
   * @throws dev.lethe.LetheException if the search fails, or the set would be empty or the whole pool
   */
  default void search(Experiment experiment, ForgetSpec.WorstCase spec, long seed) {}
}
