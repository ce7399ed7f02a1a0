package dev.lethe.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.audit.perexample.ForgetQuality;
import dev.lethe.audit.perexample.Margins;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Splits;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.unlearn.OptionsBinder;
import dev.lethe.unlearn.Unlearner;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

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
 * ensemble seed, shadow index, role), so members can be computed independently and in any order.
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

  /** One member's margins on every pool, validation and test example, in split order. */
  public record MemberMargins(double[] pool, double[] validation, double[] test) {
    /** The margins of stored or predicted {@code outputs} on {@code splits}. */
    static MemberMargins of(ModelOutputs outputs, Splits splits) {
      return new MemberMargins(
          Margins.of(outputs.pool(), splits.pool().labels()),
          Margins.of(outputs.validation(), splits.validation().labels()),
          Margins.of(outputs.test(), splits.test().labels()));
    }

    /** The margins of a stored model, read from the outputs stored beside it (predicted and stored if absent). */
    public static MemberMargins of(ArtifactStore.Artifact artifact, Splits splits) {
      try (Network net = artifact.network()) {
        return of(ModelOutputs.cached(artifact.outputsDir(), net, splits), splits);
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

  /** The design as JSON, for result cells' keys: size, seed and the target's ids hash. */
  public ObjectNode describe() {
    return describe(size, seed, target);
  }

  /**
   * The JSON {@link #describe()} gives the ensemble of {@code size} shadows drawn from {@code seed} auditing
   * {@code target}, without drawing it.
   */
  public static ObjectNode describe(int size, long seed, ForgetTask target) {
    ObjectNode d = Json.MAPPER.createObjectNode();
    d.put("ensemble_size", size);
    d.put("ensemble_seed", seed);
    d.put("design", "complementary halves");
    d.put("target_ids", target.forgetIdsHash());
    return d;
  }

  /** Every shadow original's margins (trained or loaded). */
  public MemberMargins[] originals(Progress progress) {
    return members("original", j -> experiment.trainedOn("shadow", shadowTasks[j].pool(), seeds[j],
        "training shadow " + j, progress.child("shadow " + j)));
  }

  /** Every shadow's exact retrain without its forget set. */
  public MemberMargins[] retrains(Progress progress) {
    return members("retrain", j -> experiment.retrained(shadowTasks[j], seeds[j], progress.child("shadow " + j + " retrain")));
  }

  /** Every shadow's second exact retrain, with {@link Experiment#secondSeed} of its seed: the noise floor. */
  public MemberMargins[] secondRetrains(Progress progress) {
    return members("retrain-2", j -> experiment.retrained(shadowTasks[j], Experiment.secondSeed(seeds[j]),
        progress.child("shadow " + j + " retrain-2")));
  }

  /**
   * Every shadow's unlearned twin: {@code method} applied to the shadow original with the shadow's forget
   * task and seed.
   *
   * @throws dev.lethe.train.LossDivergedException if the method diverges on a shadow
   */
  public MemberMargins[] twins(Unlearner method, Progress progress) {
    String params = Json.canonicalText(Json.MAPPER.valueToTree(OptionsBinder.values(method.options())));
    return members("twin " + method.id() + " " + params, j -> twin(method, j, progress.child("shadow " + j + " " + method.id())));
  }

  private ArtifactStore.Artifact twin(Unlearner method, int j, Progress progress) {
    ArtifactStore.Artifact original = experiment.trainedOn("shadow", shadowTasks[j].pool(), seeds[j],
        "training shadow " + j, progress);
    ForgetTask task = shadowTasks[j];
    ObjectNode key = Json.MAPPER.createObjectNode();
    key.put("kind", "twin");
    key.put("shadow", original.metadata().path("content_key").asText());
    key.set("experiment", experiment.fingerprint());
    key.put("method", method.id());
    key.set("params", Json.MAPPER.valueToTree(OptionsBinder.values(method.options())));
    key.put("forget_ids", task.forgetIdsHash());
    key.set("forget_classes", Json.MAPPER.valueToTree(task.forgetClasses()));
    key.put("seed", seeds[j]);
    try (Network shadow = original.network()) {
      return experiment.store().getOrCompute("twin", key, experiment.architecture(), () -> {
        long start = System.nanoTime();
        Network unlearned = method.unlearn(shadow, task, seeds[j], progress);
        ObjectNode meta = Json.MAPPER.createObjectNode();
        meta.put("method", method.id());
        meta.put("seed", seeds[j]);
        meta.put("unlearn_seconds", (System.nanoTime() - start) / 1e9);
        meta.set("versions", Provenance.versions(Json.MAPPER));
        return new ArtifactStore.Computed(unlearned, meta);
      });
    }
  }

  private MemberMargins[] members(String role, java.util.function.IntFunction<ArtifactStore.Artifact> member) {
    MemberMargins[] out = loaded.get(role);
    if (out != null) {
      return out;
    }
    out = new MemberMargins[size];
    for (int j = 0; j < size; j++) {
      out[j] = MemberMargins.of(member.apply(j), experiment.splits());
    }
    loaded.put(role, out);
    return out;
  }
}
