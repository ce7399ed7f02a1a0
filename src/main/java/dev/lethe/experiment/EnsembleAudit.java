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
import java.util.function.IntPredicate;
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
   * What the per-example audits of one set of audited members found.
   *
   * @param metrics every summary metric, with {@code ensemble_size}
   * @param scores per target example, its U-LiRA accuracy and KLoM
   */
  public record Measured(Map<String, Double> metrics, PerExampleScores scores) {}

  /**
   * Every per-example metric of {@code audited} (one member per shadow) against the ensemble's retrains,
   * with {@code ensemble_size}, and the per-example values behind U-LiRA and KLoM on the forget examples.
   *
   * @throws dev.lethe.LetheException if the ensemble is smaller than {@link Ensemble#MIN_SIZE}
   */
  public static Measured measure(
      Ensemble ensemble, MemberMargins[] audited, MemberMargins[] originals, MemberMargins[] retrains) {
    Ensemble.checkSize(ensemble.size());
    Map<String, Double> m = new LinkedHashMap<>();
    PairedMargins paired = paired(ensemble, audited, retrains);
    Klom.Result klom = new Klom(Klom.Options.fewBins(ensemble.size() / 2)).audit(paired);
    ULira.Result ulira = new ULira(ULira.Options.defaults()).audit(paired);
    m.putAll(klom.metrics());
    m.putAll(ulira.metrics());
    m.putAll(new ForgetQuality().audit(commonN(paired)).metrics());
    putAttacks(m, attacks(ensemble, audited, originals), attacks(ensemble, retrains, originals));
    m.put("ensemble_size", (double) ensemble.size());
    int[] forget = paired.rows(Group.FORGET);
    int[] ids = new int[forget.length];
    double[] klomForget = new double[forget.length];
    int n = 0;
    for (int row = 0; row < audited[0].pool().length; row++) {
      if (ensemble.isTarget(row)) { // paired() lists the forget examples in pool order
        ids[n] = ensemble.target().pool().id(row);
        klomForget[n] = klom.retrainedToAudited()[forget[n]];
        n++;
      }
    }
    return new Measured(m, new PerExampleScores(ids, ulira.accuracy(), klomForget));
  }

  /**
   * The single-model attacks on one model trained on the whole pool (e.g. a deployed unlearned model): LiRA
   * and RMIA telling its target (forget) examples from the test split, each example referenced by the shadow
   * originals that never trained on it (every shadow, for a test or validation example), RMIA's {@code a}
   * tuned on shadow 0 (its members known) referenced by the other shadows. Each metric also with
   * {@code _retrain}, the same attack on {@code retrained} (the exact retrain without the target set), and
   * {@code _delta}; and {@code ensemble_size}.
   *
   * @throws dev.lethe.LetheException if the ensemble is smaller than {@link Ensemble#MIN_ATTACK_SIZE}
   */
  public static Map<String, Double> measureModel(
      Ensemble ensemble, MemberMargins model, MemberMargins retrained, MemberMargins[] originals) {
    Ensemble.checkAttackSize(ensemble.size());
    Map<String, Double> m = new LinkedHashMap<>();
    putAttacks(m, modelAttacks(ensemble, model, originals), modelAttacks(ensemble, retrained, originals));
    m.put("ensemble_size", (double) ensemble.size());
    return m;
  }

  /**
   * The attack metrics of the retrains themselves (the exact-retraining row: its own reference, delta 0),
   * with {@code ensemble_size}.
   */
  public static Map<String, Double> measureRetrain(Ensemble ensemble, MemberMargins[] originals, MemberMargins[] retrains) {
    Map<String, Double> attacks = attacks(ensemble, retrains, originals);
    Map<String, Double> m = new LinkedHashMap<>();
    putAttacks(m, attacks, attacks);
    m.put("ensemble_size", (double) ensemble.size());
    return m;
  }

  /** {@code attacks}, then each attack metric with {@code _retrain} from {@code reference} and {@code _delta}. */
  private static void putAttacks(Map<String, Double> m, Map<String, Double> attacks, Map<String, Double> reference) {
    m.putAll(attacks);
    for (String name : ATTACK_METRICS) {
      m.put(name + "_retrain", reference.get(name));
      m.put(name + "_delta", attacks.get(name) - reference.get(name));
    }
  }

  /** Per example, the audited and retrained margins of the shadows that trained on it (all for validation). */
  static PairedMargins paired(Ensemble ensemble, MemberMargins[] audited, MemberMargins[] retrains) {
    int poolSize = audited[0].pool().length;
    List<double[]> c = new ArrayList<>();
    List<double[]> r = new ArrayList<>();
    List<Group> groups = new ArrayList<>();
    for (boolean forget : new boolean[] {true, false}) {
      for (int row = 0; row < poolSize; row++) {
        if (ensemble.isTarget(row) == forget) {
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
      int attacked = j;
      int partner = j ^ 1;
      Rmia.Case target = attackCase(ensemble, row -> ensemble.in(attacked, row), targets[j], originals,
          k -> k != attacked);
      Rmia.Case paired = attackCase(ensemble, row -> ensemble.in(partner, row), originals[partner], originals,
          k -> k != attacked && k != partner);
      add(sum, attack(target, paired));
    }
    sum.replaceAll((k, v) -> v / m);
    return sum;
  }

  /**
   * LiRA and RMIA on {@code model}, trained on the whole pool: members every target example, references the
   * shadow originals; {@code a} tuned on shadow 0.
   */
  private static Map<String, Double> modelAttacks(Ensemble ensemble, MemberMargins model, MemberMargins[] originals) {
    Rmia.Case target = attackCase(ensemble, row -> true, model, originals, k -> true);
    Rmia.Case paired = attackCase(ensemble, row -> ensemble.in(0, row), originals[0], originals, k -> k != 0);
    return attack(target, paired);
  }

  private static Map<String, Double> attack(Rmia.Case target, Rmia.Case paired) {
    Map<String, Double> m = new LinkedHashMap<>(new Lira(Lira.Options.defaults()).audit(target.attack()).metrics());
    m.putAll(Rmia.tuned().audit(new Rmia.Input(target, paired)).metrics());
    return m;
  }

  /**
   * The attack on {@code model}: members the target examples for which {@code member} holds, non-members the
   * test split, population the validation split, each referenced by the shadow originals that {@code usable}
   * admits and that never trained on the example.
   */
  private static Rmia.Case attackCase(
      Ensemble ensemble, IntPredicate member, MemberMargins model, MemberMargins[] originals, ShadowFilter usable) {
    int[] targetRows = ensemble.target().rows().forget();
    int members = 0;
    for (int row : targetRows) {
      members += member.test(row) ? 1 : 0;
    }
    double[] memberMargins = new double[members];
    double[][] memberReference = new double[members][];
    int i = 0;
    for (int row : targetRows) {
      if (member.test(row)) {
        int[] out = shadowsWith(ensemble, k -> usable.test(k) && !ensemble.in(k, row));
        memberMargins[i] = model.pool()[row];
        memberReference[i++] = take(originals, out, mm -> mm.pool()[row]);
      }
    }
    int[] others = shadowsWith(ensemble, usable);
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
