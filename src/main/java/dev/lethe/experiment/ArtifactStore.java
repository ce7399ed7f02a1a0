package dev.lethe.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.model.Architecture;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Network;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A content-keyed cache of trained networks (originals, retrained references). The key is the SHA-256 of
 * the canonical JSON of everything that determines the artifact: data content hash, architecture, training
 * config, seed and training-code version. Each artifact is a checkpoint directory written atomically; a
 * lock file per artifact keeps two runs (or two worker processes) from computing the same artifact at once,
 * while different artifacts are computed side by side.
 */
public final class ArtifactStore {
  /** An id list's file, one id a line, and its metadata, written last. */
  private static final String ID_FILE = "ids.txt";
  private static final String ID_META = "selection.json";

  private final Path root;
  private final AtomicInteger computations = new AtomicInteger();
  private final AtomicInteger loads = new AtomicInteger();

  /** A store rooted at {@code root} (created on first use). */
  public ArtifactStore(Path root) {
    this.root = root;
  }

  /** The directory the store lives in. */
  public Path root() {
    return root;
  }

  /** The default location, {@code ~/.cache/lethe}. */
  public static Path defaultRoot() {
    return Path.of(System.getProperty("user.home"), ".cache", "lethe");
  }

  /**
   * A network with the metadata it was stored with, whether it came from the cache, and its directory in
   * the store (where its per-example outputs are kept too, in {@code outputs/}).
   */
  public record Artifact(Network network, JsonNode metadata, boolean reused, Path dir) {
    /** Where this model's per-example outputs live. */
    public Path outputsDir() {
      return dir.resolve("outputs");
    }
  }

  /** What a computation returns: the network and metadata to store beside it. */
  public record Computed(Network network, ObjectNode metadata) {}

  /** How many artifacts this store object has computed (not loaded) so far: what a warm rerun must keep at 0. */
  public int computations() {
    return computations.get();
  }

  /** How many stored networks this store object has loaded so far: what a warm rerun keeps at one per artifact. */
  public int loads() {
    return loads.get();
  }

  /**
   * Loads the network stored in {@code dir} (one of {@link #dir}), of {@code architecture}, verifying its hash.
   *
   * @throws LetheException if it does not load
   */
  public Network load(Path dir, Architecture architecture) {
    loads.incrementAndGet();
    return Checkpoints.load(dir, architecture);
  }

  /**
   * Loads the artifact for {@code key}, a network of {@code architecture} (which rebuilds its blocks), or
   * computes, stores and returns it. A stored artifact that does not load (a damaged parameters file, a layout of
   * another Lethe version) is said on stderr and recomputed in its place, never skipped.
   */
  public Artifact getOrCompute(String kind, JsonNode key, Architecture architecture, Supplier<Computed> computation) {
    String hash = Json.contentKey(key);
    Path dir = dir(kind, key);
    return locked(dir, () -> {
      if (Checkpoints.exists(dir)) {
        try {
          return new Artifact(load(dir, architecture), Checkpoints.metadata(dir), true, dir);
        } catch (LetheException e) {
          System.err.println("lethe: recomputing " + dir.getFileName() + ": " + e.getMessage());
        }
      }
      computations.incrementAndGet();
      Computed computed = computation.get();
      ObjectNode meta = computed.metadata();
      meta.set("key", Json.canonical(key));
      meta.put("content_key", hash);
      Checkpoints.save(computed.network(), dir, meta);
      return new Artifact(computed.network(), meta, false, dir);
    });
  }

  /** The directory the artifact {@code kind} of {@code key} is (or would be) stored in. */
  public Path dir(String kind, JsonNode key) {
    return root.resolve(kind + "-" + Json.contentKey(key).substring(0, 24));
  }

  /**
   * Runs {@code work} holding the lock of the artifact in {@code dir} (one of {@link #dir}), which every process
   * sharing the store takes before it writes there: two processes computing the same artifact, or writing its
   * per-example outputs, compute it once and never interleave their files; different artifacts have different
   * locks. Not reentrant: a JVM holds each lock once.
   */
  public <T> T locked(Path dir, Supplier<T> work) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new LetheException("cannot create the artifact store " + root + ": " + e.getMessage());
    }
    if (!Files.isDirectory(root)) {
      throw new LetheException("artifact store " + root + " is not a directory: pass another --store");
    }
    Path lockFile = root.resolve("." + dir.getFileName() + ".lock");
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      return work.get();
    } catch (IOException e) {
      throw new LetheException("cannot lock " + lockFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * An id list stored under {@code key}: the ids of a searched forget set, with the file they are kept in (one id
   * per line, usable as {@code --forget ids:FILE}).
   *
   * @param ids the stable sample ids, ascending
   * @param file the stored id file
   * @param reused whether it came from the store
   * @param seconds what its search took when it was computed ({@link Searched#seconds}; NaN if a store written
   *     before this was recorded holds it)
   */
  public record IdList(int[] ids, Path file, boolean reused, double seconds) {}

  /**
   * A computed id list and the seconds its search took (what the caller times: the search alone, not the models
   * it loads first).
   */
  public record Searched(int[] ids, double seconds) {}

  /**
   * Loads the id list stored for {@code key}, or computes it ({@code computation}), stores and returns it;
   * written atomically (the metadata file, written last, marks it complete) under the same lock as a network. An id
   * file that does not parse is said on stderr and recomputed.
   */
  public IdList idList(String kind, JsonNode key, Supplier<Searched> computation) {
    String hash = Json.contentKey(key);
    Path dir = dir(kind, key);
    Path ids = dir.resolve(ID_FILE);
    Path meta = dir.resolve(ID_META);
    return locked(dir, () -> {
      IdList stored = readIdList(dir, true);
      if (stored != null) {
        return stored;
      }
      computations.incrementAndGet();
      Searched searched = computation.get();
      int[] computed = searched.ids().clone();
      Arrays.sort(computed);
      StringBuilder text = new StringBuilder();
      for (int id : computed) {
        text.append(id).append('\n');
      }
      Json.writeAtomically(ids, text.toString());
      ObjectNode m = Json.MAPPER.createObjectNode();
      m.set("key", Json.canonical(key));
      m.put("content_key", hash);
      m.put("ids", computed.length);
      m.put("seconds", searched.seconds());
      m.set("versions", Provenance.versions(Json.MAPPER));
      Json.writeAtomically(meta, m.toPrettyString() + "\n");
      return new IdList(computed, ids, false, searched.seconds());
    });
  }

  /** True when an id list that parses is stored for {@code key}: {@link #idList} then computes nothing. */
  public boolean hasIdList(String kind, JsonNode key) {
    return readIdList(dir(kind, key), false) != null;
  }

  /** The id list complete in {@code dir}, or null; one that does not parse is said on stderr if {@code say}. */
  private static IdList readIdList(Path dir, boolean say) {
    Path ids = dir.resolve(ID_FILE);
    Path meta = dir.resolve(ID_META);
    if (!Files.exists(meta)) {
      return null;
    }
    try {
      double seconds = Json.MAPPER.readTree(meta.toFile()).path("seconds").asDouble(Double.NaN);
      return new IdList(Files.readAllLines(ids).stream().filter(l -> !l.isBlank()).mapToInt(Integer::parseInt)
          .toArray(), ids, true, seconds);
    } catch (IOException | NumberFormatException e) {
      if (say) {
        System.err.println("lethe: recomputing " + dir.getFileName() + ": " + e.getMessage());
      }
      return null;
    }
  }
}
