package dev.lethe.cli;

import dev.lethe.experiment.ArtifactStore;
import java.nio.file.Path;

/** The artifact store named by {@code --store}, or the default one. */
final class Stores {
  private Stores() {}

  static ArtifactStore of(Path store) {
    return new ArtifactStore(store != null ? store : ArtifactStore.defaultRoot());
  }
}
