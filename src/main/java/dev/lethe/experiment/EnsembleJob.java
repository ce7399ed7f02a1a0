package dev.lethe.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.experiment.Ensemble.Member;
import dev.lethe.experiment.EnsembleExecutor.Finished;
import dev.lethe.train.LossDivergedException;
import dev.lethe.train.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * An ensemble's members as work for another JVM of one intra-op thread, as text that crosses a process boundary:
 * the job (everything that rebuilds the same experiment and {@link Ensemble} there: the experiment's description,
 * the store's path, the target set, size and seed), one line per member, and the answer its computation returns
 * (computed or found stored, seconds, a twin's divergence). The local {@link EnsembleWorkers} send it over a child
 * JVM's stdin and stdout, the {@code lethe-spark} module ships it in Spark tasks; both call {@link #rebuild} and
 * {@link #compute} on the other side, so a member is computed by the same code wherever it runs.
 */
public final class EnsembleJob {
  private EnsembleJob() {}

  /**
   * The job text of {@code ensemble}, whose members are keyed as trained with one thread.
   *
   * @throws IllegalArgumentException if they are not: other JVMs train with one thread
   */
  public static String of(Ensemble ensemble) {
    if (ensemble.experiment().threads() != 1) {
      throw new IllegalArgumentException("worker processes train with one thread: pass the ensemble of experiment"
          + ".trainedWith(1), not of " + ensemble.experiment().threads() + " threads");
    }
    ForgetTask target = ensemble.target();
    ObjectNode job = Json.MAPPER.createObjectNode();
    putExperiment(job, ensemble.experiment());
    ObjectNode t = job.putObject("target");
    t.put("spec", target.spec().text());
    t.set("rows", Json.MAPPER.valueToTree(target.rows().forget()));
    t.set("classes", Json.MAPPER.valueToTree(target.forgetClasses()));
    t.put("seed", target.seed());
    t.put("ids", target.forgetIdsHash());
    job.put("size", ensemble.size());
    job.put("seed", ensemble.seed());
    return Json.canonicalText(job);
  }

  /**
   * The other side: the experiment and ensemble {@code job} describes, rebuilt from the data files by name and
   * checked to be the ones it was made from.
   *
   * @throws LetheException if the data does not load, or loads as other data than the job's
   */
  public static Ensemble rebuild(String job) {
    JsonNode j = read(job);
    Experiment experiment = experiment(j);
    JsonNode t = j.get("target");
    ForgetTask target;
    try {
      target = ForgetTask.ofRows(ForgetSpec.parse(t.get("spec").asText()), experiment.splits(),
          Json.MAPPER.treeToValue(t.get("rows"), int[].class), Json.MAPPER.treeToValue(t.get("classes"), int[].class),
          t.get("seed").asLong());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!target.forgetIdsHash().equals(t.get("ids").asText())) {
      throw new LetheException("this worker rebuilt another target set than its parent's");
    }
    return new Ensemble(experiment, target, j.get("size").asInt(), j.get("seed").asLong());
  }

  /** Puts into {@code job} what rebuilds {@code experiment} in another JVM: its description, store path and threads. */
  static void putExperiment(ObjectNode job, Experiment experiment) {
    job.set("experiment", experiment.describe());
    job.put("store", experiment.store().root().toAbsolutePath().toString());
    job.put("threads", experiment.threads());
  }

  /**
   * The experiment {@link #putExperiment} put into {@code job}, rebuilt from the data files by name and checked to
   * be the one it was made from.
   *
   * @throws LetheException if the data does not load, or loads as other data than the job's
   */
  static Experiment experiment(JsonNode job) {
    Experiment rebuilt = Experiment.fromMetadata(job, null, new ArtifactStore(Path.of(job.path("store").asText())));
    if (!Json.canonicalText(rebuilt.describe()).equals(Json.canonicalText(job.get("experiment")))) {
      throw new LetheException("this worker rebuilt another experiment than its parent's (" + rebuilt.describe()
          + "): the data must load by name from the same files");
    }
    return rebuilt.trainedWith(job.path("threads").asInt());
  }

  /** The line that names {@code member} in a job. */
  public static String line(Member member) {
    return Json.canonicalText(Json.MAPPER.valueToTree(member));
  }

  /** The member a {@link #line} names. */
  public static Member member(String line) {
    try {
      return Json.MAPPER.readValue(line, Member.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable member line " + line, e);
    }
  }

  /**
   * Computes the member {@code line} names into the store (or finds it there) and returns the answer. A twin whose
   * method diverges is answered as such (a finished outcome, as in-process); any other failure is thrown.
   */
  public static String compute(Ensemble ensemble, String line) {
    Member member = member(line);
    long start = System.nanoTime();
    ObjectNode answer = Json.MAPPER.createObjectNode();
    answer.set("member", Json.MAPPER.valueToTree(member));
    try {
      answer.put("computed", ensemble.compute(member, Progress.silent()));
    } catch (LossDivergedException e) {
      if (!member.role().equals(Member.TWIN)) {
        throw e;
      }
      ObjectNode d = answer.putObject("diverged");
      d.put("what", e.what());
      d.put("step", e.step());
      d.put("steps", e.steps());
      d.put("reason", e.reason());
      answer.put("computed", true);
    }
    answer.put("seconds", (System.nanoTime() - start) / 1e9);
    return Json.canonicalText(answer);
  }

  /**
   * What {@code answer} (of {@link #compute}) says {@code worker} did, recording a twin's divergence in
   * {@code ensemble} (whose {@link Ensemble#twins} then throws it, as had it diverged in this process).
   */
  public static Finished finished(Ensemble ensemble, String answer, int worker) {
    JsonNode a = read(answer);
    Member m;
    try {
      m = Json.MAPPER.treeToValue(a.get("member"), Member.class);
    } catch (IOException e) {
      throw new IllegalStateException("unreadable worker answer " + answer, e);
    }
    JsonNode d = a.get("diverged");
    if (d != null) {
      ensemble.diverged(m, new LossDivergedException(d.get("what").asText(), d.get("step").asInt(),
          d.get("steps").asInt(), d.get("reason").asText()));
    }
    return new Finished(m, worker, a.get("seconds").asDouble(), a.get("computed").asBoolean(), d != null);
  }

  /** How one finished member is reported: {@code <who> computed shadow 0 original in 3.1 s (1 of 8)}. */
  public static String progressLine(String who, Finished f, int done, int total) {
    return String.format("%s %s %s in %.1f s (%d of %d)", who,
        f.diverged() ? "saw diverge" : f.computed() ? "computed" : "found stored", f.member(), f.seconds(), done, total);
  }

  static JsonNode read(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable job text " + text, e);
    }
  }
}
