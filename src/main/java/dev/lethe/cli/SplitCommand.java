package dev.lethe.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.experiment.Json;
import dev.lethe.experiment.Provenance;
import dev.lethe.data.Dataset;
import dev.lethe.data.DatasetLoader;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.IdFile;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.Splits;
import dev.lethe.data.TrainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lethe split}: writes the exact splits of a configuration as id files, so that other tools can use
 * Lethe's pool, validation, test and forget sets, and {@code --pool-ids}, {@code --val-ids},
 * {@code --test-ids} and {@code --forget ids:FILE} can replay them. Trains nothing.
 */
@Command(name = "split", mixinStandardHelpOptions = true,
    description = "Write the pool, validation, test and forget ids of this configuration, one stable id per line "
        + "(pool, validation and forget ids index the training file, test ids the test file), and split.json "
        + "describing them; trains nothing. Replay them with --pool-ids, --val-ids, --test-ids, --forget ids:FILE.")
public final class SplitCommand implements Callable<Integer> {
  /** The pool's id file inside the output directory. */
  public static final String POOL_IDS = "pool-ids.txt";

  /** The validation split's id file inside the output directory. */
  public static final String VALIDATION_IDS = "validation-ids.txt";

  /** The test split's id file inside the output directory. */
  public static final String TEST_IDS = "test-ids.txt";

  /** The description of the split inside the output directory. */
  public static final String SPLIT_JSON = "split.json";

  @Mixin ExperimentOptions experiment;

  @Mixin ForgetOptions forget;

  @Mixin SeedOptions seeds;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Directory to write the id files and split.json to (created if missing).")
  Path out;

  /** The name of the forget-id file of {@code spec} and {@code seed}. */
  public static String forgetFile(ForgetSpec spec, long seed) {
    return "forget-" + ForgetSpec.fileSafe(spec.text()) + "-seed" + seed + ".txt";
  }

  @Override
  public Integer call() {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new LetheException("--out " + out + " is a file: pass a directory for the id files");
    }
    List<Long> seedList = seeds.seeds();
    List<ForgetSpec> specs = new ArrayList<>();
    for (String f : forget.forgets()) {
      specs.add(ForgetSpec.parse(f));
      if (specs.get(specs.size() - 1) instanceof ForgetSpec.WorstCase worst) {
        throw new LetheException("lethe split trains nothing, but " + worst.text() + " is searched for on the original"
            + " model: run lethe bench --forget " + worst.text() + ", which prints where its id file is stored");
      }
    }
    SplitConfig config = experiment.split();
    TrainTest data = DatasetLoader.load(experiment.dataset, experiment.dataDir);
    Splits splits = Splits.of(data, config);

    // Everything is computed before the first file is written, so bad input leaves nothing behind.
    Map<String, String> files = new LinkedHashMap<>();
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("dataset", experiment.dataset);
    if (experiment.dataDir != null) {
      json.put("data_dir", experiment.dataDir.toAbsolutePath().toString());
    }
    json.set("split", Json.MAPPER.valueToTree(config));
    ObjectNode sources = json.putObject("files");
    source(sources.putObject("train"), data.train());
    source(sources.putObject("test"), data.test());
    ObjectNode parts = json.putObject("splits");
    part(parts.putObject("pool"), files, POOL_IDS, splits.pool());
    part(parts.putObject("validation"), files, VALIDATION_IDS, splits.validation());
    part(parts.putObject("test"), files, TEST_IDS, splits.test());
    ArrayNode seedArray = json.putArray("seeds");
    seedList.forEach(seedArray::add);
    ArrayNode forgets = json.putArray("forgets");
    Map<String, String> specOfFile = new LinkedHashMap<>();
    for (ForgetSpec spec : specs) {
      for (long seed : seedList) {
        String name = forgetFile(spec, seed);
        String earlier = specOfFile.putIfAbsent(name, spec.text());
        if (earlier != null) {
          throw new LetheException("--forget " + earlier + " and --forget " + spec.text() + " would both be written to "
              + name + ": pass each forget spec once");
        }
        ForgetTask task = ForgetTask.derive(spec, splits, seed);
        files.put(name, lines(task.forgetIds()));
        ObjectNode f = forgets.addObject();
        f.put("spec", spec.text());
        f.put("seed", seed);
        f.put("file", name);
        f.put("forget", task.forget().size());
        f.put("retain", task.retain().size());
        f.put("ids_sha256", task.forgetIdsHash());
        ArrayNode classes = f.putArray("classes");
        for (int c : task.forgetClasses()) {
          classes.add(c);
        }
      }
    }
    json.set("versions", Provenance.versions(Json.MAPPER));
    json.put("created_at", java.time.Instant.now().toString());

    for (Map.Entry<String, String> file : files.entrySet()) {
      Json.writeAtomically(out.resolve(file.getKey()), file.getValue());
    }
    // split.json last: when it is present, every file it lists is complete
    Json.writeAtomically(out.resolve(SPLIT_JSON), json.toPrettyString() + "\n");
    System.out.printf("wrote %d pool, %d validation and %d test ids and %d forget sets to %s (described in %s)%n",
        splits.pool().size(), splits.validation().size(), splits.test().size(), forgets.size(), out, SPLIT_JSON);
    return 0;
  }

  private static void source(ObjectNode node, Dataset file) {
    node.put("name", file.name());
    node.put("count", file.size());
    node.put("content_hash", file.contentHash());
  }

  private static void part(ObjectNode node, Map<String, String> files, String name, Dataset split) {
    int[] ids = split.ids();
    files.put(name, lines(ids));
    node.put("file", name);
    node.put("count", ids.length);
    node.put("ids_sha256", IdFile.hashOf(ids));
    node.put("content_hash", split.contentHash());
  }

  private static String lines(int[] ids) {
    StringBuilder text = new StringBuilder(ids.length * 6);
    for (int id : ids) {
      text.append(id).append('\n');
    }
    return text.toString();
  }
}
