package dev.lethe.experiment;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The versions every artifact and result records, so a row can be rerun and compared (Tribuo's
 * ModelProvenance idea): Lethe, DJL, PyTorch, Java and the operating system.
 */
public final class Provenance {
  /** Lethe's version. */
  public static final String LETHE_VERSION = "0.1.0";

  /**
   * Bumped whenever the training loop, an architecture or a method changes numbers, invalidating cached models
   * and result cells. 2: oneDNN capped at AVX (its AVX-512/AVX2 kernels are wrong on this project's machines),
   * SalUn's mask keeps exactly int(tau n) weights.
   */
  public static final String TRAINING_CODE_VERSION = "2";

  private Provenance() {}

  /** The versions as a JSON object. */
  public static ObjectNode versions(ObjectMapper json) {
    ObjectNode v = json.createObjectNode();
    v.put("lethe", LETHE_VERSION);
    v.put("djl", Engine.getDjlVersion());
    v.put("pytorch", Engine.getInstance().getVersion());
    v.put("java", System.getProperty("java.version"));
    v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    v.put("threads", threads());
    return v;
  }

  /**
   * PyTorch's intra-op thread count of this process. Results differ bitwise between thread counts (reduction
   * order), so it is part of every model's artifact key and of every result cell's key.
   */
  public static int threads() {
    return Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
  }
}
