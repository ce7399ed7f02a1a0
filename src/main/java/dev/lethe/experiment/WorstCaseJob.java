package dev.lethe.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;

/**
 * A worst-case forget set's search ({@link Experiment#worstCase}) as work for another JVM, as text that crosses a
 * process boundary: the job (the experiment as {@link EnsembleJob} describes it, with the threads its models are
 * keyed by, and the forget spec), one line per seed, and the answer (the stored id file). The search trains the
 * original it reads, so a driver whose models are keyed by other threads than its own (the {@code lethe-spark}
 * module's) has it run where its cells train, in a JVM of those threads.
 */
public final class WorstCaseJob {
  private final Experiment experiment;
  private final ForgetSpec.WorstCase spec;

  private WorstCaseJob(Experiment experiment, ForgetSpec.WorstCase spec) {
    this.experiment = experiment;
    this.spec = spec;
  }

  /** The job text of searching {@code spec} in {@code experiment}, whose models are keyed by its threads. */
  public static String of(Experiment experiment, ForgetSpec.WorstCase spec) {
    ObjectNode job = Json.MAPPER.createObjectNode();
    EnsembleJob.putExperiment(job, experiment);
    job.put("forget", spec.text());
    return Json.canonicalText(job);
  }

  /**
   * The other side: the search {@code job} describes, its experiment rebuilt from the data files by name.
   *
   * @throws LetheException if the data does not load, or loads as other data than the job's
   */
  public static WorstCaseJob rebuild(String job) {
    JsonNode j = EnsembleJob.read(job);
    return new WorstCaseJob(EnsembleJob.experiment(j), (ForgetSpec.WorstCase) ForgetSpec.parse(j.get("forget").asText()));
  }

  /** The line of seed {@code seed}. */
  public static String line(long seed) {
    return Long.toString(seed);
  }

  /**
   * Searches the set of the seed {@code line} names into the store (training its original if it is missing), or
   * finds it there, and answers the id file.
   *
   * @throws IllegalStateException if this JVM trains with other threads than the job's
   */
  public String compute(String line) {
    return experiment.worstCase(spec, Long.parseLong(line)).file().toString();
  }
}
