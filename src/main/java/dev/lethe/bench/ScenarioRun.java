package dev.lethe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.audit.Audit;
import dev.lethe.audit.PoisonAudit;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.ModelOutputs;
import dev.lethe.audit.SplitLogits;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.LossDivergedException;
import dev.lethe.unlearn.ReferenceModels;
import dev.lethe.unlearn.Unlearner;
import dev.lethe.unlearn.method.Sisa;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One forget task ready to be unlearned and audited: the original, the retrained reference's logits and
 * metrics, and RT's training time and the images it trained on. The benchmark and the tuner both evaluate methods through
 * {@link #evaluate}, so a tuned configuration is measured exactly as the benchmark measures it.
 */
public final class ScenarioRun {
  private final Experiment experiment;
  private final ForgetTask task;
  private final Network original;
  private final Experiment.Reference rt;
  private final Map<String, Double> rtMetrics;

  /**
   * The outcome of one method on the task: its audit, or, when its training diverged, the step and reason
   * (and no metrics).
   *
   * @param metrics the audit against RT (empty when the method diverged)
   * @param divergence the divergence, or null when the method ran to the end
   */
  public record Evaluation(Map<String, Double> metrics, LossDivergedException divergence) {
    /** True when the method diverged or its outputs are not finite: a collapsed cell. */
    public boolean collapsed() {
      return divergence != null || metrics.getOrDefault("outputs_finite", 1.0) == 0;
    }

    /** The 1-based step of the divergence, 0 when the run finished (with non-finite outputs or not). */
    public int collapseStep() {
      return divergence == null ? 0 : divergence.step();
    }

    /** Why the cell collapsed, or null when it did not. */
    public String collapseReason() {
      if (divergence != null) {
        return divergence.getMessage();
      }
      return collapsed() ? "the unlearned model's outputs are not finite" : null;
    }
  }

  /**
   * Trains or loads RT for {@code task} (with {@code task.seed()}) and audits it; {@code original} stays owned by
   * the caller.
   */
  public ScenarioRun(Experiment experiment, ForgetTask task, Network original, Progress progress) {
    this.experiment = experiment;
    this.task = task;
    this.original = original;
    rt = experiment.reference(task, progress.child("retrain"));
    rtMetrics = rt.rt().result().metrics();
    rtMetrics.put("seconds", rt.metadata().path("train_seconds").asDouble());
    rtMetrics.put("rte", 1.0);
    rtMetrics.put(Sisa.IMAGES_TRAINED, retrainImages());
    if (experiment.poisoning() != null && !task.heldOutIsValidation()) { // tuning never reads the test split
      try (Network net = experiment.retrained(task, task.seed(), progress.child("retrain")).network()) {
        rtMetrics.putAll(poisonMetrics(net));
      }
    }
  }

  /** The poisoned batch's effect on {@code net} ({@link PoisonAudit}), or nothing on a clean pool. */
  private Map<String, Double> poisonMetrics(Network net) {
    return experiment.poisoning() == null ? Map.of()
        : PoisonAudit.measure(net, experiment.poisoning(), experiment.splits().test());
  }

  /**
   * The training seed of the second exact retrain for evaluation seed {@code seed}: a stream independent of
   * {@code seed}'s own, so its initialisation and batch order both differ from RT's.
   */
  public static long secondRetrainSeed(long seed) {
    return Experiment.secondSeed(seed);
  }

  /** The task being unlearned. */
  public ForgetTask task() {
    return task;
  }

  /** RT's audit (its own reference), with its training seconds and images. */
  public Map<String, Double> retrainMetrics() {
    return rtMetrics;
  }

  /** True if RT came from the artifact store (its seconds were measured when it was first trained). */
  public boolean retrainReused() {
    return rt.reused();
  }

  /** RT's stored metadata: how and when it was trained, with which versions and threads. */
  public JsonNode retrainProvenance() {
    return rt.metadata();
  }

  /**
   * The noise floor: a second exact retrain on the same retain set with {@link #secondRetrainSeed} (trained
   * or loaded like RT), audited against RT exactly like a method. Its {@code seconds} are its training time, its
   * {@value Sisa#IMAGES_TRAINED} its training's images, as RT's.
   */
  public Retrain2 secondRetrain(long seed, Progress progress) {
    ArtifactStore.Artifact second = experiment.retrained(task, secondRetrainSeed(seed), progress.child("retrain-2"));
    Map<String, Double> metrics;
    try (Network net = second.network()) {
      ModelOutputs outputs = ModelOutputs.cached(experiment.store(), second, net, experiment.splits()).outputs();
      metrics = audit(outputs.forTask(task), second.metadata().path("train_seconds").asDouble());
      metrics.putAll(poisonMetrics(net));
    }
    metrics.put(Sisa.IMAGES_TRAINED, retrainImages());
    return new Retrain2(metrics, second);
  }

  /**
   * The images an exact retrain's training passed over, counted as SISA counts its work ({@link
   * Sisa#trainingTotals}): every epoch of the recipe passes over the whole retain set.
   */
  private double retrainImages() {
    return (double) experiment.training().epochs() * task.retain().size();
  }

  /**
   * The second retrain's audit and its artifact's provenance.
   *
   * @param metrics its audit against RT
   * @param artifact the cached model's record (its network is closed)
   */
  public record Retrain2(Map<String, Double> metrics, ArtifactStore.Artifact artifact) {}

  /** What happens to an unlearned model besides its audit: its outputs stored, the model saved. */
  @FunctionalInterface
  public interface Keep {
    /** Called with the unlearned model (closed afterwards by the caller) and its per-example outputs. */
    void accept(Network unlearned, ModelOutputs outputs);
  }

  /** As {@link #evaluate(Unlearner, long, Progress, Keep)}, keeping nothing but the audit. */
  public Evaluation evaluate(Unlearner unlearner, long seed, Progress progress) {
    return evaluate(unlearner, seed, progress, (net, outputs) -> { });
  }

  /**
   * Runs {@code unlearner} on a copy of the original through {@link #unlearn}, predicts its per-example outputs
   * once, audits them against RT and hands model and outputs to {@code keep}. A method whose loss becomes
   * non-finite is a finished outcome (collapsed), not an error. On a task audited on the validation split
   * ({@link ForgetTask#heldOutIsValidation()}, tuning) only the task's own sets are predicted, never the test
   * split, and {@code keep} is not called.
   */
  public Evaluation evaluate(Unlearner unlearner, long seed, Progress progress, Keep keep) {
    return evaluate(unlearner.id(),
        () -> unlearn(experiment, unlearner, original, task, seed, progress.child(unlearner.id())), progress, keep);
  }

  /**
   * Serves {@code task} with {@code unlearner} from {@code from} (which stays the caller's): first, untimed, its
   * training-time {@link Unlearner#prepare} (SISA's shards on the pool) and the {@link ReferenceModels} it reads
   * (retrained models, inputs like RT; extra originals, training-time work), then {@link Unlearner#unlearn}, timed,
   * with the growth of its {@link Unlearner#trainingTotals} over that call as its work.
   */
  public static Unlearned unlearn(Experiment experiment, Unlearner unlearner, Network from, ForgetTask task,
      long seed, Progress progress) {
    unlearner.prepare(from, task, seed, progress);
    ReferenceModels references = experiment.referenceModels(unlearner, task, progress);
    Map<String, Long> before = unlearner.trainingTotals();
    long start = System.nanoTime();
    Network unlearned = unlearner.unlearn(from, task, references, seed, progress);
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Double> work = new java.util.TreeMap<>();
    unlearner.trainingTotals().forEach((name, total) -> work.put(name, (double) (total - before.get(name))));
    return new Unlearned(unlearned, seconds, work);
  }

  /**
   * An unlearned model (owned by whoever receives it), the seconds its unlearning took and the training it did.
   *
   * @param network the model
   * @param seconds the unlearning run time, which the audit reports and sets against RT's
   * @param work the growth of the method's {@link Unlearner#trainingTotals} over the unlearning, by name (reported
   *     as metrics of that name)
   */
  public record Unlearned(Network network, double seconds, Map<String, Double> work) {}

  /**
   * As {@link #evaluate(Unlearner, long, Progress, Keep)} for a model {@code unlearn} produces some other way
   * (a chain of deletion requests, each served on the previous one's result), reported as method {@code id}.
   */
  public Evaluation evaluate(String id, Supplier<Unlearned> unlearn, Progress progress, Keep keep) {
    Map<String, Double> metrics;
    try {
      Unlearned result = unlearn.get();
      try (Network unlearned = result.network()) {
        if (task.heldOutIsValidation()) {
          metrics = audit(experiment.logits(unlearned, task), result.seconds());
        } else {
          ModelOutputs outputs = ModelOutputs.predict(unlearned, experiment.splits());
          metrics = audit(outputs.forTask(task), result.seconds());
          metrics.putAll(poisonMetrics(unlearned));
          keep.accept(unlearned, outputs);
        }
        metrics.putAll(result.work());
      }
    } catch (LossDivergedException e) {
      progress.note(id + " collapsed: " + e.getMessage());
      return new Evaluation(new java.util.LinkedHashMap<>(), e);
    }
    progress.note(String.format(Locale.ROOT, "%s: FA %.2f RA %.2f TA %.2f Avg Gap %.2f in %.1fs",
        id, metrics.get("forget_acc"), metrics.get("retain_acc"), metrics.get("test_acc"),
        metrics.get("avg_gap"), metrics.get("seconds")));
    return new Evaluation(metrics, null);
  }

  private Map<String, Double> audit(SplitLogits logits, double seconds) {
    Map<String, Double> metrics = Audit.audit(logits, task, rt.rt()).metrics();
    metrics.put("seconds", seconds);
    metrics.put("rte", seconds / rtMetrics.get("seconds"));
    return metrics;
  }
}
