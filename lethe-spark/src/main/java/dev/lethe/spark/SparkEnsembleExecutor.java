package dev.lethe.spark;

import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.Ensemble.Member;
import dev.lethe.experiment.EnsembleExecutor;
import dev.lethe.experiment.EnsembleJob;
import dev.lethe.experiment.Experiment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Computes an ensemble's missing members as Spark tasks, one member per task ({@link LetheTask}), on executors
 * of one task slot and one PyTorch thread each ({@link SparkSettings}): the {@code --workers} design of issue #11
 * on a cluster. Members are keyed as trained with one thread, as the local workers' are, so a store computed here
 * and one computed by {@code --workers N} hold the same artifacts, bit for bit. Every task writes into the store
 * the job names, which must be one shared path that the driver and every executor see (NFS, a mounted bucket).
 *
 * <p>The missing shadow originals run first, then everything else (twins, which unlearn an original, and
 * retrains): the local workers' greedy order, cut into two stages. The context is asked for only when something is
 * missing, so a rerun over a complete store starts no Spark job. A failure (a task that failed {@code
 * spark.task.maxFailures} times) ends the run with one line naming the member once the stage's other members
 * ended; the members finished are stored, and a rerun computes the rest.
 */
public final class SparkEnsembleExecutor implements EnsembleExecutor {
  private final Supplier<JavaSparkContext> context;

  /** An executor that runs its tasks in the context {@code context} gives (asked for on first need). */
  public SparkEnsembleExecutor(Supplier<JavaSparkContext> context) {
    this.context = context;
  }

  @Override
  public Experiment membersOf(Experiment experiment) {
    return experiment.trainedWith(1);
  }

  @Override
  public List<Finished> compute(Ensemble ensemble, List<Member> wanted, Consumer<String> progress) {
    String job = EnsembleJob.of(ensemble);
    List<Member> missing = ensemble.missing(wanted);
    if (missing.isEmpty()) {
      return List.of();
    }
    List<String> originals = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (Member m : missing) {
      (m.role().equals(Member.ORIGINAL) ? originals : rest).add(EnsembleJob.line(m));
    }
    JavaSparkContext sc = context.get();
    progress.accept("computing " + missing.size() + " ensemble member(s) as Spark tasks of one thread on "
        + sc.master());
    List<Finished> finished = new ArrayList<>();
    LetheTask task = new LetheTask(LetheTask.Kind.ENSEMBLE, job);
    for (List<String> stage : List.of(originals, rest)) {
      task.run(sc, stage, done -> {
        Finished f = EnsembleJob.finished(ensemble, done.answer(), executorNumber(done.executor()));
        finished.add(f);
        progress.accept(EnsembleJob.progressLine("executor " + done.executor(), f, finished.size(), missing.size()));
      }, "computing the ensemble's members", "the members finished are stored");
    }
    return finished;
  }

  /** A Spark executor id as {@link Finished#worker}: cluster managers number their executors; -1 for another id. */
  private static int executorNumber(String id) {
    try {
      return Integer.parseInt(id);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
