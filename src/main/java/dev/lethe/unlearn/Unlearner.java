package dev.lethe.unlearn;

import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Architecture;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import java.util.Map;
import java.util.Set;

/**
 * An unlearning method: given the original network and a forget task, returns a new network that should
 * behave like one retrained without the forget set. Implementations never modify {@code original}; they
 * work on a copy. Everything beyond the task (learning rates, epochs, budgets) is in {@link #options()}.
 * A method of your own implements this (usually by extending {@link OptionsUnlearner}) and joins the registry
 * through a {@link MethodProvider}.
 */
public interface Unlearner {
  /** The method's registry id, e.g. {@code ga}. */
  String id();

  /** The hyperparameters this instance runs with. */
  Record options();

  /**
   * Whether this method can unlearn a task of {@code spec}'s kind (true unless it is, e.g., class-only);
   * the benchmark and the tuner skip the scenarios it cannot, and {@link #unlearn} rejects them.
   */
  default boolean supports(ForgetSpec spec) {
    return true;
  }

  /**
   * The parts of a network this method reads besides its logits (empty, the default: any network); its
   * {@link #unlearn} rejects a network without them on one line, before any work.
   */
  default Set<Network.Part> needs() {
    return Set.of();
  }

  /** Whether this method can unlearn {@code network}: it has every part {@link #needs()} names. */
  default boolean supports(Network network) {
    return needs().stream().allMatch(network::has);
  }

  /**
   * Work that belongs to training time rather than to the request: what the method would have done when the
   * original was trained (SISA trains its shard models then). Nothing by default. The benchmark calls it before
   * it starts timing {@link #unlearn}; {@link #unlearn} must not rely on it having been called.
   */
  default void prepare(Network original, ForgetTask task, long seed, Progress progress) {}

  /**
   * The architecture of the networks {@link #unlearn} returns for an original of architecture {@code original}:
   * the same, by default; SISA's is the committee of its shard models. Whoever stores an unlearned model loads it
   * back with this architecture.
   */
  default Architecture unlearnedArchitecture(Architecture original) {
    return original;
  }

  /**
   * Whether this method unlearns from state it keeps itself across calls (SISA's slice checkpoints) rather than
   * from the network it is handed, of which it reads only the architecture. False by default. A chain of deletion
   * requests hands such a method the original at every request: its result of the previous request lives in that
   * state, not in the previous network.
   */
  default boolean keepsOwnState() {
    return false;
  }

  /**
   * Running totals of the training this instance has done, by name (none by default); SISA counts the
   * (shard, slice) steps it trained and the images those steps passed over. They only grow: a caller reports each
   * total's growth over one timed {@link #unlearn} call as that call's work, beside its seconds.
   */
  default Map<String, Long> trainingTotals() {
    return Map.of();
  }

  /**
   * How many models retrained without the forget set this method reads (0, the default: none). Above 0, the
   * caller trains or loads that many and calls {@link #unlearn(Network, ForgetTask, ReferenceModels, long,
   * Progress)}; the plain {@link #unlearn(Network, ForgetTask, long, Progress)} then rejects the call on one line.
   */
  default int retrainedModels() {
    return 0;
  }

  /**
   * How many more models trained as the original was (from scratch on the task's pool, with other seeds) this
   * method reads (0, the default: none): training-time work, like SISA's shards, which the caller trains or loads
   * before the timed run and hands over in the {@link ReferenceModels} of {@link #unlearn(Network, ForgetTask,
   * ReferenceModels, long, Progress)}.
   */
  default int extraOriginals() {
    return 0;
  }

  /** Removes the influence of {@code task.forget()} from a copy of {@code original}. */
  Network unlearn(Network original, ForgetTask task, long seed, Progress progress);

  /**
   * As {@link #unlearn(Network, ForgetTask, long, Progress)}, with {@code references}: {@link #retrainedModels()}
   * models retrained without {@code task.forget()} and {@link #extraOriginals()} more originals, which a method that
   * declares none ignores.
   */
  default Network unlearn(Network original, ForgetTask task, ReferenceModels references, long seed,
      Progress progress) {
    return unlearn(original, task, seed, progress);
  }

  /** As {@link #unlearn(Network, ForgetTask, long, Progress)}, reporting no progress. */
  default Network unlearn(Network original, ForgetTask task, long seed) {
    return unlearn(original, task, seed, Progress.silent());
  }
}
