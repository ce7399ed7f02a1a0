package dev.lethe.spark;

import dev.lethe.LetheException;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.EnsembleJob;
import java.io.Serializable;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.Function;

/**
 * One Spark task: computes one ensemble member, named by its {@link EnsembleJob#line}, on an executor, with the
 * code a local {@code --workers} process runs ({@link EnsembleJob#rebuild}, {@link EnsembleJob#compute}) into the
 * shared store whose path the job names. A retried or speculative attempt of a member is safe: the store's
 * per-artifact lock lets one attempt compute it, the others then find it stored, and an attempt that died
 * mid-way left nothing but temporary files (checkpoints and outputs are renamed into place), so the retry
 * computes the same bytes again.
 */
public final class MemberTask implements Function<String, MemberTask.Done> {
  private static final long serialVersionUID = 1L;

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
  public Done call(String line) {
    try {
      return new Done(SparkEnv.get().executorId(), EnsembleJob.compute(ensemble(job), line));
    } catch (LetheException e) {
      throw new LetheException(EnsembleJob.member(line) + ": " + e.getMessage(), e);
    }
  }

  /** The ensemble of {@code job}, rebuilt once per executor JVM and job (executors run one task at a time). */
  private static synchronized Ensemble ensemble(String job) {
    if (!job.equals(rebuiltJob)) {
      rebuilt = EnsembleJob.rebuild(job);
      rebuiltJob = job;
    }
    return rebuilt;
  }
}
