package dev.lethe.unlearn;

import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.train.TrainConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every unlearning method by its stable id (the CLI name): its paper, its default options and a factory.
 *
 * <p>Adding a method: (1) write one class implementing {@link Unlearner} with a nested {@code Options}
 * record whose components carry {@link Doc}; (2) register it below with its id, paper and defaults;
 * (3) add its tests. The CLI, {@code lethe methods}, {@code --param} and the benchmark pick it up.
 */
public final class MethodRegistry {
  /**
   * The caveat of the methods whose bare defaults, in the default regime (forgetting 300 ids from the
   * memorising default original), left the forget set exactly as the original had it (measured).
   */
  public static final String NO_OP_DEFAULTS =
      "bare defaults leave a memorising model's forget set unchanged (FA 100 % on 300 ids); use a tuned recipe";

  /**
   * One registered method.
   *
   * @param defaultsNote a measured caveat about its defaults, shown by {@code lethe methods}; empty if none
   */
  public record Method(
      String id, String title, String paper, Record defaults, Function<Record, Unlearner> factory,
      String defaultsNote) {
    /** A method without a caveat about its defaults. */
    public Method(String id, String title, String paper, Record defaults, Function<Record, Unlearner> factory) {
      this(id, title, paper, defaults, factory, "");
    }

    /** An instance with {@code overrides} bound onto the defaults. */
    public Unlearner create(Map<String, String> overrides) {
      return factory.apply(OptionsBinder.bind(id, defaults, overrides));
    }

    /** Whether the method can unlearn a task of {@code spec}'s kind ({@link Unlearner#supports}). */
    public boolean supports(ForgetSpec spec) {
      return factory.apply(defaults).supports(spec);
    }
  }

  private final Map<String, Method> methods = new LinkedHashMap<>();

  /** The standard methods; {@code training} is the original's recipe, which retraining repeats. */
  public MethodRegistry(TrainConfig training) {
    add(new Method(Retrain.ID, "Retrain from scratch on the retain set (exact unlearning, the gold standard)",
        "Cao & Yang, S&P 2015", training, o -> new Retrain((TrainConfig) o)));
    add(new Method(Original.ID, "The original model, unchanged (the do-nothing bar)",
        "-", new Original.Options(), o -> new Original()));
    add(new Method(FineTune.ID, "Fine-tune on the retain set",
        "Warnecke et al., NDSS 2023; Jia et al., NeurIPS 2023", FineTune.DEFAULTS,
        o -> new FineTune((FineTune.Options) o), NO_OP_DEFAULTS));
    add(new Method(GradientAscent.ID, "Gradient ascent on the forget set",
        "Thudi et al., EuroS&P 2022; Jia et al., NeurIPS 2023", GradientAscent.DEFAULTS,
        o -> new GradientAscent((GradientAscent.Options) o), NO_OP_DEFAULTS));
    add(new Method(RandomLabels.ID, "Random labels on the forget set, interleaved with the retain set",
        "Golatkar et al., CVPR 2020; Fan et al. (SalUn), ICLR 2024", RandomLabels.DEFAULTS,
        o -> new RandomLabels((RandomLabels.Options) o)));
    add(new Method(NegGradPlus.ID, "Retain descent plus weighted forget ascent",
        "Kurmanji et al. (SCRUB paper), NeurIPS 2023", NegGradPlus.DEFAULTS,
        o -> new NegGradPlus((NegGradPlus.Options) o)));
    add(new Method(SalUn.ID, "Weight-saliency mask plus random labels",
        "Fan et al. (SalUn), ICLR 2024", SalUn.DEFAULTS, o -> new SalUn((SalUn.Options) o)));
    add(new Method(SfrOn.ID, "Fast-slow saliency forgetting in the remain-preserving manifold",
        "Huang et al. (SFR-on), NeurIPS 2024", SfrOn.DEFAULTS, o -> new SfrOn((SfrOn.Options) o), NO_OP_DEFAULTS));
    add(new Method(Scrub.ID, "Student-teacher: diverge from the original on the forget set, match it on the retain set",
        "Kurmanji et al., NeurIPS 2023", Scrub.DEFAULTS, o -> new Scrub((Scrub.Options) o)));
    add(new Method(BadTeacher.ID, "Distil from a random-init teacher on the forget set, the original on the retain set",
        "Chundawat et al., AAAI 2023", BadTeacher.DEFAULTS, o -> new BadTeacher((BadTeacher.Options) o)));
    add(new Method(L1Sparse.ID, "Fine-tune on the retain set with a decaying L1 penalty on all weights",
        "Jia et al., NeurIPS 2023", L1Sparse.DEFAULTS, o -> new L1Sparse((L1Sparse.Options) o)));
    add(new Method(InfluenceUnlearning.ID, "One-shot influence update with a WoodFisher inverse-Fisher approximation",
        "Koh & Liang, ICML 2017; Izzo et al., AISTATS 2021; Jia et al., NeurIPS 2023", InfluenceUnlearning.DEFAULTS,
        o -> new InfluenceUnlearning((InfluenceUnlearning.Options) o)));
    add(new Method(BoundaryShrink.ID,
        "Boundary shrinking: fine-tune on the nearest wrong class found by FGSM",
        "Chen et al. (Boundary Unlearning), CVPR 2023", BoundaryShrink.DEFAULTS,
        o -> new BoundaryShrink((BoundaryShrink.Options) o)));
    add(new Method(BoundaryExpand.ID,
        "Boundary expanding: move the forget set into a shadow class, then prune it",
        "Chen et al. (Boundary Unlearning), CVPR 2023", BoundaryExpand.DEFAULTS,
        o -> new BoundaryExpand((BoundaryExpand.Options) o)));
    add(new Method(Amun.ID, "Fine-tune on D_R, D_F and L2-PGD adversarial examples of D_F with their wrong labels",
        "Ebrahimpour-Boroojeny et al. (AMUN), ICML 2025", Amun.DEFAULTS,
        o -> new Amun(Amun.ID, (Amun.Options) o), NO_OP_DEFAULTS));
    add(new Method(Amun.ID_ADV_ONLY, "AMUN without the forget set: fine-tune on D_R and the adversarial examples",
        "Ebrahimpour-Boroojeny et al. (AMUN), ICML 2025", Amun.DEFAULTS_ADV_ONLY,
        o -> new Amun(Amun.ID_ADV_ONLY, (Amun.Options) o)));
    add(new Method(ManifSmc.ID,
        "Representation-space forgetting: push each forget sample off its retained-neighbour centroid, with"
            + " self-mode-connectivity margins",
        "Wang et al. (ManiF-SMC), KDD 2026", ManifSmc.DEFAULTS, o -> new ManifSmc((ManifSmc.Options) o)));
    add(new Method(Trw.ID, "Class unlearning: fine-tune forget-class outputs towards the original's tilted, renormalised distribution",
        "Ebrahimpour-Boroojeny, Wang & Sundaram (TRW), arXiv 2506.20893", Trw.DEFAULTS, o -> new Trw((Trw.Options) o)));
  }

  private void add(Method method) {
    methods.put(method.id(), method);
  }

  /** All methods in registration order (retrain first). */
  public List<Method> all() {
    return new ArrayList<>(methods.values());
  }

  /** All method ids in registration order. */
  public List<String> ids() {
    return new ArrayList<>(methods.keySet());
  }

  /** The method with {@code id}, or a one-line error listing the known ids. */
  public Method get(String id) {
    Method m = methods.get(id);
    if (m == null) {
      throw new LetheException(
          "unknown method '" + id + "': choose from " + String.join(", ", methods.keySet()));
    }
    return m;
  }

  /**
   * Parses {@code method.key=value} overrides, grouped by method. Unknown methods are rejected here;
   * unknown keys when the method is bound.
   */
  public Map<String, Map<String, String>> parseOverrides(List<String> params) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String p : params) {
      int eq = p.indexOf('=');
      int dot = eq < 0 ? -1 : p.lastIndexOf('.', eq);
      if (eq < 0 || dot <= 0 || dot == eq - 1) {
        throw new LetheException(
            "malformed --param '" + p + "': write method.key=value, e.g. ga.lr=0.001");
      }
      String method = p.substring(0, dot);
      get(method);
      String previous =
          out.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(p.substring(dot + 1, eq), p.substring(eq + 1));
      if (previous != null) {
        throw new LetheException("--param " + p.substring(0, eq) + " is given twice (" + previous + " and "
            + p.substring(eq + 1) + "): pass each key once");
      }
    }
    for (Map.Entry<String, Map<String, String>> e : out.entrySet()) {
      OptionsBinder.bind(e.getKey(), get(e.getKey()).defaults(), e.getValue());
    }
    return out;
  }
}
