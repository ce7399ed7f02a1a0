package dev.lethe.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.DatasetLoader;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.Splits;
import dev.lethe.data.TrainTest;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * One dataset, split, architecture and training recipe, with the expensive artifacts derived from them:
 * the original model (trained on the pool) and the retrained reference (trained on a task's retain set),
 * both cached in an {@link ArtifactStore}. The CLI's train, forget and audit verbs and the benchmark all
 * go through it, so a model trained by one is found by the others.
 */
public final class Experiment {
  private final String dataset;
  private final Path dataDir;
  private final ModelSpec spec;
  private final SplitConfig split;
  private final TrainConfig training;
  private final ArtifactStore store;
  private final Splits splits;

  /** Loads the dataset and draws the splits. */
  public Experiment(
      String dataset, Path dataDir, String model, int width, SplitConfig split, TrainConfig training,
      ArtifactStore store) {
    this(dataset, dataDir, DatasetLoader.load(dataset, dataDir), model, width, split, training, store);
  }

  /** Draws the splits from {@code data}, already loaded ({@code dataset} and {@code dataDir} name it). */
  public Experiment(
      String dataset, Path dataDir, TrainTest data, String model, int width, SplitConfig split,
      TrainConfig training, ArtifactStore store) {
    this.dataset = dataset;
    this.dataDir = dataDir;
    this.split = split;
    this.training = training;
    this.store = store;
    this.splits = Splits.of(data, split);
    var train = data.train();
    this.spec =
        new ModelSpec(model, train.channels(), train.height(), train.width(), train.numClasses(), width);
  }

  /** Rebuilds the experiment a checkpoint's metadata describes (see {@link #describe()}). */
  public static Experiment fromMetadata(JsonNode meta, Path dataDirOverride, ArtifactStore store) {
    JsonNode e = meta.path("experiment");
    if (e.isMissingNode()) {
      throw new LetheException(
          "this checkpoint has no experiment description: it was not written by `lethe train`");
    }
    try {
      SplitConfig split = Json.MAPPER.treeToValue(e.get("split"), SplitConfig.class);
      TrainConfig training = Json.MAPPER.treeToValue(e.get("training"), TrainConfig.class);
      Path dir = dataDirOverride != null ? dataDirOverride
          : e.hasNonNull("data_dir") ? Path.of(e.get("data_dir").asText()) : null;
      return new Experiment(
          e.get("dataset").asText(), dir, e.get("model").asText(), e.get("width").asInt(), split,
          training, store);
    } catch (java.io.IOException | RuntimeException ex) {
      if (ex instanceof LetheException le) {
        throw le;
      }
      throw new LetheException("checkpoint metadata is malformed: " + ex.getMessage());
    }
  }

  /** The architecture of every network in this experiment. */
  public ModelSpec spec() {
    return spec;
  }

  /** The pool, validation and test splits. */
  public Splits splits() {
    return splits;
  }

  /** The training recipe of the original and of the retrained reference. */
  public TrainConfig training() {
    return training;
  }

  /** The dataset, split, model and training recipe as JSON; stored with every model and result. */
  public ObjectNode describe() {
    ObjectNode e = Json.MAPPER.createObjectNode();
    e.put("dataset", dataset);
    if (dataDir != null) {
      e.put("data_dir", dataDir.toAbsolutePath().toString());
    }
    e.put("model", spec.architecture());
    e.put("width", spec.baseWidth());
    e.set("split", Json.MAPPER.valueToTree(split));
    e.set("training", Json.MAPPER.valueToTree(training));
    e.put("pool_hash", splits.pool().contentHash());
    e.put("validation_hash", splits.validation().contentHash());
    e.put("test_hash", splits.test().contentHash());
    return e;
  }

  /**
   * Everything about this experiment that determines a result, as JSON: the architecture, split and training
   * recipe, the content hashes of the pool, validation and test splits, the training thread count (results
   * differ bitwise between thread counts) and the training-code version. Part of every result cell's key.
   */
  public ObjectNode fingerprint() {
    ObjectNode f = Json.MAPPER.createObjectNode();
    f.put("dataset", dataset);
    f.set("spec", Json.MAPPER.valueToTree(spec));
    f.set("split", Json.MAPPER.valueToTree(split));
    f.set("training", Json.MAPPER.valueToTree(training));
    f.put("pool", splits.pool().contentHash());
    f.put("validation", splits.validation().contentHash());
    f.put("test", splits.test().contentHash());
    f.put("threads", Provenance.threads());
    f.put("training_code", Provenance.TRAINING_CODE_VERSION);
    return f;
  }

  /** The forget task of {@code forget} on this experiment's pool. */
  public ForgetTask task(ForgetSpec forget, long seed) {
    return ForgetTask.derive(forget, splits, seed);
  }

  /** The original model for {@code seed}: trained on the whole pool, or loaded from the store. */
  public ArtifactStore.Artifact original(long seed, Progress progress) {
    return trainedOn("original", splits.pool(), seed, "training the original", progress);
  }

  /** The retrained reference for {@code task}: trained from scratch on the retain set, or loaded. */
  public ArtifactStore.Artifact retrained(ForgetTask task, long seed, Progress progress) {
    return trainedOn("retrain", task.retain(), seed, "retraining", progress);
  }

  /**
   * A network of this experiment's architecture trained from scratch with its recipe on {@code data} (any
   * subset of the splits, e.g. a shadow model's half of the pool), or loaded: stored as {@code kind} under a
   * key of the data's content hash, architecture, recipe, seed, threads and training-code version.
   */
  public ArtifactStore.Artifact trainedOn(String kind, Dataset data, long seed, String what, Progress progress) {
    ObjectNode key = baseKey(kind, seed);
    key.put("data", data.contentHash());
    return store.getOrCompute(kind, key, () -> timed(() ->
        Training.trainFresh(spec, data, training, seed, what, progress), seed));
  }

  /** The store this experiment's artifacts live in. */
  public ArtifactStore store() {
    return store;
  }

  /**
   * The training seed of the second exact retrain of a model trained with {@code seed}: a stream independent
   * of {@code seed}'s own, so its initialisation and batch order both differ.
   */
  public static long secondSeed(long seed) {
    return new SplittableRandom(seed).split().nextLong();
  }

  private ObjectNode baseKey(String kind, long seed) {
    ObjectNode key = Json.MAPPER.createObjectNode();
    key.put("kind", kind);
    key.set("spec", Json.MAPPER.valueToTree(spec));
    key.set("training", Json.MAPPER.valueToTree(training));
    key.put("seed", seed);
    key.put("training_code", Provenance.TRAINING_CODE_VERSION);
    key.put("threads", Provenance.threads());
    return key;
  }

  private ArtifactStore.Computed timed(Supplier<Network> training, long seed) {
    long start = System.nanoTime();
    Network net = training.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    ObjectNode meta = Json.MAPPER.createObjectNode();
    meta.set("experiment", describe());
    meta.put("seed", seed);
    meta.put("train_seconds", seconds);
    meta.set("versions", Provenance.versions(Json.MAPPER));
    return new ArtifactStore.Computed(net, meta);
  }
}
