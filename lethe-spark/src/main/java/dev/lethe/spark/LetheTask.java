package dev.lethe.spark;

import dev.lethe.LetheException;
import dev.lethe.bench.CellJob;
import dev.lethe.bench.TuningJob;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.EnsembleJob;
import dev.lethe.experiment.WorstCaseJob;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

/**
 * One Spark task: computes one line of a job on an executor, with the code a local process runs on it: an
 * ensemble member ({@link Kind#ENSEMBLE}: {@link EnsembleJob#rebuild}, {@link EnsembleJob#compute}, the code of a
 * {@code --workers} process), a worst-case forget set ({@link Kind#WORST_CASE}: {@link WorstCaseJob#rebuild},
 * {@link WorstCaseJob#compute}), a bench cell ({@link Kind#CELLS}: {@link CellJob#rebuild}, {@link
 * CellJob#compute}, the code of a local {@code lethe bench}) or a tuning cell ({@link Kind#TUNING}: {@link
 * TuningJob#rebuild}, {@link TuningJob#compute}, the code of a local {@code lethe tune}), into the shared store
 * (and, for bench cells, output directory) whose paths the job names. A retried or speculative attempt is safe: the store's per-artifact lock
 * lets one attempt compute an artifact, the others then find it stored, and an attempt that died mid-way left
 * nothing but temporary files (checkpoints and outputs are renamed into place), so the retry computes the same
 * bytes again; a cell's row is committed by the driver alone.
 *
 * <p>The computation runs on one long-lived thread of the executor JVM ({@link #TORCH}), as a worker process runs
 * it on its main thread: Spark starts tasks on threads of a pool that come and go, and PyTorch keeps per-thread
 * state that DJL sets once on the thread that starts the engine (gradient recording off). Measured here: on a
 * fresh task thread an SGD step failed with "a leaf Variable that requires grad is being used in an in-place
 * operation".
 */
public final class LetheTask implements Function<String, LetheTask.Done> {
  private static final long serialVersionUID = 1L;

  private static final String LETHE_FAILURE = LetheException.class.getName() + ": ";

  /** The thread that runs every computation of this executor JVM (one task slot: one at a time). */
  private static final ExecutorService TORCH = Executors.newSingleThreadExecutor(run -> {
    Thread t = new Thread(run, "lethe-torch");
    t.setDaemon(true);
    return t;
  });

  /** The last job this executor JVM rebuilt, and its worker: its tasks share the loaded data. */
  private static String rebuiltJob;

  private static Worker rebuilt;

  private final Kind kind;
  private final String job;

  /** The task of every line of {@code job}, a job text of {@code kind}. */
  public LetheTask(Kind kind, String job) {
    this.kind = kind;
    this.job = job;
  }

  /** What a job is, and how an executor rebuilds it from its text. */
  public enum Kind {
    /** An ensemble's members ({@link EnsembleJob}): lines are members, answers what was done. */
    ENSEMBLE {
      @Override
      Worker rebuild(String job) {
        Ensemble ensemble = EnsembleJob.rebuild(job);
        return new Worker(line -> EnsembleJob.compute(ensemble, line), () -> { });
      }

      @Override
      String name(String line) {
        return EnsembleJob.member(line).toString();
      }
    },
    /** A worst-case forget set's search ({@link WorstCaseJob}): lines are seeds, answers the stored id files. */
    WORST_CASE {
      @Override
      Worker rebuild(String job) {
        WorstCaseJob search = WorstCaseJob.rebuild(job);
        return new Worker(search::compute, () -> { });
      }

      @Override
      String name(String line) {
        return "seed " + line;
      }
    },
    /** A bench task's cells ({@link CellJob}): lines are cell keys, answers the finished rows. */
    CELLS {
      @Override
      Worker rebuild(String job) {
        CellJob cells = CellJob.rebuild(job);
        return new Worker(cells::answer, cells::close);
      }

      @Override
      String name(String line) {
        return CellJob.method(line);
      }
    },
    /** A tuning scenario's cells ({@link TuningJob}): lines are cell keys with labels, answers the finished rows. */
    TUNING {
      @Override
      Worker rebuild(String job) {
        TuningJob cells = TuningJob.rebuild(job);
        return new Worker(cells::answer, cells::close);
      }

      @Override
      String name(String line) {
        return TuningJob.label(line);
      }
    };

    abstract Worker rebuild(String job);

    /** How a line is named in a failure's message: {@code shadow 0 original}, {@code ft}. */
    abstract String name(String line);
  }

  /** A rebuilt job: computes a line, and lets go of what it loaded. */
  private record Worker(UnaryOperator<String> compute, Runnable close) {}

  /**
   * What one task did.
   *
   * @param executor the id of the Spark executor that ran it
   * @param answer its answer ({@link EnsembleJob#compute}, {@link CellJob#answer})
   */
  public record Done(String executor, String answer) implements Serializable {}

  @Override
  public Done call(String line) throws InterruptedException {
    Future<String> answer = TORCH.submit(() -> worker(kind, job).compute().apply(line));
    try {
      return new Done(SparkEnv.get().executorId(), answer.get());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof LetheException le) {
        throw new LetheException(kind.name(line) + ": " + le.getMessage(), le);
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      answer.cancel(true); // Spark killed the task: the line stops at its next interruptible step, or finishes
      throw e;
    }
  }

  /** The worker of {@code job}, rebuilt once per executor JVM and job; called on {@link #TORCH} only. */
  private static Worker worker(Kind kind, String job) {
    String named = kind + " " + job;
    if (!named.equals(rebuiltJob)) {
      if (rebuilt != null) {
        rebuilt.close().run();
        rebuilt = null;
        rebuiltJob = null;
      }
      rebuilt = kind.rebuild(job);
      rebuiltJob = named;
    }
    return rebuilt;
  }

  /**
   * Runs every line of this task's job as a Spark job of its own (all submitted at once, so they share the
   * cluster's slots), and hands each answer to {@code done} on this thread, in the order of {@code lines}. A line
   * whose task failed {@code spark.task.maxFailures} times does not stop the others: once every line has ended,
   * the first failure is thrown in one line.
   *
   * @param computing what the lines are, for the failure's message ("computing the ensemble's members")
   * @param kept what of the work survives a failure, for its message ("the members finished are stored")
   * @throws LetheException if a task failed, after every other line's answer was handed over
   */
  public void run(JavaSparkContext sc, List<String> lines, Consumer<Done> done, String computing, String kept) {
    List<JavaFutureAction<List<Done>>> jobs = new ArrayList<>();
    for (String line : lines) {
      jobs.add(sc.parallelize(List.of(line), 1).map(this).collectAsync());
    }
    Exception failure = null;
    for (JavaFutureAction<List<Done>> j : jobs) {
      try {
        j.get().forEach(done);
      } catch (ExecutionException e) {
        failure = failure == null ? e : failure;
      } catch (InterruptedException e) {
        jobs.forEach(other -> other.cancel(true));
        Thread.currentThread().interrupt();
        throw new LetheException("interrupted while " + computing + " as Spark tasks; " + kept + ", rerun to compute "
            + "the rest", e);
      }
    }
    if (failure != null) {
      Throwable cause = failure.getCause() instanceof SparkException ? failure.getCause() : failure;
      throw new LetheException("a Spark task failed while " + computing + ": " + reason(cause.getMessage()) + "; "
          + kept + ", rerun to compute the rest", cause);
    }
  }

  /** The first line of a failed job's message, from the Lethe failure in it when there is one. */
  static String reason(String message) {
    String first = message == null ? "no message" : message.lines().findFirst().orElse("no message").strip();
    int lethe = first.indexOf(LETHE_FAILURE);
    return lethe < 0 ? first : first.substring(lethe + LETHE_FAILURE.length());
  }
}
