package dev.lethe.audit.perexample;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The metric definitions of every per-example audit, for {@code lethe methods --metrics}. */
public final class PerExampleAudits {
  /** Every per-example metric name with its one definition, in audit order. */
  public static final Map<String, String> DEFINITIONS = describe();

  private PerExampleAudits() {}

  private static Map<String, String> describe() {
    Map<String, String> d = new LinkedHashMap<>();
    d.putAll(Klom.DEFINITIONS);
    d.putAll(ULira.DEFINITIONS);
    d.putAll(Lira.DEFINITIONS);
    d.putAll(Rmia.DEFINITIONS);
    d.putAll(ForgetQuality.DEFINITIONS);
    d.put("ensemble_size", "shadow originals in the ensemble behind the per-example audits (each with its exact retrain "
        + "and, per method, its unlearned twin); every per-example metric is computed from their margins");
    return Collections.unmodifiableMap(d);
  }
}
