package dev.lethe.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.audit.perexample.ForgetQuality;
import dev.lethe.audit.perexample.Margins;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Splits;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Network;
import dev.lethe.train.LossDivergedException;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.OptionsBinder;
import dev.lethe.unlearn.ReferenceModels;
import dev.lethe.unlearn.Unlearner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The shadow ensemble behind the per-example audits (KLoM, U-LiRA, LiRA, RMIA, forget quality; issue #11):
 * M shadow originals, each trained on a seeded half of the pool; for shadow j a forget set, the audit's
 * target set (a forget task on the pool) intersected with its half; its exact retrain without that forget
 * set; a second exact retrain with another seed (the noise floor); and, per audited method, the method
 * applied to the shadow (its unlearned twin). Every member is an {@link ArtifactStore} artifact keyed by
 * content (its training data's content hash, architecture, recipe, seed, training-code version; a twin also
 * by its shadow's key, the method and its options and the forget ids), so a rerun computes only what is
 * missing and a damaged member is recomputed. Each member's logits on the pool, validation and test splits
 * are stored once beside it ({@link ModelOutputs}: .npy with the ids in {@code outputs.json}) and read back
 * as margins.
 *
 * <p>The halves come in complementary pairs: shadow 2p trains on a seeded random half H_p of the pool and
 * shadow 2p+1 on its complement. Every pool example is then IN for exactly M/2 shadows and OUT for the other
 * M/2 (random halves would give each a binomial count), so every target example has the same N = M/2
 * unlearned, retrained and second-retrained margins, which forget quality needs, and LiRA and RMIA find
 * M/2 OUT references for every pool example. Each member is a pure function of (experiment, target task,
 * ensemble seed, shadow index, role), so members can be computed independently and in any order: an {@link
 * EnsembleExecutor} ({@link EnsembleWorkers}' worker processes, or a Spark cluster's executors) computes the
 * missing ones in JVMs of one intra-op thread each; their keys then name one thread ({@link
 * Experiment#trainedWith}), and this process only loads them.
 */
public final class Ensemble {
  /** Margins per side and example that every audit here can use: forget quality's 3. */
  public static final int MIN_SIZE = 2 * ForgetQuality.MIN_MODELS;

  /**
   * Shadows the single-model attacks (LiRA, RMIA; {@link EnsembleAudit#measureModel}) need: one complementary
   * pair gives every pool example a shadow that never trained on it, and RMIA a shadow of known members to tune
   * its {@code a} on, referenced by the other.
   */
  public static final int MIN_ATTACK_SIZE = 2;

  private final Experiment experiment;
  private final ForgetTask target;
  private final int size;
  private final long seed;
  private final boolean[][] in;
  private final boolean[] isTarget;
  private final long[] seeds;
  private final ForgetTask[] shadowTasks;
  private final Map<String, MemberMargins[]> loaded = new HashMap<>();
  /** The margins of the members {@link #stored} found whole, read then so the audits load nothing again. */
  private final Map<Member, MemberMargins> checked = new HashMap<>();
  private final Map<Member, LossDivergedException> diverged = new HashMap<>();

  /** One member's margins on every pool, validation and test example, in split order. */
  public record MemberMargins(double[] pool, double[] validation, double[] test) {
    /** The margins of stored or predicted {@code outputs} on {@code splits}. */
    static MemberMargins of(ModelOutputs outputs, Splits splits) {
      return new MemberMargins(
          Margins.of(outputs.pool(), splits.pool().labels()),
          Margins.of(outputs.validation(), splits.validation().labels()),
          Margins.of(outputs.test(), splits.test().labels()));
    }

    /**
     * The margins of a model in {@code store}, read from the outputs stored beside it (predicted and stored if
     * absent).
     */
    public static MemberMargins of(ArtifactStore store, ArtifactStore.Artifact artifact, Splits splits) {
      try (Network net = artifact.network()) {
        return of(ModelOutputs.cached(store, artifact, net, splits).outputs(), splits);
      }
    }

    /** The margins {@code network} predicts on {@code splits}. */
    public static MemberMargins predict(Network network, Splits splits) {
      return of(ModelOutputs.predict(network, splits), splits);
    }
  }

  /**
   * The ensemble of {@code size} shadows auditing {@code target} (a task on {@code experiment}'s pool),
   * its halves and seeds drawn from {@code seed}.
   *
   * @throws LetheException if {@code size} is odd or below {@link #MIN_ATTACK_SIZE}, or a shadow's half holds
   *     none of the target examples or nothing else (the audits check their own minimum sizes)
   */
  public Ensemble(Experiment experiment, ForgetTask target, int size, long seed) {
    checkAttackSize(size);
    Dataset pool = experiment.splits().pool();
    if (!target.pool().contentHash().equals(pool.contentHash())) {
      throw new IllegalArgumentException("the target task is not on this experiment's pool");
    }
    this.experiment = experiment;
    this.target = target;
    this.size = size;
    this.seed = seed;
    int n = pool.size();
    in = new boolean[size][n];
    SplittableRandom root = new SplittableRandom(seed);
    for (int p = 0; p < size / 2; p++) {
      for (int row : Splits.firstOfPermutation(n, n / 2, root.split())) {
        in[2 * p][row] = true;
      }
      for (int row = 0; row < n; row++) {
        in[2 * p + 1][row] = !in[2 * p][row];
      }
    }
    seeds = new long[size];
    for (int j = 0; j < size; j++) {
      seeds[j] = root.nextLong();
    }
    isTarget = new boolean[n];
    for (int row : target.rows().forget()) {
      isTarget[row] = true;
    }
    shadowTasks = new ForgetTask[size];
    for (int j = 0; j < size; j++) {
      int[] half = Splits.rowsWhere(in[j], true);
      int[] forget = new int[half.length];
      int k = 0;
      for (int i = 0; i < half.length; i++) {
        if (isTarget[half[i]]) {
          forget[k++] = i;
        }
      }
      if (k == 0 || k == half.length) {
        throw new LetheException("shadow " + j + "'s half of the pool (" + half.length + " examples) holds "
            + (k == 0 ? "none" : "only") + " of the " + target.forget().size() + " target examples of "
            + target.spec().text() + ": forget " + (k == 0 ? "more" : "fewer") + " examples or use a larger pool");
      }
      Splits splits = new Splits(pool.select(half), experiment.splits().validation(), experiment.splits().test());
      shadowTasks[j] = ForgetTask.ofRows(target.spec(), splits, java.util.Arrays.copyOf(forget, k), target.forgetClasses(),
          seeds[j]);
    }
  }

  /**
   * Checks an ensemble size before anything is trained.
   *
   * @throws LetheException if {@code size} is odd or below {@link #MIN_SIZE}, saying which audit needs how many
   */
  public static void checkSize(int size) {
    if (size < MIN_SIZE || size % 2 != 0) {
      throw new LetheException("an ensemble of " + size + " shadows is too small or odd: forget quality needs at least "
          + ForgetQuality.MIN_MODELS + " unlearned and retrained models per forget example and each example is IN for "
          + "half of the shadows, so pass an even --ensemble of at least " + MIN_SIZE);
    }
  }

  /**
   * Checks an ensemble size for the single-model attacks before anything is trained.
   *
   * @throws LetheException if {@code size} is odd or below {@link #MIN_ATTACK_SIZE}, saying which audit needs how many
   */
  public static void checkAttackSize(int size) {
    if (size < MIN_ATTACK_SIZE || size % 2 != 0) {
      throw new LetheException("an ensemble of " + size + " shadows is too small or odd: LiRA and RMIA need, for every "
          + "forget example, a shadow that never trained on it, and the shadows train on complementary halves, so pass "
          + "an even --ensemble of at least " + MIN_ATTACK_SIZE);
    }
  }

  /** M, the number of shadows. */
  public int size() {
    return size;
  }

  /** The audited target task on the full pool. */
  public ForgetTask target() {
    return target;
  }

  /** True if shadow {@code j} trained on pool row {@code row}. */
  public boolean in(int j, int row) {
    return in[j][row];
  }

  /** True if pool row {@code row} is a target example (in the audited task's forget set). */
  public boolean isTarget(int row) {
    return isTarget[row];
  }

  /** Shadow {@code j}'s forget task: its half of the pool, forgetting the target examples in it. */
  public ForgetTask shadowTask(int j) {
    return shadowTasks[j];
  }

  /** The experiment (and so the thread count) the members are trained and keyed with. */
  public Experiment experiment() {
    return experiment;
  }

  /** The seed the halves and the shadows' seeds are drawn from. */
  public long seed() {
    return seed;
  }

  /** The design as JSON, for result cells' keys: size, seed, the target's ids hash and the members' thread count. */
  public ObjectNode describe() {
    return describe(size, seed, target, experiment.threads());
  }

  /**
   * The JSON {@link #describe()} gives the ensemble of {@code size} shadows drawn from {@code seed} auditing
   * {@code target}, its members trained with {@code threads} intra-op threads, without drawing it.
   */
  public static ObjectNode describe(int size, long seed, ForgetTask target, int threads) {
    ObjectNode d = Json.MAPPER.createObjectNode();
    d.put("ensemble_size", size);
    d.put("ensemble_seed", seed);
    d.put("design", "complementary halves");
    d.put("target_ids", target.forgetIdsHash());
    d.put("member_threads", threads);
    return d;
  }

  /**
   * One member of the ensemble: shadow {@code shadow}'s original, retrain, second retrain or unlearned twin
   * ({@code method} with {@code params}, its options as {@link OptionsBinder#values} gives them; both null for
   * the other roles). A pure function of the ensemble and these fields, so any process holding the same
   * ensemble computes the same artifact from it ({@link EnsembleWorkers}).
   */
  public record Member(String role, int shadow, String method, Map<String, String> params) {
    /** The role of a shadow original. */
    public static final String ORIGINAL = "original";
    /** The role of a shadow's exact retrain. */
    public static final String RETRAIN = "retrain";
    /** The role of a shadow's second exact retrain (the noise floor). */
    public static final String SECOND_RETRAIN = "retrain-2";
    /** The role of a shadow's unlearned twin. */
    public static final String TWIN = "twin";

    /** Shadow {@code shadow}'s member of {@code role} (not a twin). */
    public static Member of(String role, int shadow) {
      return new Member(role, shadow, null, null);
    }

    /** Shadow {@code shadow}'s twin unlearned by {@code method} with its options. */
    public static Member twin(Unlearner method, int shadow) {
      return new Member(TWIN, shadow, method.id(), optionTexts(method));
    }

    @Override
    public String toString() {
      return "shadow " + shadow + " " + (method == null ? role : role + " " + method);
    }
  }

  /** A method's options as the text values {@code --param} takes, which rebuild the same options. */
  private static Map<String, String> optionTexts(Unlearner method) {
    Map<String, String> params = new LinkedHashMap<>();
    OptionsBinder.values(method.options()).forEach((k, v) -> params.put(k, String.valueOf(v)));
    return params;
  }

  /**
   * Every member the audits of {@code methods} need, in the order that keeps parallel workers busy: the shadow
   * originals first (every twin waits for its original), then the twins, retrains and, if
   * {@code secondRetrains}, the second retrains.
   */
  public List<Member> members(boolean secondRetrains, List<Unlearner> methods) {
    List<Member> out = new ArrayList<>();
    for (int j = 0; j < size; j++) {
      out.add(Member.of(Member.ORIGINAL, j));
    }
    for (Unlearner method : methods) {
      for (int j = 0; j < size; j++) {
        out.add(Member.twin(method, j));
      }
    }
    for (int j = 0; j < size; j++) {
      out.add(Member.of(Member.RETRAIN, j));
    }
    if (secondRetrains) {
      for (int j = 0; j < size; j++) {
        out.add(Member.of(Member.SECOND_RETRAIN, j));
      }
    }
    return out;
  }

  /**
   * True when {@code member} is in the store whole: a checkpoint that loads (its hash verified) and its
   * per-example outputs on these splits, whose margins the audits then take from here. A damaged or half-stored
   * member is not, and is computed again.
   */
  public boolean stored(Member member) {
    Path dir = dir(member);
    ModelOutputs outputs = Checkpoints.exists(dir) ? ModelOutputs.read(dir.resolve("outputs"), experiment.splits()) : null;
    if (outputs == null) {
      return false;
    }
    try (Network ignored = experiment.store().load(dir, experiment.architecture())) {
      checked.put(member, MemberMargins.of(outputs, experiment.splits()));
      return true;
    } catch (LetheException e) {
      return false;
    }
  }

  /** The members of {@code wanted} that are not {@link #stored}, each once, in their order. */
  public List<Member> missing(List<Member> wanted) {
    List<Member> out = new ArrayList<>();
    for (Member m : new LinkedHashSet<>(wanted)) {
      if (!stored(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * Computes {@code member} and its per-example outputs into the store, or finds them there; true when anything
   * was computed.
   *
   * @throws dev.lethe.train.LossDivergedException if a twin's method diverges
   */
  public boolean compute(Member member, Progress progress) {
    // the network and its outputs under one member lock (beside the artifact's own), so that a second attempt at
    // the same member (a speculative or retried task) waits for both and finds them stored
    Path dir = dir(member);
    return experiment.store().locked(dir.resolveSibling(dir.getFileName() + MEMBER_LOCK), () -> {
      int before = experiment.store().computations();
      ArtifactStore.Artifact artifact = artifact(member, progress);
      try (Network net = artifact.network()) {
        return outputs(artifact, net).computed() || experiment.store().computations() > before;
      }
    });
  }

  /** The suffix of the name whose lock {@link #compute} holds while it computes a member and its outputs. */
  public static final String MEMBER_LOCK = ".member";

  /** Every shadow original's margins (trained or loaded). */
  public MemberMargins[] originals(Progress progress) {
    return margins(Member.ORIGINAL, j -> Member.of(Member.ORIGINAL, j), m -> artifact(m, progress));
  }

  /** Every shadow's exact retrain without its forget set. */
  public MemberMargins[] retrains(Progress progress) {
    return margins(Member.RETRAIN, j -> Member.of(Member.RETRAIN, j), m -> artifact(m, progress));
  }

  /** Every shadow's second exact retrain, with {@link Experiment#secondSeed} of its seed: the noise floor. */
  public MemberMargins[] secondRetrains(Progress progress) {
    return margins(Member.SECOND_RETRAIN, j -> Member.of(Member.SECOND_RETRAIN, j), m -> artifact(m, progress));
  }

  /**
   * Every shadow's unlearned twin: {@code method} applied to the shadow original with the shadow's forget
   * task and seed.
   *
   * @throws dev.lethe.train.LossDivergedException if the method diverges on a shadow (here or, for a twin a
   *     worker process computed, there: see {@link #diverged})
   */
  public MemberMargins[] twins(Unlearner method, Progress progress) {
    return margins("twin " + method.id() + " " + Json.canonicalText(optionValues(method)), j -> {
      Member twin = Member.twin(method, j);
      LossDivergedException failed = diverged.get(twin);
      if (failed != null) {
        throw failed;
      }
      return twin;
    }, m -> twin(method, m.shadow(), progress));
  }

  /**
   * Records that {@code member}, a twin, diverged in a worker process: {@link #twins} throws {@code failure} for
   * it, as it would have had the method diverged here.
   */
  void diverged(Member member, LossDivergedException failure) {
    diverged.put(member, failure);
  }

  /** Where {@code member} is (or would be) stored. */
  private Path dir(Member member) {
    if (member.role().equals(Member.TWIN)) {
      return experiment.store().dir("twin", twinKey(unlearner(member), member.shadow()));
    }
    Training t = training(member);
    return experiment.store().dir(t.kind(), experiment.trainingKey(t.kind(), t.data(), t.seed()));
  }

  /** How a member that is trained from scratch is trained: as which kind, on which data, with which seed. */
  private record Training(String kind, Dataset data, long seed) {}

  private Training training(Member member) {
    int j = member.shadow();
    return switch (member.role()) {
      case Member.ORIGINAL -> new Training("shadow", shadowTasks[j].pool(), seeds[j]);
      case Member.RETRAIN -> new Training("retrain", shadowTasks[j].retain(), seeds[j]);
      case Member.SECOND_RETRAIN -> new Training("retrain", shadowTasks[j].retain(), Experiment.secondSeed(seeds[j]));
      default -> throw new IllegalArgumentException("no ensemble member has role " + member.role());
    };
  }

  private ArtifactStore.Artifact artifact(Member member, Progress progress) {
    if (member.shadow() < 0 || member.shadow() >= size) {
      throw new IllegalArgumentException("no shadow " + member.shadow() + " in an ensemble of " + size);
    }
    if (member.role().equals(Member.TWIN)) {
      return twin(unlearner(member), member.shadow(), progress);
    }
    Training t = training(member);
    String what = member.role().equals(Member.ORIGINAL) ? "training shadow " + member.shadow()
        : member.role().equals(Member.RETRAIN) ? "retraining shadow " + member.shadow()
        : "retraining shadow " + member.shadow() + " again";
    return experiment.trainedOn(t.kind(), t.data(), t.seed(), what, progress.child(member.toString()));
  }

  /** A twin's method, rebuilt from its option texts; they must rebuild exactly the options they were read from. */
  private Unlearner unlearner(Member twin) {
    Unlearner method = experiment.method(twin.method(), twin.params());
    if (!optionTexts(method).equals(twin.params())) {
      throw new LetheException(twin + ": its options " + twin.params() + " rebuild as " + optionTexts(method)
          + ": the method's options do not round-trip through their text values");
    }
    return method;
  }

  private static JsonNode optionValues(Unlearner method) {
    return Json.MAPPER.valueToTree(OptionsBinder.values(method.options()));
  }

  private ObjectNode twinKey(Unlearner method, int j) {
    Training original = training(Member.of(Member.ORIGINAL, j));
    ForgetTask task = shadowTasks[j];
    ObjectNode key = Json.MAPPER.createObjectNode();
    key.put("kind", "twin");
    key.put("shadow", Json.contentKey(experiment.trainingKey(original.kind(), original.data(), original.seed())));
    key.set("experiment", experiment.fingerprint());
    key.put("method", method.id());
    if (MethodRegistry.revision(method.id()) > 1) {
      key.put("method_revision", MethodRegistry.revision(method.id()));
    }
    key.set("params", optionValues(method));
    key.put("forget_ids", task.forgetIdsHash());
    key.set("forget_classes", Json.MAPPER.valueToTree(task.forgetClasses()));
    key.put("seed", seeds[j]);
    return key;
  }

  /** Shadow {@code j}'s twin by {@code method}: loaded, or unlearned from its shadow original (loaded only then). */
  private ArtifactStore.Artifact twin(Unlearner method, int j, Progress progress) {
    ForgetTask task = shadowTasks[j];
    ObjectNode key = twinKey(method, j);
    return experiment.store().getOrCompute("twin", key, experiment.architecture(), () -> {
      experiment.requireTrainingThreads("shadow " + j + "'s " + method.id() + " twin");
      try (Network shadow = artifact(Member.of(Member.ORIGINAL, j), progress).network()) {
        Progress own = progress.child("shadow " + j + " " + method.id());
        ReferenceModels references = experiment.referenceModels(method, task, own);
        long start = System.nanoTime();
        Network unlearned = method.unlearn(shadow, task, references, seeds[j], own);
        ObjectNode meta = Json.MAPPER.createObjectNode();
        meta.put("method", method.id());
        meta.put("seed", seeds[j]);
        meta.put("unlearn_seconds", (System.nanoTime() - start) / 1e9);
        meta.set("versions", Provenance.versions(Json.MAPPER));
        return new ArtifactStore.Computed(unlearned, meta);
      }
    });
  }

  /** {@code artifact}'s stored outputs, or {@code net}'s predicted and stored. */
  private ModelOutputs.Stored outputs(ArtifactStore.Artifact artifact, Network net) {
    return ModelOutputs.cached(experiment.store(), artifact, net, experiment.splits());
  }

  /**
   * The margins of every shadow's member of {@code role} ({@code member} of shadow j): those {@link #stored} read, or
   * those of the {@code artifact} trained or loaded now.
   */
  private MemberMargins[] margins(String role, IntFunction<Member> member,
      Function<Member, ArtifactStore.Artifact> artifact) {
    MemberMargins[] out = loaded.get(role);
    if (out != null) {
      return out;
    }
    out = new MemberMargins[size];
    for (int j = 0; j < size; j++) {
      Member m = member.apply(j);
      out[j] = checked.get(m);
      if (out[j] == null) {
        ArtifactStore.Artifact stored = artifact.apply(m);
        try (Network net = stored.network()) {
          out[j] = MemberMargins.of(outputs(stored, net).outputs(), experiment.splits());
        }
      }
    }
    loaded.put(role, out);
    return out;
  }
}
