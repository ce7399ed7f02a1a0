package dev.lethe.experiment;

import dev.lethe.audit.perexample.AttackMargins;
import dev.lethe.audit.perexample.ForgetQuality;
import dev.lethe.audit.perexample.Klom;
import dev.lethe.audit.perexample.Lira;
import dev.lethe.audit.perexample.PairedMargins;
import dev.lethe.audit.perexample.PairedMargins.Group;
import dev.lethe.audit.perexample.Rmia;
import dev.lethe.audit.perexample.ULira;
import dev.lethe.experiment.Ensemble.MemberMargins;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Runs the per-example audits ({@code dev.lethe.audit.perexample}) on an {@link Ensemble}: one set of
 * audited members (one per shadow: the unlearned twins of a method, the shadow originals for the ceiling,
 * the second retrains for the floor) against the shadows' exact retrains.
 *
 * <ul>
 *   <li>KLoM, U-LiRA and forget quality read {@link PairedMargins}: per target example, the audited and the
 *       retrained margins of the shadows that trained on it (its forget group); per other pool example, those
 *       of the shadows that trained on it (retain); per validation example, every shadow's. KLoM bins with
 *       {@link Klom.Options#fewBins} for the N = M/2 models per side. Forget quality needs one N for every
 *       example; the complementary halves give exactly M/2, and the samples are cut to the smallest count
 *       anyway, which is reported as {@code forget_quality_n}.
 *   <li>LiRA and RMIA attack each shadow's audited member in turn: members are the target examples in its
 *       half, non-members the test split, RMIA's population the validation split; the references of an
 *       example are the shadow originals that never trained on it, other than the attacked shadow's own. RMIA
 *       tunes {@code a} on the attacked shadow's pair partner (an original whose members are known),
 *       referenced by the originals other than the two. Metrics are means over the M attacked members; each is
 *       reported with {@code _retrain} (the same attack on the shadows' retrains) and {@code _delta}
 *       (audited minus retrained: two-sided, over-forgetting shows as a negative delta).
 * </ul>
 */
public final class EnsembleAudit {
  /** The attack metrics reported with {@code _retrain} and {@code _delta}. */
  private static final List<String> ATTACK_METRICS = List.of("lira_auc", "lira_tpr_at_1pct_fpr", "lira_tpr_at_0_1pct_fpr",
      "rmia_auc", "rmia_tpr_at_1pct_fpr", "rmia_tpr_at_0_1pct_fpr");

  /** The definitions of the names this class adds to the per-example audits' own. */
  public static final Map<String, String> DEFINITIONS = describe();

  private EnsembleAudit() {}

  /**
   * Every per-example metric of {@code audited} (one member per shadow) against the ensemble's retrains,
   * with {@code ensemble_size}.
   */
  public static Map<String, Double> measure(
      Ensemble ensemble, MemberMargins[] audited, MemberMargins[] originals, MemberMargins[] retrains) {
    Map<String, Double> m = new LinkedHashMap<>();
    PairedMargins paired = paired(ensemble, audited, retrains);
    m.putAll(new Klom(Klom.Options.fewBins(ensemble.size() / 2)).audit(paired).metrics());
    m.putAll(new ULira(ULira.Options.defaults()).audit(paired).metrics());
    m.putAll(new ForgetQuality().audit(commonN(paired)).metrics());
    Map<String, Double> attacks = attacks(ensemble, audited, originals);
    Map<String, Double> reference = attacks(ensemble, retrains, originals);
    m.putAll(attacks);
    for (String name : ATTACK_METRICS) {
      m.put(name + "_retrain", reference.get(name));
      m.put(name + "_delta", attacks.get(name) - reference.get(name));
    }
    m.put("ensemble_size", (double) ensemble.size());
    return m;
  }

  /**
   * The attack metrics of the retrains themselves (the exact-retraining row: its own reference, delta 0),
   * with {@code ensemble_size}.
   */
  public static Map<String, Double> measureRetrain(Ensemble ensemble, MemberMargins[] originals, MemberMargins[] retrains) {
    Map<String, Double> m = new LinkedHashMap<>(attacks(ensemble, retrains, originals));
    for (String name : ATTACK_METRICS) {
      m.put(name + "_retrain", m.get(name));
      m.put(name + "_delta", 0.0);
    }
    m.put("ensemble_size", (double) ensemble.size());
    return m;
  }

  /** Per example, the audited and retrained margins of the shadows that trained on it (all for validation). */
  static PairedMargins paired(Ensemble ensemble, MemberMargins[] audited, MemberMargins[] retrains) {
    int poolSize = audited[0].pool().length;
    boolean[] isTarget = new boolean[poolSize];
    for (int row : ensemble.target().rows().forget()) {
      isTarget[row] = true;
    }
    List<double[]> c = new ArrayList<>();
    List<double[]> r = new ArrayList<>();
    List<Group> groups = new ArrayList<>();
    for (boolean forget : new boolean[] {true, false}) {
      for (int row = 0; row < poolSize; row++) {
        if (isTarget[row] == forget) {
          int example = row;
          int[] shadows = shadowsWith(ensemble, j -> ensemble.in(j, example));
          c.add(take(audited, shadows, mm -> mm.pool()[example]));
          r.add(take(retrains, shadows, mm -> mm.pool()[example]));
          groups.add(forget ? Group.FORGET : Group.RETAIN);
        }
      }
    }
    int[] all = shadowsWith(ensemble, j -> true);
    for (int v = 0; v < audited[0].validation().length; v++) {
      int example = v;
      c.add(take(audited, all, mm -> mm.validation()[example]));
      r.add(take(retrains, all, mm -> mm.validation()[example]));
      groups.add(Group.VALIDATION);
    }
    return new PairedMargins(c.toArray(double[][]::new), r.toArray(double[][]::new), groups.toArray(Group[]::new));
  }

  /** The forget examples of {@code paired}, each side cut to the smallest sample size among them. */
  static PairedMargins commonN(PairedMargins paired) {
    int[] rows = paired.rows(Group.FORGET);
    int n = Integer.MAX_VALUE;
    for (int row : rows) {
      n = Math.min(n, Math.min(paired.candidate()[row].length, paired.reference()[row].length));
    }
    double[][] c = new double[rows.length][];
    double[][] r = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      c[i] = Arrays.copyOf(paired.candidate()[rows[i]], n);
      r[i] = Arrays.copyOf(paired.reference()[rows[i]], n);
    }
    return PairedMargins.forget(c, r);
  }

  /** LiRA and RMIA on each shadow's member of {@code targets} in turn, averaged over the shadows. */
  private static Map<String, Double> attacks(Ensemble ensemble, MemberMargins[] targets, MemberMargins[] originals) {
    Map<String, Double> sum = new LinkedHashMap<>();
    int m = ensemble.size();
    for (int j = 0; j < m; j++) {
      int partner = j ^ 1;
      Rmia.Case target = attackCase(ensemble, j, targets[j], originals, j, j);
      Rmia.Case paired = attackCase(ensemble, partner, originals[partner], originals, j, partner);
      add(sum, new Lira(Lira.Options.defaults()).audit(target.attack()).metrics());
      add(sum, Rmia.tuned().audit(new Rmia.Input(target, paired)).metrics());
    }
    sum.replaceAll((k, v) -> v / m);
    return sum;
  }

  /**
   * Shadow {@code attacked}'s view of the attack on {@code model}: members the target examples in its half,
   * non-members the test split, population the validation split, each referenced by the shadow originals
   * that never trained on the example other than {@code skipA} and {@code skipB}.
   */
  private static Rmia.Case attackCase(
      Ensemble ensemble, int attacked, MemberMargins model, MemberMargins[] originals, int skipA, int skipB) {
    int[] targetRows = ensemble.target().rows().forget();
    int members = 0;
    for (int row : targetRows) {
      members += ensemble.in(attacked, row) ? 1 : 0;
    }
    double[] memberMargins = new double[members];
    double[][] memberReference = new double[members][];
    int i = 0;
    for (int row : targetRows) {
      if (ensemble.in(attacked, row)) {
        int[] out = shadowsWith(ensemble, k -> k != skipA && k != skipB && !ensemble.in(k, row));
        memberMargins[i] = model.pool()[row];
        memberReference[i++] = take(originals, out, mm -> mm.pool()[row]);
      }
    }
    int[] others = shadowsWith(ensemble, k -> k != skipA && k != skipB);
    double[][] testReference = new double[model.test().length][];
    for (int s = 0; s < testReference.length; s++) {
      int example = s;
      testReference[s] = take(originals, others, mm -> mm.test()[example]);
    }
    double[][] populationReference = new double[model.validation().length][];
    for (int v = 0; v < populationReference.length; v++) {
      int example = v;
      populationReference[v] = take(originals, others, mm -> mm.validation()[example]);
    }
    AttackMargins attack = new AttackMargins(memberMargins, memberReference, model.test(), testReference);
    return new Rmia.Case(attack, model.validation(), populationReference);
  }

  private interface ShadowFilter {
    boolean test(int shadow);
  }

  private static int[] shadowsWith(Ensemble ensemble, ShadowFilter filter) {
    int[] out = new int[ensemble.size()];
    int n = 0;
    for (int j = 0; j < out.length; j++) {
      if (filter.test(j)) {
        out[n++] = j;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static double[] take(MemberMargins[] members, int[] shadows, ToDoubleFunction<MemberMargins> margin) {
    double[] out = new double[shadows.length];
    for (int i = 0; i < shadows.length; i++) {
      out[i] = margin.applyAsDouble(members[shadows[i]]);
    }
    return out;
  }

  private static void add(Map<String, Double> sum, Map<String, Double> metrics) {
    metrics.forEach((k, v) -> sum.merge(k, v, Double::sum));
  }

  private static Map<String, String> describe() {
    Map<String, String> d = new LinkedHashMap<>();
    for (String name : ATTACK_METRICS) {
      d.put(name + "_retrain", "the same attack as " + name + " on the shadows' exact retrains (the value retraining gets)");
      d.put(name + "_delta", name + " minus " + name + "_retrain: 0 = attacked like retraining; negative = over-forgetting");
    }
    return Collections.unmodifiableMap(d);
  }
}
