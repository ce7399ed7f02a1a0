package dev.lethe.unlearn.method;

import dev.lethe.Doc;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Architecture;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Committee;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.Unlearner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * SISA, exact unlearning by sharded, isolated, sliced and aggregated training (Bourtoule et al., "Machine
 * Unlearning", IEEE S&amp;P 2021; official code cleverhans-lab/machine-unlearning @ b8e3d31). The training data is
 * split into S disjoint shards, each shard into R slices; shard k's model trains on its slices incrementally
 * (after slice s it has seen slices 0..s) and is checkpointed after every slice under the hash of the data up to
 * it. A deletion changes the hash of the slice holding a deleted sample and of every later one, so each shard
 * resumes from the checkpoint of its last unaffected slice and retrains only the rest; untouched shards are
 * loaded as they were. The shard models answer as a {@link Committee}: majority vote ({@code aggregation=vote},
 * the code's default) or mean softmax.
 *
 * <p>How it fits {@link Unlearner}: SISA's model is the committee, not the monolithic original, so
 * {@link #unlearn} reads only the architecture of the network it is handed ({@link #keepsOwnState}), and returns a
 * network of {@link #unlearnedArchitecture}. {@link #prepare} trains (or finds) the checkpoints of SISA on the task's
 * pool, training time that precedes the request and that the benchmark does not time; {@link #unlearn} then
 * trains SISA on the retain set through the same checkpoints, which is the deletion: each shard resumes from the
 * checkpoint of the last slice before the first one holding a deleted sample, and retrains the rest. Its timed cost
 * is therefore the deletion's (the affected suffixes and the loading of the rest), compared with RT in the
 * {@code rte} column, and counted in {@link #trainingTotals}: (shard, slice) steps trained and the images they
 * passed over (epochs times the slice prefix's size). The checkpoints a deletion trains are kept under the hash of
 * their data, so a later deletion from the retain set left (the next of a chain of requests) resumes from them: its
 * pool is this deletion's retain set, whose every slice is then stored. A rerun of the same deletion still retrains
 * its affected slices (the resume point never passes the first affected slice), so it costs what the first run did.
 * The network returned is the committee: its logits are the aggregate's log-probabilities
 * ({@link Committee.Aggregation}), which the audit reads like any model's. With the same seed, SISA after deleting
 * F, or after deleting F1, then F2 from what is left, and so on, is bit-identical to SISA trained from scratch on the
 * pool without F (without the union of the F_i).
 *
 * <p>Decisions, against the official code: shard and slice of a sample come from a seeded hash of its stable id
 * (not a shuffled split file of equal parts), so a shard's slices are a function of the ids it holds and the
 * from-scratch twin of a deletion sees exactly the slices the deletion leaves; the shards are therefore equal only
 * in expectation. Each slice trains with the original's recipe (optimiser, schedule, batch size, augmentation; the
 * code: plain SGD at lr 1e-3, batch 16, constant rate) restarted per slice, with a fresh optimiser, for the code's
 * schedule of {@code ⌊(s+1)a⌋ − ⌊s a⌋} epochs, a = 2E/(R+1) with E the recipe's epochs, so each shard costs about E
 * passes over its data and the S shards about one training of the original. Defaults: S = 5 (the paper's smallest
 * grid point) and R = 4 (the code's default is 1, no slicing, which would make every deletion a full shard
 * retrain); the batches of a slice are shuffled from a seed of (seed, shard, slice) rather than read in file
 * order. Checkpoints live in memory for the instance and, when the registry knows the artifact store, on disk
 * under {@code sisa/} there, written atomically ({@link Checkpoints}); the key also holds the architecture, the
 * recipe, S, R and the seed.
 */
public final class Sisa implements Unlearner {
  /** The registry id. */
  public static final String ID = "sisa";

  /** The {@link #trainingTotals} name of the (shard, slice) steps trained. */
  public static final String SLICES_TRAINED = "slices_trained";

  /** The {@link #trainingTotals} name of the images the trained steps passed over. */
  public static final String IMAGES_TRAINED = "images_trained";

  /** SISA hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @Doc("S: disjoint shards, one model each") int shards,
      @Doc("R: slices per shard, a checkpoint after each") int slices,
      @Doc("how the shard models answer: vote (majority, the code's default) or softmax (mean)")
          Committee.Aggregation aggregation) {
    /** Validates the options. */
    public Options {
      OptionChecks.positive(ID + ".shards", shards);
      OptionChecks.positive(ID + ".slices", slices);
      Objects.requireNonNull(aggregation, "aggregation");
    }

    /** The defaults of the class comment: 5 shards of 4 slices, majority vote. */
    public static Options defaults() {
      return new Options(5, 4, Committee.Aggregation.VOTE);
    }

    public Options withShards(int shards) {
      return new Options(shards, slices, aggregation);
    }

    public Options withSlices(int slices) {
      return new Options(shards, slices, aggregation);
    }

    public Options withAggregation(Committee.Aggregation aggregation) {
      return new Options(shards, slices, aggregation);
    }
  }

  private final Options o;
  private final TrainConfig training;
  private final Path checkpoints;
  private final Map<String, byte[]> kept = new HashMap<>();
  private long slicesTrained;
  private long imagesTrained;

  /**
   * SISA with {@code options}, its shard models trained with {@code training} (the original's recipe), keeping
   * its slice checkpoints under {@code checkpoints} as well as in memory (null: in memory only).
   */
  public Sisa(Options options, TrainConfig training, Path checkpoints) {
    this.o = options;
    this.training = training;
    this.checkpoints = checkpoints;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Options options() {
    return o;
  }

  /** The committee of {@link Options#shards()} models of architecture {@code original}. */
  @Override
  public Architecture unlearnedArchitecture(Architecture original) {
    return Committee.architecture(original, o.shards(), o.aggregation());
  }

  /** True: a deletion resumes from the slice checkpoints, whatever network it is handed. */
  @Override
  public boolean keepsOwnState() {
    return true;
  }

  /**
   * {@value #SLICES_TRAINED}: the (shard, slice) steps trained so far rather than found by their hash;
   * {@value #IMAGES_TRAINED}: the images those steps passed over, each step's epochs times its prefix's size.
   */
  @Override
  public Map<String, Long> trainingTotals() {
    return Map.of(SLICES_TRAINED, slicesTrained, IMAGES_TRAINED, imagesTrained);
  }

  /** Trains, or finds, the slice checkpoints of SISA on the task's pool: training time, before the request. */
  @Override
  public void prepare(Network original, ForgetTask task, long seed, Progress progress) {
    for (Network shard : shards(original.architecture(), task.pool(), new int[0], seed, progress)) {
      shard.close();
    }
  }

  /**
   * SISA on the retain set through the checkpoints: each shard holding a deleted sample retrains from its first
   * affected slice. Without {@link #prepare} the unaffected slices missing from the checkpoints are trained too.
   */
  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    byShard(task.pool(), seed, new long[task.pool().size()]); // the training data must fit the shards, before any work
    Dataset forget = task.forget();
    int[] deleted = new int[forget.size()];
    for (int row = 0; row < deleted.length; row++) {
      deleted[row] = forget.id(row);
    }
    return committee(shards(original.architecture(), task.retain(), deleted, seed, progress));
  }

  /** SISA trained on {@code data} through this instance's checkpoints, as one committee network. */
  Network train(Architecture architecture, Dataset data, long seed, Progress progress) {
    return committee(shards(architecture, data, new int[0], seed, progress));
  }

  private Network committee(List<Network> shards) {
    try {
      return Committee.of(shards, o.aggregation());
    } finally {
      shards.forEach(Network::close);
    }
  }

  /**
   * Shard {@code shard}'s place of the sample with id {@code id}: {@code {shard, slice}} from a seeded hash, with
   * the hash itself as the order within the slice.
   */
  static long placeKey(long seed, int id) {
    return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * id).nextLong() >>> 1;
  }

  /** The shard ({@code [0]}) and slice ({@code [1]}) of a sample with hash {@code key}. */
  int[] place(long key) {
    return new int[] {(int) (key % o.shards()), (int) (key / o.shards() % o.slices())};
  }

  /**
   * The trained model of every shard on {@code data}, which is what is left after deleting the samples with ids
   * {@code deleted}: a shard resumes at most from the slice before the first that held one of them.
   */
  private List<Network> shards(Architecture architecture, Dataset data, int[] deleted, long seed, Progress progress) {
    long[] keys = new long[data.size()];
    List<List<Integer>> byShard = byShard(data, seed, keys);
    int[] firstAffected = new int[o.shards()];
    Arrays.fill(firstAffected, o.slices());
    for (int id : deleted) {
      int[] place = place(placeKey(seed, id));
      firstAffected[place[0]] = Math.min(firstAffected[place[0]], place[1]);
    }
    List<Network> out = new ArrayList<>();
    try {
      for (int k = 0; k < o.shards(); k++) {
        // canonical order: by slice, then by hash, then by id, so equal data gives equal datasets
        List<Integer> rows = byShard.get(k);
        rows.sort(Comparator.<Integer>comparingInt(r -> place(keys[r])[1])
            .thenComparingLong(r -> keys[r]).thenComparingInt(data::id));
        out.add(shard(architecture, data, rows, keys, seed, k, firstAffected[k], progress));
      }
      return out;
    } catch (RuntimeException e) {
      out.forEach(Network::close);
      throw e;
    }
  }

  /**
   * The rows of {@code data} each shard holds, their placement keys written into {@code keys} (one per row).
   *
   * @throws LetheException if there are more shards than samples or a shard receives none
   */
  private List<List<Integer>> byShard(Dataset data, long seed, long[] keys) {
    if (o.shards() > data.size()) {
      throw new LetheException(ID + ".shards is " + o.shards() + " but the training data holds " + data.size()
          + " samples: use at most " + data.size() + " shards");
    }
    List<List<Integer>> byShard = new ArrayList<>();
    for (int k = 0; k < o.shards(); k++) {
      byShard.add(new ArrayList<>());
    }
    for (int row = 0; row < data.size(); row++) {
      keys[row] = placeKey(seed, data.id(row));
      byShard.get(place(keys[row])[0]).add(row);
    }
    for (int k = 0; k < o.shards(); k++) {
      if (byShard.get(k).isEmpty()) {
        throw new LetheException(ID + ": shard " + k + " of " + o.shards() + " receives none of the " + data.size()
            + " samples (samples are hashed to shards by id); use fewer shards");
      }
    }
    return byShard;
  }

  /**
   * Shard {@code k}'s model after its last slice: resumed from the last checkpoint found by hash before slice
   * {@code firstAffected}, the rest trained and kept.
   */
  private Network shard(Architecture architecture, Dataset data, List<Integer> rows, long[] keys, long seed, int k,
      int firstAffected, Progress progress) {
    long shardSeed = placeKey(seed, -1 - k);
    String[] hashes = new String[o.slices()];
    Dataset[] upTo = new Dataset[o.slices()];
    for (int s = 0; s < o.slices(); s++) {
      int slice = s;
      int[] until = rows.stream().filter(r -> place(keys[r])[1] <= slice).mapToInt(Integer::intValue).toArray();
      upTo[s] = data.select(until);
      hashes[s] = hash(architecture, seed, k, s, upTo[s]);
    }
    int resume = firstAffected - 1;
    while (resume >= 0 && !has(hashes[resume])) {
      resume--;
    }
    Network net = Network.create(architecture, shardSeed);
    try {
      if (resume >= 0) {
        load(net, hashes[resume]);
      }
      for (int s = resume + 1; s < o.slices(); s++) {
        int epochs = epochs(training.epochs(), o.slices(), s);
        if (epochs > 0 && upTo[s].size() > 0) {
          Training.fit(net, upTo[s], training.withEpochs(epochs), placeKey(shardSeed, s), ID + " shard " + k
              + " slice " + s, progress.child(ID + " shard " + k + " slice " + s));
          imagesTrained += (long) epochs * upTo[s].size();
        }
        slicesTrained++;
        store(net, hashes[s]);
      }
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /**
   * The epochs of slice {@code s} of {@code slices} for a budget of {@code total}: the official code's
   * {@code ⌊(s+1)a⌋ − ⌊s a⌋} with a = 2E/(R+1), so that training on the growing prefixes costs about E passes
   * over the shard.
   */
  static int epochs(int total, int slices, int s) {
    double a = 2.0 * total / (slices + 1);
    return (int) ((s + 1) * a) - (int) (s * a);
  }

  /** The checkpoint key of slice {@code s} of shard {@code k}: everything that determines its weights. */
  private String hash(Architecture architecture, long seed, int k, int s, Dataset upTo) {
    String what = String.join("|", "sisa-slice-v1", architecture.toString(), training.toString(),
        Integer.toString(o.shards()), Integer.toString(o.slices()), Long.toString(seed), Integer.toString(k),
        Integer.toString(s), upTo.contentHash());
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(what.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path dir(String hash) {
    return checkpoints.resolve(ID + "-" + hash.substring(0, 24));
  }

  private boolean has(String hash) {
    return kept.containsKey(hash) || checkpoints != null && Checkpoints.exists(dir(hash));
  }

  private void load(Network net, String hash) {
    byte[] bytes = kept.get(hash);
    if (bytes == null) {
      try (Network stored = Checkpoints.load(dir(hash), net.architecture())) {
        bytes = parameters(stored);
      }
      kept.put(hash, bytes);
    }
    try {
      net.loadParameters(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void store(Network net, String hash) {
    kept.put(hash, parameters(net));
    if (checkpoints != null && !Checkpoints.exists(dir(hash))) {
      Checkpoints.save(net, dir(hash), null);
    }
  }

  private static byte[] parameters(Network net) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      net.saveParameters(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
