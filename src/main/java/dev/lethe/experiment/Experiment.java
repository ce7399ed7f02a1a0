package dev.lethe.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.audit.Audit;
import dev.lethe.audit.AuditResult;
import dev.lethe.audit.RetrainReference;
import dev.lethe.audit.SplitLogits;
import dev.lethe.data.Dataset;
import dev.lethe.data.DatasetLoader;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Poisoning;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.Splits;
import dev.lethe.data.TrainTest;
import dev.lethe.model.Architecture;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.ReferenceModels;
import dev.lethe.unlearn.Unlearner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * One dataset, split, architecture and training recipe, with the expensive artifacts derived from them: the
 * original model (trained on the pool) and the retrained reference RT of each forget task (trained on its retain
 * set), both cached in an {@link ArtifactStore}. The CLI's train, forget and audit verbs and the benchmark all go
 * through it, so a model trained by one is found by the others. It is also Lethe's whole Java API:
 *
 * <pre>{@code
 * // your own data (or DatasetLoader.load("fashion-mnist", null)) and network (or ModelSpec.of("cnn", 16, train))
 * TrainTest data = new TrainTest(Dataset.of("mine/train", trainImages, trainLabels, classNames, 1, 28, 28),
 *     Dataset.of("mine/test", testImages, testLabels, classNames, 1, 28, 28));
 * Architecture net = Architecture.custom("my-cnn", new Shape(1, 28, 28), 10,
 *     () -> myFeatures(), k -> Linear.builder().setUnits(k).build());
 * Experiment exp = Experiment.of(data, net, SplitConfig.DEFAULT, TrainConfig.DEFAULT, new ArtifactStore(dir));
 *
 * ForgetTask task = exp.task(ForgetSpec.ids(3, 14, 15, 92), 1);        // or fraction(0.1), count(600), classes(5)
 * Unlearner sfr = exp.method("sfr-on", SfrOn.Options.defaults().withForgetAlpha(50)); // or Map.of("forgetAlpha", "50")
 * try (Network original = exp.original(1);                              // trained once, then from the store
 *     Network unlearned = sfr.unlearn(original, task, 1)) {
 *   AuditResult audit = exp.audit(unlearned, task);                     // against RT, trained and cached behind it
 *   System.out.println(audit.avgGap() + " " + audit.toJson());
 * }
 * }</pre>
 *
 * <p>The defaults ({@link SplitConfig#DEFAULT}, {@link TrainConfig#DEFAULT}) are the benchmark's and the CLI's. A
 * method of your own joins through {@link dev.lethe.unlearn.MethodProvider}; the methods that read more of a
 * network than its logits say so in {@link Unlearner#needs()}. {@code examples/BringYourOwnNetwork.java} runs all
 * of it on synthetic data in seconds.
 */
public final class Experiment {
  /** How many retrained references {@link #reference} keeps in memory. */
  private static final int REFERENCES = 16;

  private final String dataset;
  private final Path dataDir;
  private final Architecture architecture;
  private final JsonNode architectureJson;
  private final SplitConfig split;
  private final TrainConfig training;
  private final ArtifactStore store;
  private final Splits splits;
  /** The poisoned batch this experiment's pool carries, or null for the clean pool. */
  private final Poisoning poisoning;
  /** The intra-op thread count that trains this experiment's models, and that their keys name. */
  private final int threads;
  private final Map<String, Reference> references = new LinkedHashMap<>(REFERENCES, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Reference> eldest) {
      return size() > REFERENCES;
    }
  };
  private MethodRegistry methods;
  private final Map<String, ArtifactStore.IdList> worstCases = new java.util.HashMap<>();

  /** Loads the dataset Lethe knows by name and draws the splits. */
  public Experiment(
      String dataset, Path dataDir, String model, int width, SplitConfig split, TrainConfig training,
      ArtifactStore store) {
    this(dataset, dataDir, DatasetLoader.load(dataset, dataDir), model, width, split, training, store);
  }

  /** Draws the splits from {@code data}, already loaded ({@code dataset} and {@code dataDir} name it). */
  public Experiment(
      String dataset, Path dataDir, TrainTest data, String model, int width, SplitConfig split,
      TrainConfig training, ArtifactStore store) {
    this(dataset, dataDir, data, ModelSpec.of(model, width, data.train()), split, training, store);
  }

  private Experiment(
      String dataset, Path dataDir, TrainTest data, Architecture architecture, SplitConfig split,
      TrainConfig training, ArtifactStore store) {
    this.dataset = dataset;
    this.dataDir = dataDir;
    this.architecture = architecture;
    this.split = split;
    this.training = training;
    this.store = store;
    Dataset train = data.train();
    if (architecture.channels() != train.channels() || architecture.height() != train.height()
        || architecture.width() != train.width() || architecture.classes() != train.numClasses()) {
      throw new LetheException("network " + architecture.name() + " takes " + shape(architecture.channels(),
          architecture.height(), architecture.width()) + " images of " + architecture.classes() + " classes, but "
          + train.name() + " holds " + shape(train.channels(), train.height(), train.width()) + " images of "
          + train.numClasses() + " classes: build the network for this data");
    }
    this.architectureJson = describe(architecture);
    this.splits = Splits.of(data, split);
    this.poisoning = null;
    this.threads = Provenance.threads();
  }

  /**
   * {@code base} with {@code splits} (its own, or its pool replaced by {@code poisoning}'s), trained with
   * {@code threads}: the same data, split, network, recipe and store.
   */
  private Experiment(Experiment base, Splits splits, Poisoning poisoning, int threads) {
    this.dataset = base.dataset;
    this.dataDir = base.dataDir;
    this.architecture = base.architecture;
    this.architectureJson = base.architectureJson;
    this.split = base.split;
    this.training = base.training;
    this.store = base.store;
    this.splits = splits;
    this.poisoning = poisoning;
    this.threads = threads;
  }

  /**
   * This experiment with the poisoned batch {@code poison} in its training pool ({@link Poisoning}): its original
   * and every retrain train on the poisoned pool, and {@link #task}{@code (poison, seed)} forgets the poisoned
   * images. Validation and test stay clean.
   *
   * @throws LetheException if this experiment is already poisoned, or the pool cannot carry this poison
   */
  public Experiment poisoned(ForgetSpec.Poison poison) {
    if (poisoning != null) {
      if (poisoning.spec().equals(poison)) {
        return this;
      }
      throw new LetheException("this experiment's pool already carries " + poisoning.spec().text()
          + ": poison the clean experiment with " + poison.text() + " instead");
    }
    Poisoning poisoning = Poisoning.of(poison, splits.pool());
    return new Experiment(this, new Splits(poisoning.pool(), splits.validation(), splits.test()), poisoning, threads);
  }

  /** The experiment a forget request runs in: {@link #poisoned} for a poisoned batch, this one otherwise. */
  public Experiment forRequest(ForgetSpec forget) {
    return forget instanceof ForgetSpec.Poison poison ? poisoned(poison) : this;
  }

  /** The poisoned batch in this experiment's pool, or null when the pool is clean. */
  public Poisoning poisoning() {
    return poisoning;
  }

  /**
   * This experiment as processes with {@code threads} PyTorch intra-op threads train it (the worker processes of
   * {@link EnsembleWorkers} run with one): the same data, splits and store, but its models' keys and its
   * {@link #fingerprint()} name {@code threads}, since results differ bitwise between thread counts. This process
   * only loads such models unless it runs with {@code threads} itself: training one here would store it under a
   * key that misstates how it was made, so that is refused.
   */
  public Experiment trainedWith(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    return threads == this.threads ? this : new Experiment(this, splits, poisoning, threads);
  }

  /** The intra-op thread count this experiment's models are trained with and keyed by. */
  public int threads() {
    return threads;
  }

  /**
   * Refuses to train here a model whose key names another thread count than this process runs with (see
   * {@link #trainedWith}).
   */
  void requireTrainingThreads(String what) {
    if (threads != Provenance.threads()) {
      throw new IllegalStateException(what + " is keyed as trained with " + threads + " intra-op thread(s), but this"
          + " process runs " + Provenance.threads() + ": compute it in a worker process of " + threads);
    }
  }

  /**
   * An experiment on {@code data} (your own, or a {@link DatasetLoader} dataset) with any {@code architecture}:
   * a built-in {@link ModelSpec} or a network of your own ({@link Architecture#custom}), built once here to check
   * it fits the data.
   *
   * @throws LetheException if the network does not take the data's images and classes, or the split does not fit
   */
  public static Experiment of(
      TrainTest data, Architecture architecture, SplitConfig split, TrainConfig training, ArtifactStore store) {
    return new Experiment(data.train().name(), null, data, architecture, split, training, store);
  }

  /** Rebuilds the experiment a checkpoint's metadata describes (see {@link #describe()}). */
  public static Experiment fromMetadata(JsonNode meta, Path dataDirOverride, ArtifactStore store) {
    JsonNode e = meta.path("experiment");
    if (e.isMissingNode()) {
      throw new LetheException(
          "this checkpoint has no experiment description: it was not written by `lethe train`");
    }
    if (e.has("custom")) {
      throw new LetheException("this checkpoint's network " + e.path("model").asText() + " is of your own design,"
          + " which the command line cannot build: work with it from Java (Experiment.of, Checkpoints.load(dir,"
          + " architecture))");
    }
    try {
      SplitConfig split = Json.MAPPER.treeToValue(e.get("split"), SplitConfig.class);
      TrainConfig training = Json.MAPPER.treeToValue(e.get("training"), TrainConfig.class);
      Path dir = dataDirOverride != null ? dataDirOverride
          : e.hasNonNull("data_dir") ? Path.of(e.get("data_dir").asText()) : null;
      Experiment clean = new Experiment(
          e.get("dataset").asText(), dir, e.get("model").asText(), e.get("width").asInt(), split,
          training, store);
      return e.hasNonNull("poison") ? clean.forRequest(ForgetSpec.parse(e.get("poison").asText())) : clean;
    } catch (java.io.IOException | RuntimeException ex) {
      if (ex instanceof LetheException le) {
        throw le;
      }
      throw new LetheException("checkpoint metadata is malformed: " + ex.getMessage());
    }
  }

  /**
   * How keys and descriptions name an architecture: a built-in one by its spec (as it always was, so keys stay),
   * one of your own by name, input shape, classes and the parameter layout its blocks build.
   */
  private static JsonNode describe(Architecture architecture) {
    if (architecture instanceof ModelSpec spec) {
      return Json.MAPPER.valueToTree(spec);
    }
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("custom", architecture.name());
    c.put("channels", architecture.channels());
    c.put("height", architecture.height());
    c.put("width", architecture.width());
    c.put("classes", architecture.classes());
    try (Network probe = Network.create(architecture, 0)) {
      c.put("layout", probe.layoutSignature());
    }
    return c;
  }

  private static String shape(int channels, int height, int width) {
    return channels + "x" + height + "x" + width;
  }

  /** The architecture of every network in this experiment. */
  public Architecture architecture() {
    return architecture;
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
    e.put("model", architecture.name());
    if (architecture instanceof ModelSpec spec) {
      e.put("width", spec.baseWidth());
    } else {
      e.set("custom", architectureJson);
    }
    e.set("split", Json.MAPPER.valueToTree(split));
    e.set("training", Json.MAPPER.valueToTree(training));
    if (poisoning != null) {
      e.put("poison", poisoning.spec().text());
    }
    e.put("pool_hash", splits.pool().contentHash());
    e.put("validation_hash", splits.validation().contentHash());
    e.put("test_hash", splits.test().contentHash());
    return e;
  }

  /**
   * Everything about this experiment that determines a result, as JSON: the architecture, split and training
   * recipe, the content hashes of the pool, validation and test splits, the training thread count ({@link
   * #threads()}: results differ bitwise between thread counts) and the training-code version. Part of every result cell's key.
   */
  public ObjectNode fingerprint() {
    ObjectNode f = Json.MAPPER.createObjectNode();
    f.put("dataset", dataset);
    f.set("spec", architectureJson);
    f.set("split", Json.MAPPER.valueToTree(split));
    f.set("training", Json.MAPPER.valueToTree(training));
    f.put("pool", splits.pool().contentHash());
    if (poisoning != null) {
      f.put("poison", poisoning.spec().text());
    }
    f.put("validation", splits.validation().contentHash());
    f.put("test", splits.test().contentHash());
    f.put("threads", threads);
    f.put("training_code", Provenance.TRAINING_CODE_VERSION);
    return f;
  }

  /**
   * The forget task of {@code forget} on this experiment's pool; {@code seed} draws a random forget set and is
   * the seed its retrained reference trains with ({@link ForgetTask#seed()}). A poisoned batch is forgotten from
   * the experiment that carries it ({@link #forRequest}).
   *
   * @throws LetheException if {@code forget} is a poisoned batch this experiment's pool does not carry
   */
  public ForgetTask task(ForgetSpec forget, long seed) {
    if (forget instanceof ForgetSpec.Poison poison) {
      if (poisoning == null || !poisoning.spec().equals(poison)) {
        throw new LetheException("forget spec " + poison.text() + " removes a poisoned batch, but this "
            + (poisoning == null ? "model was trained on the clean pool" : "pool carries " + poisoning.spec().text())
            + ": run it where the poison was trained in (lethe bench --forget " + poison.text()
            + ", or Experiment.forRequest(spec) from Java)");
      }
      return ForgetTask.ofRows(poison, splits, poisoning.rows(), new int[0], seed);
    }
    if (forget instanceof ForgetSpec.WorstCase worst) {
      return ForgetTask.ofRows(worst, splits, rowsOf(worstCase(worst, seed).ids()), new int[0], seed);
    }
    return ForgetTask.derive(forget, splits, seed);
  }

  /**
   * The worst-case forget set {@code spec} for the original of {@code seed} ({@link WorstCaseSelection} with its
   * default options, seeded by {@code seed}): searched once, then loaded from the store, whose id file
   * ({@link ArtifactStore.IdList#file()}) replays it as {@code --forget ids:FILE}. The search loads the original,
   * training it first if it is not in the store; a stored set needs neither.
   *
   * @throws LetheException if the set would be empty or the whole pool
   */
  public ArtifactStore.IdList worstCase(ForgetSpec.WorstCase spec, long seed) {
    String memo = spec.text() + "/" + seed;
    ArtifactStore.IdList cached = worstCases.get(memo);
    if (cached != null) {
      return cached;
    }
    Dataset pool = splits.pool();
    int k = worstCaseSize(spec);
    Progress progress = Progress.stderr("worst-case selection " + spec.text() + " seed " + seed);
    ArtifactStore.IdList ids = store.idList("worst", worstCaseKey(k, seed), () -> {
      requireTrainingThreads("the worst-case search " + spec.text() + " seed " + seed);
      try (Network net = original(seed, progress.child("original")).network()) {
        long start = System.nanoTime();
        int[] rows = WorstCaseSelection.select(net, pool, k, WorstCaseSelection.Options.DEFAULT, seed, progress);
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
          out[i] = pool.id(rows[i]);
        }
        return new ArtifactStore.Searched(out, (System.nanoTime() - start) / 1e9);
      }
    });
    System.err.println("lethe: " + spec.text() + " seed " + seed + (ids.reused() ? " (from the store)" : "")
        + ": " + ids.ids().length + " ids in " + ids.file() + (Double.isNaN(ids.seconds()) ? ""
        : String.format(Locale.ROOT, ", searched in %.1f s", ids.seconds()))
        + " (replay it with --forget ids:FILE)");
    worstCases.put(memo, ids);
    return ids;
  }

  /**
   * True when the worst-case forget set {@code spec} of {@code seed} is in the store, so {@link #worstCase} searches
   * and trains nothing.
   *
   * @throws LetheException if the set would be empty or the whole pool
   */
  public boolean hasWorstCase(ForgetSpec.WorstCase spec, long seed) {
    return worstCases.containsKey(spec.text() + "/" + seed)
        || store.hasIdList("worst", worstCaseKey(worstCaseSize(spec), seed));
  }

  /** The size of the worst-case set {@code spec} in this pool, checked to leave a forget and a retain set. */
  private int worstCaseSize(ForgetSpec.WorstCase spec) {
    int n = splits.pool().size();
    int k = spec.size(n);
    if (k < 1 || k >= n) {
      throw new LetheException("forget spec " + spec.text() + " selects " + k + " of the " + n + " samples in"
          + " the training pool; ask for between 1 and " + (n - 1));
    }
    return k;
  }

  /** The store key of the worst-case set of {@code k} for the original of {@code seed}, named by its key. */
  private ObjectNode worstCaseKey(int k, long seed) {
    ObjectNode key = Json.MAPPER.createObjectNode();
    key.put("kind", "worst");
    key.put("original", Json.contentKey(trainingKey("original", splits.pool(), seed)));
    key.put("pool", splits.pool().contentHash());
    key.put("k", k);
    key.set("options", Json.MAPPER.valueToTree(WorstCaseSelection.Options.DEFAULT));
    key.put("seed", seed);
    key.put("training_code", Provenance.TRAINING_CODE_VERSION);
    return key;
  }

  /** The pool rows of stable {@code ids}, ascending. */
  private int[] rowsOf(int[] ids) {
    Dataset pool = splits.pool();
    Map<Integer, Integer> rowOfId = new java.util.HashMap<>();
    for (int row = 0; row < pool.size(); row++) {
      rowOfId.put(pool.id(row), row);
    }
    int[] rows = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      Integer row = rowOfId.get(ids[i]);
      if (row == null) {
        throw new LetheException("stored worst-case id " + ids[i] + " is not in this training pool: clear the store");
      }
      rows[i] = row;
    }
    Arrays.sort(rows);
    return rows;
  }

  /** The original model for {@code seed}: trained on the whole pool, or loaded from the store. */
  public ArtifactStore.Artifact original(long seed, Progress progress) {
    return trainedOn("original", splits.pool(), seed, "training the original", progress);
  }

  /** As {@link #original(long, Progress)}, silently; the caller closes the network. */
  public Network original(long seed) {
    return original(seed, Progress.silent()).network();
  }

  /** The retrained reference for {@code task}: trained from scratch on the retain set, or loaded. */
  public ArtifactStore.Artifact retrained(ForgetTask task, long seed, Progress progress) {
    return trainedOn("retrain", task.retain(), seed, "retraining", progress);
  }

  /**
   * The models besides the one it unlearns that {@code method} reads, trained or loaded now so that their cost stays
   * out of the method's run time (none of either kind for a method that reads none).
   *
   * <ul>
   *   <li>{@link Unlearner#retrainedModels()} models retrained without {@code task.forget()}: model m trains on the
   *       task's retain set with the m-th seed of a stream split from {@link ForgetTask#seed()} after the one {@link
   *       #secondSeed} draws from, so none of them is the audit's RT or the second retrain; they are ordinary {@code
   *       retrain} artifacts, shared by every method that asks.
   *   <li>{@link Unlearner#extraOriginals()} models trained as the original is, on the task's pool, with the seeds
   *       of the stream split after that one: ordinary {@code original} artifacts of the pool, none of them the
   *       scenario's own original.
   * </ul>
   */
  public ReferenceModels referenceModels(Unlearner method, ForgetTask task, Progress progress) {
    int retrainedCount = method.retrainedModels();
    int originalCount = method.extraOriginals();
    SplittableRandom root = new SplittableRandom(task.seed());
    root.split(); // the stream secondSeed draws the second retrain's seed from
    SplittableRandom retrainSeeds = root.split();
    SplittableRandom originalSeeds = root.split();
    List<Path> retrained = new ArrayList<>();
    for (int m = 0; m < retrainedCount; m++) {
      retrained.add(stored(retrained(task, retrainSeeds.nextLong(),
          progress.child("retrained model " + (m + 1) + " of " + retrainedCount))));
    }
    List<Path> originals = new ArrayList<>();
    for (int m = 0; m < originalCount; m++) {
      originals.add(stored(trainedOn("original", task.pool(), originalSeeds.nextLong(), "training extra original",
          progress.child("extra original " + (m + 1) + " of " + originalCount))));
    }
    return new ReferenceModels() {
      @Override
      public int retrainedCount() {
        return retrained.size();
      }

      @Override
      public float[][] meanRetrainedLogits(Dataset data) {
        float[][] mean = null;
        for (Path model : retrained) {
          float[][] logits;
          try (Network network = Checkpoints.load(model, architecture)) {
            logits = Prediction.logits(network, data);
          }
          if (mean == null) {
            mean = logits;
          } else {
            for (int i = 0; i < mean.length; i++) {
              for (int k = 0; k < mean[i].length; k++) {
                mean[i][k] += logits[i][k];
              }
            }
          }
        }
        if (mean == null) {
          throw new IllegalStateException("no retrained models to average");
        }
        for (float[] row : mean) {
          for (int k = 0; k < row.length; k++) {
            row[k] /= retrained.size();
          }
        }
        return mean;
      }

      @Override
      public int originalCount() {
        return originals.size();
      }

      @Override
      public Network original(int k) {
        return Checkpoints.load(originals.get(k), architecture);
      }
    };
  }

  /** The directory of {@code artifact}, its network closed: only the stored checkpoint is kept, loaded per use. */
  private static Path stored(ArtifactStore.Artifact artifact) {
    artifact.network().close();
    return artifact.dir();
  }

  /**
   * A network of this experiment's architecture trained from scratch with its recipe on {@code data} (any
   * subset of the splits, e.g. a shadow model's half of the pool), or loaded: stored as {@code kind} under a
   * key of the data's content hash, architecture, recipe, seed, threads and training-code version.
   */
  public ArtifactStore.Artifact trainedOn(String kind, Dataset data, long seed, String what, Progress progress) {
    return store.getOrCompute(kind, trainingKey(kind, data, seed), architecture, () -> {
      requireTrainingThreads(what);
      return timed(() -> Training.trainFresh(architecture, data, training, seed, what, progress), seed);
    });
  }

  /** The store key of the model {@link #trainedOn} trains as {@code kind} on {@code data} with {@code seed}. */
  ObjectNode trainingKey(String kind, Dataset data, long seed) {
    ObjectNode key = baseKey(kind, seed);
    key.put("data", data.contentHash());
    return key;
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

  /**
   * The retrained reference of {@code task} as the audit uses it.
   *
   * @param rt its logits on the task and its own audit
   * @param metadata how it was trained: seed, seconds, versions, content key
   * @param reused whether it came from the store
   */
  public record Reference(RetrainReference rt, JsonNode metadata, boolean reused) {}

  /**
   * RT of {@code task} (trained with {@link ForgetTask#seed()}, or loaded) with its logits and its audit,
   * computed once and kept for the next audit of the same task. Its logits are cut from outputs predicted on
   * whole splits and stored beside the model, as the benchmark reads them; on a task audited on the validation
   * split only the task's own sets are predicted.
   */
  public Reference reference(ForgetTask task, Progress progress) {
    requireOwn(task);
    String key = task.forgetIdsHash() + Arrays.toString(task.forgetClasses()) + task.heldOutIsValidation() + "/"
        + task.seed();
    Reference cached = references.get(key);
    if (cached != null) {
      return cached;
    }
    ArtifactStore.Artifact rt = retrained(task, task.seed(), progress);
    SplitLogits logits;
    try (Network network = rt.network()) {
      logits = task.heldOutIsValidation() ? SplitLogits.of(network, task)
          : ModelOutputs.cached(store, rt, network, splits).outputs().forTask(task);
    }
    Reference reference = new Reference(RetrainReference.of(logits, task), rt.metadata(), rt.reused());
    references.put(key, reference);
    return reference;
  }

  /**
   * The logits of {@code network} that an audit of {@code task} reads, predicted as the benchmark predicts them:
   * on whole splits, then cut for the task (a task audited on the validation split: only its own sets).
   */
  public SplitLogits logits(Network network, ForgetTask task) {
    requireOwn(task);
    Architecture other = network.architecture();
    if (other.channels() != architecture.channels() || other.height() != architecture.height()
        || other.width() != architecture.width() || other.classes() != architecture.classes()) {
      throw new LetheException("network " + network.architecture().name() + " does not take this experiment's "
          + shape(architecture.channels(), architecture.height(), architecture.width()) + " images of "
          + architecture.classes() + " classes: audit a network of this experiment");
    }
    return task.heldOutIsValidation() ? SplitLogits.of(network, task)
        : ModelOutputs.predict(network, splits).forTask(task);
  }

  /**
   * Audits {@code candidate} (an unlearned copy of {@link #original}) on {@code task} against its retrained
   * reference, trained or loaded and then kept ({@link #reference}): every metric, Avg Gap included.
   */
  public AuditResult audit(Network candidate, ForgetTask task) {
    SplitLogits logits = logits(candidate, task);
    return Audit.audit(logits, task, reference(task, Progress.silent()).rt());
  }

  /**
   * Every unlearning method for this experiment's training recipe (which retraining repeats and augmented methods
   * follow): the built-in ones and those of every {@link dev.lethe.unlearn.MethodProvider}, keeping their checkpoints
   * between runs (SISA's slices) in this experiment's artifact store.
   */
  public MethodRegistry methods() {
    if (methods == null) {
      methods = new MethodRegistry(training, store.root());
    }
    return methods;
  }

  /**
   * The method {@code id} with {@code params} (option name to value, as {@code --param id.name=value}) over its
   * defaults; unknown ids, names and bad values are one-line errors.
   */
  public Unlearner method(String id, Map<String, String> params) {
    return methods().get(id).create(params);
  }

  /**
   * The method {@code id} with {@code options}, its typed options record (e.g.
   * {@code SfrOn.Options.defaults().withForgetAlpha(50)}); a record of another method's type is a one-line error.
   */
  public Unlearner method(String id, Record options) {
    return methods().get(id).create(options);
  }

  /** Rejects a task derived on another experiment's splits, whose rows would index the wrong samples. */
  private void requireOwn(ForgetTask task) {
    if (task.pool() != splits.pool() && !task.pool().contentHash().equals(splits.pool().contentHash())
        || task.validation() != splits.validation()
            && !task.validation().contentHash().equals(splits.validation().contentHash())) {
      throw new LetheException("task " + task.spec().text() + " was derived on another training pool or validation"
          + " split: derive it with this experiment's task(spec, seed)");
    }
  }

  private ObjectNode baseKey(String kind, long seed) {
    ObjectNode key = Json.MAPPER.createObjectNode();
    key.put("kind", kind);
    key.set("spec", architectureJson);
    key.set("training", Json.MAPPER.valueToTree(training));
    key.put("seed", seed);
    key.put("training_code", Provenance.TRAINING_CODE_VERSION);
    key.put("threads", threads);
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
