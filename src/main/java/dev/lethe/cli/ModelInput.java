package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.model.Checkpoints;
import java.nio.file.Path;

/**
 * A checkpoint given on the command line together with the experiment it belongs to, rebuilt from its
 * metadata and checked against it (same training pool), so forget and audit use exactly the pool the model
 * was trained on.
 */
record ModelInput(Path dir, JsonNode metadata, Experiment experiment) {
  static ModelInput open(Path dir, Path dataDir, ArtifactStore store) {
    JsonNode meta = Checkpoints.metadata(dir);
    Experiment experiment = Experiment.fromMetadata(meta, dataDir, store);
    JsonNode recorded = meta.path("experiment");
    var splits = experiment.splits();
    String[][] checks = {
      {"pool_hash", splits.pool().contentHash(), "pool it was trained on"},
      {"validation_hash", splits.validation().contentHash(), "validation split it was made with"},
      {"test_hash", splits.test().contentHash(), "test split it was made with"},
    };
    for (String[] c : checks) {
      // checkpoints written before a hash was recorded cannot be checked on that split
      if (recorded.has(c[0]) && !recorded.get(c[0]).asText().equals(c[1])) {
        throw new LetheException("the data at hand does not match the " + c[2] + " (" + dir
            + ", content hash differs): pass the --data-dir it was trained with");
      }
    }
    return new ModelInput(dir, meta, experiment);
  }

  long seed() {
    return metadata.path("seed").asLong();
  }
}
