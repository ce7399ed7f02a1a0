package dev.lethe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.audit.AuditResult;
import dev.lethe.data.ForgetTask;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.experiment.Provenance;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.OptionsBinder;
import java.util.List;
import java.util.Map;

/**
 * Builds the result rows of {@code results.jsonl} and {@code tuning.jsonl} (field names are a contract). Each
 * row carries its cell ({@link #cell}) and the cell's content key, and a {@code status}: {@code ok}, or
 * {@code collapsed} for a method whose training diverged or whose outputs are not finite.
 */
final class Rows {
  /** The field holding a row's cell key: the SHA-256 of its canonical {@code cell} object. */
  static final String CELL_KEY = "cell_key";

  /** Status of a cell whose method ran to the end with finite outputs. */
  static final String OK = "ok";

  /** Status of a cell whose method diverged (non-finite loss) or produced non-finite outputs. */
  static final String COLLAPSED = "collapsed";

  private Rows() {}

  /**
   * Everything that determines a cell's result: the experiment's fingerprint (data content hashes, split,
   * architecture, training recipe, threads, training-code version), the forget set (ids hash and forgotten
   * classes), the method id with its revision (when above 1) and fully resolved options, and the seed. A rerun recomputes a cell exactly
   * when this changes. A tuning cell ({@link ForgetTask#heldOutIsValidation()}) says so and leaves out the
   * test split's hash, which does not determine it.
   */
  static ObjectNode cell(Experiment experiment, ForgetTask task, String method, JsonNode params, long seed) {
    ObjectNode cell = Json.MAPPER.createObjectNode();
    ObjectNode fingerprint = experiment.fingerprint();
    if (task.heldOutIsValidation()) {
      fingerprint.remove("test");
      cell.put("held_out", Tuner.HELD_OUT);
    }
    cell.set("experiment", fingerprint);
    cell.put("forget_ids", task.forgetIdsHash());
    cell.set("forget_classes", Json.MAPPER.valueToTree(task.forgetClasses()));
    cell.put("method", method);
    if (MethodRegistry.revision(method) > 1) {
      cell.put("method_revision", MethodRegistry.revision(method));
    }
    cell.set("params", params);
    cell.put("seed", seed);
    return cell;
  }

  /** The content key of {@code cell}. */
  static String key(JsonNode cell) {
    return Json.contentKey(cell);
  }

  /**
   * Marks {@code row} as collapsed at {@code step} (0 when the run finished but its outputs are not finite)
   * for {@code reason}.
   */
  static ObjectNode collapsed(ObjectNode row, int step, String reason) {
    row.put("status", COLLAPSED);
    ObjectNode c = row.putObject("collapse");
    c.put("step", step);
    c.put("reason", reason);
    return row;
  }

  /**
   * What differs between a logged row's cell and {@code cell}, for the line that says why a cell is
   * recomputed: up to three changed fields with their old and new values.
   */
  static String changes(JsonNode row, JsonNode cell) {
    if (!row.has("cell")) {
      return "its row was written by an older Lethe without a cell key";
    }
    List<String> diffs = Json.differences(row.get("cell"), cell);
    if (diffs.isEmpty()) {
      return "its configuration changed";
    }
    String shown = String.join(", ", diffs.subList(0, Math.min(3, diffs.size())));
    return shown + (diffs.size() > 3 ? " and " + (diffs.size() - 3) + " more" : "");
  }

  /** A cached model's record for the rows that use it: its key, seed, training time and versions. */
  static ObjectNode modelProvenance(ArtifactStore.Artifact artifact) {
    return modelProvenance(artifact.metadata(), artifact.reused());
  }

  /** As {@link #modelProvenance(ArtifactStore.Artifact)} from the stored metadata. */
  static ObjectNode modelProvenance(JsonNode metadata, boolean reused) {
    ObjectNode p = Json.MAPPER.createObjectNode();
    for (String field : List.of("content_key", "seed", "train_seconds", "versions")) {
      if (metadata.has(field)) {
        p.set(field, metadata.get(field));
      }
    }
    p.put("from_store", reused);
    return p;
  }

  /** True for a row whose method collapsed. */
  static boolean isCollapsed(JsonNode row) {
    return COLLAPSED.equals(row.path("status").asText());
  }

  /** One row; {@code recipe} is the recipe {@code options} were tuned in, or null for bare defaults. */
  static ObjectNode of(String dataset, String model, String scenario, Experiment experiment, ForgetTask task,
      String method, Record options, long seed, Map<String, Double> metrics, boolean cachedTiming,
      Recipe recipe) {
    ObjectNode row = Json.MAPPER.createObjectNode();
    row.put("scenario", scenario);
    row.put("dataset", dataset);
    row.put("model", model);
    row.put("forget", task.spec().text());
    row.put("method", method);
    row.put("seed", seed);
    JsonNode params = Json.MAPPER.valueToTree(OptionsBinder.values(options));
    row.set("params", params);
    ObjectNode cell = cell(experiment, task, method, params, seed);
    row.put(CELL_KEY, key(cell));
    row.set("cell", cell);
    row.put("status", OK);
    AuditResult.putMetrics(row.putObject("metrics"), metrics);
    ObjectNode sizes = row.putObject("sizes");
    sizes.put("pool", task.pool().size());
    sizes.put("forget", task.forget().size());
    sizes.put("retain", task.retain().size());
    sizes.put("test", task.test().size());
    row.set("config", experiment.describe());
    ObjectNode prov = row.putObject("provenance");
    prov.put("forget_ids_hash", task.forgetIdsHash());
    prov.put("timing_from_cache", cachedTiming);
    if (recipe != null) {
      prov.put("recipe", recipe.file());
      prov.put("recipe_tuned_for", recipe.tunedFor());
      prov.put("recipe_selected_on", recipe.selectedOnValidation() ? Recipe.SELECTED_ON_VALIDATION : "test");
    }
    prov.set("versions", Provenance.versions(Json.MAPPER));
    row.put("finished_at", java.time.Instant.now().toString());
    return row;
  }
}
