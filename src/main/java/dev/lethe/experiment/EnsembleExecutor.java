package dev.lethe.experiment;

import dev.lethe.experiment.Ensemble.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where an {@link Ensemble}'s missing members are computed before the per-example audits load them (issue #11,
 * "Where it runs"): in the process that loads them, with its own threads ({@link #IN_PROCESS}); in local worker
 * JVMs of one thread ({@link EnsembleWorkers#executor}, {@code --workers N}); or by a cluster's executors (the
 * opt-in {@code lethe-spark} module). Wherever they run, members are computed by the same code ({@link
 * EnsembleJob}, then {@link Ensemble#compute}) into the same shared {@link ArtifactStore}, and the audits then read
 * them from the store.
 */
public interface EnsembleExecutor {
  /** Computes nothing ahead: the process that loads the members trains the missing ones, with its own threads. */
  EnsembleExecutor IN_PROCESS = new EnsembleExecutor() {
    @Override
    public Experiment membersOf(Experiment experiment) {
      return experiment;
    }

    @Override
    public List<Finished> compute(Ensemble ensemble, List<Member> wanted, Consumer<String> progress) {
      return List.of();
    }
  };

  /**
   * One member a worker process or cluster task finished.
   *
   * @param worker which worker computed it: a local worker's number (from 1), a Spark executor's id
   * @param computed false when it was found stored whole (another run or task computed it meanwhile)
   * @param diverged true when it is a twin whose method diverged (then {@link Ensemble#twins} throws for it)
   */
  record Finished(Member member, int worker, double seconds, boolean computed, boolean diverged) {}

  /**
   * The experiment the members this executor computes are trained and keyed with: {@code experiment} itself in
   * process, {@link Experiment#trainedWith} one thread for one-thread worker JVMs.
   */
  Experiment membersOf(Experiment experiment);

  /**
   * Computes every member of {@code wanted} that is not {@link Ensemble#stored} (an ensemble of {@link
   * #membersOf} experiment), printing one line per finished member to {@code progress}, and returns what was
   * done; nothing when nothing is missing.
   *
   * @throws dev.lethe.LetheException if a member's computation fails, naming it
   */
  List<Finished> compute(Ensemble ensemble, List<Member> wanted, Consumer<String> progress);

  /** {@link #compute}s the ensemble's shadow originals (the single-model attacks need nothing else). */
  default List<Finished> computeOriginals(Ensemble ensemble, Consumer<String> progress) {
    List<Member> originals = new ArrayList<>();
    for (int j = 0; j < ensemble.size(); j++) {
      originals.add(Member.of(Member.ORIGINAL, j));
    }
    return compute(ensemble, originals, progress);
  }
}
