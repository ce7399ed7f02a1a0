package dev.lethe.cli;

import dev.lethe.LetheException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The run seeds of the verbs that cover several seeds (bench, split): 1..N, or one given seed. */
public final class SeedOptions {
  @Option(names = "--seeds", description = "Run seeds 1..N (default: 1).")
  Integer seeds;

  @Option(names = "--seed", description = "Run this one seed instead of 1..N.")
  Long seed;

  /** The seeds asked for, in order. */
  List<Long> seeds() {
    if (seeds != null && seed != null) {
      throw new LetheException("pass either --seeds N or --seed S, not both");
    }
    if (seeds != null && seeds < 1) {
      throw new LetheException("--seeds must be at least 1, got " + seeds);
    }
    List<Long> out = new ArrayList<>();
    if (seed != null) {
      out.add(seed);
    } else {
      for (long s = 1; s <= (seeds == null ? 1 : seeds); s++) {
        out.add(s);
      }
    }
    return out;
  }
}
