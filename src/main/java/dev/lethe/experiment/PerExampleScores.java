package dev.lethe.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.AtomicFiles;
import dev.lethe.data.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The per-example values behind one strong-audit result row, kept beside it rather than in
 * {@code results.jsonl} (one number per forget example and seed would swell every row): per target (forget)
 * example, its U-LiRA attack accuracy and its KLoM ({@code KL(retrained ‖ audited)}). On disk, like
 * {@link ModelOutputs}: {@value #MATRIX} (float32, one row per example, the columns named in the sidecar) and
 * {@value #SIDECAR}, which names the pool ids in row order and is written last, so a matrix without it is
 * incomplete.
 *
 * @param ids the forget examples' pool ids, in row order
 * @param uliraAccuracy each example's U-LiRA attack accuracy (0.5 = indistinguishable from retraining)
 * @param klomForget each example's KLoM
 */
public record PerExampleScores(int[] ids, double[] uliraAccuracy, double[] klomForget) {
  /** The field of a result row naming the directory, relative to the results file's, its values are in. */
  public static final String ROW_FIELD = "per_example";
  /** The matrix's file name. */
  public static final String MATRIX = "per-example.npy";
  /** The sidecar's file name. */
  public static final String SIDECAR = "per-example.json";

  private static final String[] COLUMNS = {"ulira_accuracy", "klom_forget"};

  /** Checks that every array describes the same examples. */
  public PerExampleScores {
    if (ids.length != uliraAccuracy.length || ids.length != klomForget.length) {
      throw new IllegalArgumentException(ids.length + " ids, " + uliraAccuracy.length + " U-LiRA accuracies and "
          + klomForget.length + " KLoM values: they must describe the same examples");
    }
  }

  /** Writes the matrix and then the sidecar (with {@code about}, e.g. the row's cell key) into {@code dir}. */
  public void write(Path dir, JsonNode about) {
    float[][] rows = new float[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      rows[i] = new float[] {(float) uliraAccuracy[i], (float) klomForget[i]};
    }
    Npy.write(dir.resolve(MATRIX), rows);
    ObjectNode sidecar = Json.MAPPER.createObjectNode();
    sidecar.put("format", "lethe per-example audit values, float32 .npy, one row per forget example in the order of ids");
    sidecar.put("file", MATRIX);
    sidecar.set("columns", Json.MAPPER.valueToTree(COLUMNS));
    sidecar.set("ids", Json.MAPPER.valueToTree(ids));
    if (about != null) {
      sidecar.set("about", about);
    }
    try {
      AtomicFiles.write(dir.resolve(SIDECAR), Json.MAPPER.writeValueAsBytes(sidecar));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The values stored in {@code dir}, or null when there are none or they are incomplete or damaged. */
  public static PerExampleScores read(Path dir) {
    Path sidecar = dir.resolve(SIDECAR);
    if (!Files.isRegularFile(sidecar)) {
      return null;
    }
    try {
      JsonNode meta = Json.MAPPER.readTree(sidecar.toFile());
      int[] ids = Json.MAPPER.treeToValue(meta.path("ids"), int[].class);
      float[][] rows = Npy.read(dir.resolve(MATRIX));
      if (ids == null || rows.length != ids.length || (rows.length > 0 && rows[0].length != COLUMNS.length)) {
        return null;
      }
      double[] ulira = new double[rows.length];
      double[] klom = new double[rows.length];
      for (int i = 0; i < rows.length; i++) {
        ulira[i] = rows[i][0];
        klom[i] = rows[i][1];
      }
      return new PerExampleScores(ids, ulira, klom);
    } catch (IOException | LetheException e) {
      return null;
    }
  }
}
