package dev.lethe.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.audit.SplitLogits;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Npy;
import dev.lethe.data.Splits;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model's per-example outputs: its logits on every sample of the pool, validation and test splits,
 * computed once and shared by every audit of every task on those splits ({@link #forTask}). On disk they are
 * {@code pool.npy}, {@code validation.npy} and {@code test.npy} (float32, one row per sample, NumPy's format)
 * and {@code outputs.json}, which names the sample ids in row order and the content hash of each split;
 * the sidecar is written last, so outputs without it are incomplete and recomputed.
 */
public record ModelOutputs(float[][] pool, float[][] validation, float[][] test) {
  /** The sidecar's file name. */
  public static final String SIDECAR = "outputs.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] SPLITS = {"pool", "validation", "test"};

  /** Predicts {@code network} in eval mode on every sample of the three splits. */
  public static ModelOutputs predict(Network network, Splits splits) {
    return new ModelOutputs(
        Prediction.logits(network, splits.pool()),
        Prediction.logits(network, splits.validation()),
        Prediction.logits(network, splits.test()));
  }

  /** Outputs read from the store or predicted now ({@code computed}), by {@link #cached}. */
  public record Stored(ModelOutputs outputs, boolean computed) {}

  /**
   * The outputs stored beside {@code artifact} for exactly these splits, or else {@code network}'s, predicted
   * and stored there; both under the artifact's lock in {@code store}, so two processes sharing the store never
   * interleave these files or remove each other's temporary ones.
   */
  public static Stored cached(ArtifactStore store, ArtifactStore.Artifact artifact, Network network, Splits splits) {
    return store.locked(artifact.dir(), () -> {
      ModelOutputs stored = read(artifact.outputsDir(), splits);
      if (stored != null) {
        return new Stored(stored, false);
      }
      ModelOutputs fresh = predict(network, splits);
      fresh.write(artifact.outputsDir(), splits, null);
      return new Stored(fresh, true);
    });
  }

  /**
   * The audit's view of these outputs for {@code task}, whose sets were cut from the same splits (its held-out
   * rows from the validation split for a {@link ForgetTask#heldOutAsValidation()} task).
   */
  public SplitLogits forTask(ForgetTask task) {
    ForgetTask.SplitRows rows = task.rows();
    float[][] heldOut = task.heldOutIsValidation() ? validation : test;
    return new SplitLogits(
        select(pool, rows.forget()), select(pool, rows.retain()), select(heldOut, rows.test()),
        select(heldOut, rows.testForgotten()));
  }

  /**
   * Writes the three matrices and then the sidecar (ids, content hashes and {@code about}, e.g. the model's
   * cell) into {@code dir}, each file atomically.
   */
  public void write(Path dir, Splits splits, JsonNode about) {
    removeTemporaries(dir);
    ObjectNode sidecar = JSON.createObjectNode();
    sidecar.put("format", "lethe per-example logits, float32 .npy, one row per sample in the order of ids");
    ObjectNode files = sidecar.putObject("splits");
    float[][][] matrices = {pool, validation, test};
    Dataset[] data = {splits.pool(), splits.validation(), splits.test()};
    for (int i = 0; i < SPLITS.length; i++) {
      Npy.write(dir.resolve(SPLITS[i] + ".npy"), matrices[i]);
      ObjectNode f = files.putObject(SPLITS[i]);
      f.put("file", SPLITS[i] + ".npy");
      f.put("content_hash", data[i].contentHash());
      f.put("id_source", i == 2 ? "test file" : "training file");
      f.set("ids", JSON.valueToTree(data[i].ids()));
    }
    if (about != null) {
      sidecar.set("about", about);
    }
    try {
      dev.lethe.data.AtomicFiles.write(dir.resolve(SIDECAR), JSON.writeValueAsBytes(sidecar));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The outputs stored in {@code dir}, or null when there are none, they are incomplete (no sidecar, a missing
   * or damaged matrix), or
   * they were computed on other splits (a content hash differs).
   */
  public static ModelOutputs read(Path dir, Splits splits) {
    Path sidecar = dir.resolve(SIDECAR);
    if (!Files.isRegularFile(sidecar)) {
      return null;
    }
    JsonNode meta;
    try {
      meta = JSON.readTree(sidecar.toFile());
    } catch (IOException e) {
      return null;
    }
    Dataset[] data = {splits.pool(), splits.validation(), splits.test()};
    float[][][] matrices = new float[3][][];
    for (int i = 0; i < SPLITS.length; i++) {
      JsonNode f = meta.path("splits").path(SPLITS[i]);
      if (!data[i].contentHash().equals(f.path("content_hash").asText())) {
        return null;
      }
      try {
        matrices[i] = Npy.read(dir.resolve(SPLITS[i] + ".npy"));
      } catch (LetheException e) {
        return null; // a missing or damaged matrix is incomplete output: recomputed like a missing sidecar
      }
      if (matrices[i].length != data[i].size()) {
        return null;
      }
    }
    return new ModelOutputs(matrices[0], matrices[1], matrices[2]);
  }

  /** Removes the temporary files a killed write left in {@code dir} (its files are rewritten next). */
  private static void removeTemporaries(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") && name.endsWith(".tmp")) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new LetheException("cannot clean " + dir + ": " + e.getMessage(), e);
    }
  }

  private static float[][] select(float[][] rows, int[] which) {
    float[][] out = new float[which.length][];
    for (int i = 0; i < which.length; i++) {
      out[i] = rows[which[i]];
    }
    return out;
  }
}
