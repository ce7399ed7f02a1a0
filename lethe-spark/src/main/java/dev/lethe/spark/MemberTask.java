package dev.lethe.spark;

import dev.lethe.LetheException;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.EnsembleJob;
import java.io.Serializable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.Function;

/**
 * One Spark task: computes one ensemble member, named by its {@link EnsembleJob#line}, on an executor, with the
 * code a local {@code --workers} process runs ({@link EnsembleJob#rebuild}, {@link EnsembleJob#compute}) into the
 * shared store whose path the job names. A retried or speculative attempt of a member is safe: the store's
 * per-artifact lock lets one attempt compute it, the others then find it stored, and an attempt that died
 * mid-way left nothing but temporary files (checkpoints and outputs are renamed into place), so the retry
 * computes the same bytes again.
 *
 * <p>The computation runs on one long-lived thread of the executor JVM ({@link #TORCH}), as a worker process runs
 * it on its main thread: Spark starts tasks on threads of a pool that come and go, and PyTorch keeps per-thread
 * state that DJL sets once on the thread that starts the engine (gradient recording off). Measured here: on a
 * fresh task thread an SGD step failed with "a leaf Variable that requires grad is being used in an in-place
 * operation".
 */
public final class MemberTask implements Function<String, MemberTask.Done> {
  private static final long serialVersionUID = 1L;

  /** The thread that runs every member computation of this executor JVM (one task slot: one at a time). */
  private static final ExecutorService TORCH = Executors.newSingleThreadExecutor(run -> {
    Thread t = new Thread(run, "lethe-member");
    t.setDaemon(true);
    return t;
  });

  /** The last job this executor JVM rebuilt, and its ensemble: its tasks share the loaded data. */
  private static String rebuiltJob;

  private static Ensemble rebuilt;

  private final String job;

  /** The task of every member of {@code job} (an {@link EnsembleJob#of} text). */
  public MemberTask(String job) {
    this.job = job;
  }

  /**
   * What one task did.
   *
   * @param executor the id of the Spark executor that ran it
   * @param answer its {@link EnsembleJob#compute} answer
   */
  public record Done(String executor, String answer) implements Serializable {}

  @Override
  public Done call(String line) throws InterruptedException {
    Future<String> answer = TORCH.submit(() -> EnsembleJob.compute(ensemble(job), line));
    try {
      return new Done(SparkEnv.get().executorId(), answer.get());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof LetheException le) {
        throw new LetheException(EnsembleJob.member(line) + ": " + le.getMessage(), le);
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      answer.cancel(true); // Spark killed the task: the member stops at its next interruptible step, or finishes
      throw e;
    }
  }

  /** The ensemble of {@code job}, rebuilt once per executor JVM and job; called on {@link #TORCH} only. */
  private static Ensemble ensemble(String job) {
    if (!job.equals(rebuiltJob)) {
      rebuilt = EnsembleJob.rebuild(job);
      rebuiltJob = job;
    }
    return rebuilt;
  }
}
