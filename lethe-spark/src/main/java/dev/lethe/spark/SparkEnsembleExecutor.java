package dev.lethe.spark;

import dev.lethe.LetheException;
import dev.lethe.experiment.Ensemble;
import dev.lethe.experiment.Ensemble.Member;
import dev.lethe.experiment.EnsembleExecutor;
import dev.lethe.experiment.EnsembleJob;
import dev.lethe.experiment.Experiment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Computes an ensemble's missing members as Spark tasks, one member per task ({@link MemberTask}), on executors
 * of one task slot and one PyTorch thread each ({@link SparkSettings}): the {@code --workers} design of issue #11
 * on a cluster. Members are keyed as trained with one thread, as the local workers' are, so a store computed here
 * and one computed by {@code --workers N} hold the same artifacts, bit for bit. Every task writes into the store
 * the job names, which must be one shared path that the driver and every executor see (NFS, a mounted bucket).
 *
 * <p>The missing shadow originals run as one Spark job first, then everything else (twins, which unlearn an
 * original, and retrains) as a second one: the local workers' greedy order, cut into two stages. The context is
 * asked for only when something is missing, so a rerun over a complete store starts no Spark job. A failure
 * (a task that failed {@code spark.task.maxFailures} times) ends the run with one line naming the member; the
 * members finished are stored, and a rerun computes the rest.
 */
public final class SparkEnsembleExecutor implements EnsembleExecutor {
  private static final String LETHE_FAILURE = LetheException.class.getName() + ": ";

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
    for (List<String> stage : List.of(originals, rest)) {
      if (stage.isEmpty()) {
        continue;
      }
      for (MemberTask.Done done : run(sc, job, stage)) {
        Finished f = EnsembleJob.finished(ensemble, done.answer(), executorNumber(done.executor()));
        finished.add(f);
        progress.accept(EnsembleJob.progressLine("executor " + done.executor(), f, finished.size(), missing.size()));
      }
    }
    return finished;
  }

  /** One Spark job of one task per member line; a failed job is said in one line. */
  private static List<MemberTask.Done> run(JavaSparkContext sc, String job, List<String> lines) {
    try {
      return sc.parallelize(lines, lines.size()).map(new MemberTask(job)).collect();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) { // Scala throws SparkException undeclared
      if (!(e instanceof SparkException)) {
        throw new IllegalStateException(e);
      }
      throw new LetheException("a Spark task failed while computing the ensemble's members: " + reason(e.getMessage())
          + "; the members finished are stored, rerun to compute the rest", e);
    }
  }

  /** The first line of a failed job's message, from the Lethe failure in it when there is one. */
  static String reason(String message) {
    String first = message == null ? "no message" : message.lines().findFirst().orElse("no message").strip();
    int lethe = first.indexOf(LETHE_FAILURE);
    return lethe < 0 ? first : first.substring(lethe + LETHE_FAILURE.length());
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
