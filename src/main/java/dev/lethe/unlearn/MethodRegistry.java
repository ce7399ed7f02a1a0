package dev.lethe.unlearn;

import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.train.Augmentation;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.method.Amun;
import dev.lethe.unlearn.method.BadTeacher;
import dev.lethe.unlearn.method.BoundaryExpand;
import dev.lethe.unlearn.method.BoundaryShrink;
import dev.lethe.unlearn.method.Dmm;
import dev.lethe.unlearn.method.FineTune;
import dev.lethe.unlearn.method.GradientAscent;
import dev.lethe.unlearn.method.InfluenceUnlearning;
import dev.lethe.unlearn.method.L1Sparse;
import dev.lethe.unlearn.method.Laf;
import dev.lethe.unlearn.method.ManifSmc;
import dev.lethe.unlearn.method.ModHiFiU;
import dev.lethe.unlearn.method.NegGradPlus;
import dev.lethe.unlearn.method.OracleMatching;
import dev.lethe.unlearn.method.Original;
import dev.lethe.unlearn.method.RandomLabels;
import dev.lethe.unlearn.method.Retrain;
import dev.lethe.unlearn.method.SalUn;
import dev.lethe.unlearn.method.Scrub;
import dev.lethe.unlearn.method.SfrOn;
import dev.lethe.unlearn.method.Sisa;
import dev.lethe.unlearn.method.Trw;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Every unlearning method by its stable id (the CLI name): its paper, its default options, whether its
 * training batches are augmented like the original's, and a factory. The built-in methods come first, then
 * those of every {@link MethodProvider} found by {@link ServiceLoader}, then those {@link #register registered}
 * at run time.
 *
 * <p>Adding a built-in method: (1) write one class implementing {@link Unlearner} with a nested {@code Options}
 * record whose components carry {@link Doc} (its SGD settings as one {@link SgdOptions} component {@code sgd}
 * if its loop is plain SGD; its choices as {@link dev.lethe.Choice} enums), a {@code static Options defaults()}
 * and a {@code with*} method per component; (2) register it below with its id, paper, defaults and batch
 * augmentation (what its reference code does); (3) add its tests. The CLI, {@code lethe methods},
 * {@code --param} and the benchmark pick it up. A method of your own takes the same steps outside Lethe, with a
 * {@link MethodProvider} instead of step (2).
 */
public final class MethodRegistry {
  /** What a method id may be: it is a CLI name, a {@code --param} prefix and part of file names. */
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9+_-]*");

  /**
   * The methods left out of the default benchmark, with why: their cost would break its time budget (issue
   * "A benchmark the field can trust").
   */
  private static final Map<String, String> OPT_IN = Map.of(Sisa.ID,
      "not in the default bench (name it in --methods): it trains S shard models on the pool first (about one more"
          + " training of the original, untimed), and a random:0.1 or class deletion touches every shard, so it"
          + " retrains them all (rte about 1)",
      OracleMatching.ID,
      "not in the default bench (name it in --methods): before it runs it trains oracle-matching.models (2) full"
          + " retrains per scenario and seed, untimed, which took 8 of a cold seed's 24 minutes (BENCHMARKS.md)");

  /** The providers registered at run time, in registration order. */
  /**
   * Methods whose numbers changed after the current training-code version, each with its revision (1 when
   * absent). A revision above 1 enters the keys of the method's result cells and ensemble twins, so results of
   * the earlier code are recomputed, never reused, while trained models and other methods' cells stay valid.
   * dmm 2: TRAK's kernel scaled to the one-step Newton step.
   */
  private static final Map<String, Integer> REVISIONS = Map.of(Dmm.ID, 2);

  /** The revision of method {@code id}'s code (see {@link #REVISIONS}); 1 for a method never revised. */
  public static int revision(String id) {
    return REVISIONS.getOrDefault(id, 1);
  }

  private static final List<MethodProvider> REGISTERED = new CopyOnWriteArrayList<>();

  /**
   * How a method's training batches are augmented: with the training recipe's policy, or never; and why,
   * from the method's reference code (where there is none, the field's default: as the recipe). Attacks,
   * masks, targets and embeddings always read clean images.
   *
   * @param augmentation what the method's batches get under this registry's recipe
   * @param followsRecipe whether that is the recipe's {@code --augment} (false: never augmented)
   * @param why the reference code's behaviour, in a few words
   */
  public record BatchAugmentation(Augmentation augmentation, boolean followsRecipe, String why) {
    /** Batches augmented as {@code training}, the registry's recipe, says. */
    public static BatchAugmentation ofRecipe(TrainConfig training, String why) {
      return new BatchAugmentation(training.augment(), true, why);
    }

    /** Batches never augmented. */
    public static BatchAugmentation never(String why) {
      return new BatchAugmentation(Augmentation.NONE, false, why);
    }

    /** One line for {@code lethe methods}. */
    public String describe() {
      return (followsRecipe ? augmentation + " (as --augment)" : "never augmented") + ": " + why;
    }
  }

  /**
   * The caveat of the methods whose bare defaults, in the default regime, left the forget set almost as the
   * memorising original had it: forgetting {@code random:0.1} on the validation split over tuning seeds
   * 1000-1002 (recipes/tuning/fashion-mnist-cnn-random-0.1.tuning.jsonl), mean FA 99.2-99.8 % against RT's 88.4 %.
   */
  public static final String NO_OP_DEFAULTS =
      "bare defaults leave a memorising model's forget set almost as the original had it (random:0.1, 3 tuning seeds: FA 99.2-99.8 % against RT's 88.4 %); use a tuned recipe";

  /**
   * One registered method; {@code factory} gets the bound options and {@code batches.augmentation()}.
   *
   * @param defaultsNote a measured caveat about its defaults, shown by {@code lethe methods}; empty if none
   */
  public record Method(
      String id, String title, String paper, Record defaults, BatchAugmentation batches,
      BiFunction<Record, Augmentation, Unlearner> factory, String defaultsNote) {
    /** A method without a caveat about its defaults. */
    public Method(String id, String title, String paper, Record defaults, BatchAugmentation batches,
        BiFunction<Record, Augmentation, Unlearner> factory) {
      this(id, title, paper, defaults, batches, factory, "");
    }

    /** An instance with {@code overrides} bound onto the defaults. */
    public Unlearner create(Map<String, String> overrides) {
      return factory.apply(OptionsBinder.bind(id, defaults, overrides), batches.augmentation());
    }

    /**
     * An instance with {@code options}, a record of the defaults' type (e.g.
     * {@code SfrOn.Options.defaults().withForgetAlpha(50)}); a one-line error for a record of another type.
     */
    public Unlearner create(Record options) {
      if (options == null || options.getClass() != defaults.getClass()) {
        throw new LetheException(id + " takes options of type " + defaults.getClass().getName().replace('$', '.')
            + ", not " + (options == null ? "null" : options.getClass().getName().replace('$', '.')));
      }
      return factory.apply(options, batches.augmentation());
    }

    /**
     * {@code params} with every key spelled as {@code lethe methods} lists it ({@code sgd.lr} becomes
     * {@code lr}), so that merging two maps (a recipe's winner, then the user's {@code --param}) replaces a
     * value however either spelled its key.
     */
    public Map<String, String> canonicalKeys(Map<String, String> params) {
      return OptionsBinder.canonicalKeys(id, defaults, params);
    }

    /** Whether the method can unlearn a task of {@code spec}'s kind ({@link Unlearner#supports}). */
    public boolean supports(ForgetSpec spec) {
      return factory.apply(defaults, batches.augmentation()).supports(spec);
    }
  }

  private static final String OPTML =
      "OPTML-Group code: its forget and retain loaders are copies of the augmented train set";

  private final Map<String, Method> methods = new LinkedHashMap<>();
  private final TrainConfig training;

  /**
   * The standard methods; {@code training} is the original's recipe, which retraining repeats. Methods that
   * keep checkpoints between runs (SISA's slices) keep them in memory only.
   */
  public MethodRegistry(TrainConfig training) {
    this(training, null);
  }

  /**
   * As {@link #MethodRegistry(TrainConfig)}, with methods keeping their checkpoints between runs under the
   * artifact store {@code store} (SISA's slices in {@code store/sisa}); null keeps them in memory only.
   */
  public MethodRegistry(TrainConfig training, Path store) {
    this.training = training;
    Path sisaCheckpoints = store == null ? null : store.resolve(Sisa.ID);
    add(new Method(Retrain.ID, "Retrain from scratch on the retain set (exact unlearning, the gold standard)",
        "Cao & Yang, S&P 2015", training, recipe("retraining repeats the original's recipe"),
        (o, a) -> new Retrain((TrainConfig) o)));
    add(new Method(Original.ID, "The original model, unchanged (the do-nothing bar)",
        "-", Original.Options.defaults(), clean("no training"), (o, a) -> new Original()));
    add(new Method(FineTune.ID, "Fine-tune on the retain set",
        "Warnecke et al., NDSS 2023; Jia et al., NeurIPS 2023", FineTune.Options.defaults(), recipe(OPTML),
        (o, a) -> new FineTune((FineTune.Options) o, a), NO_OP_DEFAULTS));
    add(new Method(GradientAscent.ID, "Gradient ascent on the forget set",
        "Thudi et al., EuroS&P 2022; Jia et al., NeurIPS 2023", GradientAscent.Options.defaults(), recipe(OPTML),
        (o, a) -> new GradientAscent((GradientAscent.Options) o, a), NO_OP_DEFAULTS));
    add(new Method(RandomLabels.ID, "Random labels on the forget set, interleaved with the retain set",
        "Golatkar et al., CVPR 2020; Fan et al. (SalUn), ICLR 2024", RandomLabels.Options.defaults(), recipe(OPTML),
        (o, a) -> new RandomLabels((RandomLabels.Options) o, a)));
    add(new Method(NegGradPlus.ID, "Retain descent plus weighted forget ascent",
        "Kurmanji et al. (SCRUB paper), NeurIPS 2023", NegGradPlus.Options.defaults(),
        clean("SCRUB's notebooks (meghdadk/SCRUB), whose negative_grad this ports, load with augment=False"),
        (o, a) -> new NegGradPlus((NegGradPlus.Options) o), NO_OP_DEFAULTS));
    add(new Method(SalUn.ID, "Weight-saliency mask plus random labels",
        "Fan et al. (SalUn), ICLR 2024", SalUn.Options.defaults(), recipe(OPTML + "; the mask reads clean images"),
        (o, a) -> new SalUn((SalUn.Options) o, a)));
    add(new Method(SfrOn.ID, "Fast-slow saliency forgetting in the remain-preserving manifold",
        "Huang et al. (SFR-on), NeurIPS 2024", SfrOn.Options.defaults(),
        recipe("SFR-on code: forget and retain sets are copies of the augmented train set; the mask reads clean"
            + " images"),
        (o, a) -> new SfrOn((SfrOn.Options) o, a), NO_OP_DEFAULTS));
    add(new Method(Scrub.ID, "Student-teacher: diverge from the original on the forget set, match it on the retain set",
        "Kurmanji et al., NeurIPS 2023", Scrub.Options.defaults(),
        clean("official notebooks (meghdadk/SCRUB) build the forget and retain loaders with augment=False"),
        (o, a) -> new Scrub((Scrub.Options) o), NO_OP_DEFAULTS));
    add(new Method(BadTeacher.ID, "Distil from a random-init teacher on the forget set, the original on the retain set",
        "Chundawat et al., AAAI 2023", BadTeacher.Options.defaults(),
        clean("official code (vikram2000b/bad-teaching-unlearning) has no crop or flip in its transforms"),
        (o, a) -> new BadTeacher((BadTeacher.Options) o)));
    add(new Method(L1Sparse.ID, "Fine-tune on the retain set with a decaying L1 penalty on all weights",
        "Jia et al., NeurIPS 2023", L1Sparse.Options.defaults(), recipe(OPTML + " (Unlearn-Sparse)"),
        (o, a) -> new L1Sparse((L1Sparse.Options) o, a)));
    add(new Method(InfluenceUnlearning.ID, "One-shot influence update with a WoodFisher inverse-Fisher approximation",
        "Koh & Liang, ICML 2017; Izzo et al., AISTATS 2021; Jia et al., NeurIPS 2023",
        InfluenceUnlearning.Options.defaults(),
        clean("no training steps; its gradient passes read clean images"),
        (o, a) -> new InfluenceUnlearning((InfluenceUnlearning.Options) o), NO_OP_DEFAULTS));
    add(new Method(BoundaryShrink.ID,
        "Boundary shrinking: fine-tune on the nearest wrong class found by FGSM",
        "Chen et al. (Boundary Unlearning), CVPR 2023", BoundaryShrink.Options.defaults(),
        recipe(OPTML + "; the attack that picks the labels reads clean images"),
        (o, a) -> new BoundaryShrink((BoundaryShrink.Options) o, a)));
    add(new Method(BoundaryExpand.ID,
        "Boundary expanding: move the forget set into a shadow class, then prune it",
        "Chen et al. (Boundary Unlearning), CVPR 2023", BoundaryExpand.Options.defaults(), recipe(OPTML),
        (o, a) -> new BoundaryExpand((BoundaryExpand.Options) o, a)));
    String amun = "AMUN code (Ali-E/AMUN): D_R and D_F through the augmented transform, D_A (attacked on clean"
        + " images) never augmented";
    add(new Method(Amun.ID, "Fine-tune on D_R, D_F and L2-PGD adversarial examples of D_F with their wrong labels",
        "Ebrahimpour-Boroojeny et al. (AMUN), ICML 2025", Amun.Options.defaults(), recipe(amun),
        (o, a) -> new Amun(Amun.ID, (Amun.Options) o, a), NO_OP_DEFAULTS));
    add(new Method(Amun.ID_ADV_ONLY, "AMUN without the forget set: fine-tune on D_R and the adversarial examples",
        "Ebrahimpour-Boroojeny et al. (AMUN), ICML 2025", Amun.Options.advOnlyDefaults(), recipe(amun),
        (o, a) -> new Amun(Amun.ID_ADV_ONLY, (Amun.Options) o, a), NO_OP_DEFAULTS));
    add(new Method(ManifSmc.ID,
        "Representation-space forgetting: push each forget sample off its retained-neighbour centroid, with"
            + " self-mode-connectivity margins",
        "Wang et al. (ManiF-SMC), KDD 2026", ManifSmc.Options.defaults(),
        clean("official code (wwq5-code/ManiF) materialises the unlearning images once, unaugmented"),
        (o, a) -> new ManifSmc((ManifSmc.Options) o)));
    add(new Method(Trw.ID, "Class unlearning: fine-tune forget-class outputs towards the original's tilted, renormalised distribution",
        "Ebrahimpour-Boroojeny, Wang & Sundaram (TRW), arXiv 2506.20893", Trw.Options.defaults(),
        recipe("no public code: the field's default, as OPTML; its targets read clean images"),
        (o, a) -> new Trw((Trw.Options) o, a)));
    add(new Method(ModHiFiU.ID,
        "Data-free class unlearning: zero the (output, input) channel components of highest fidelity to the forget"
            + " class, from forward passes on its images alone",
        "Kashyap et al. (ModHiFi), NeurIPS 2025", ModHiFiU.Options.defaults(),
        clean("no training steps; its forward passes read clean images"),
        (o, a) -> new ModHiFiU((ModHiFiU.Options) o)));
    add(new Method(Sisa.ID,
        "Exact unlearning by sharded, sliced training: retrain only the affected shards from their last"
            + " unaffected slice checkpoint; the shard models vote",
        "Bourtoule et al. (SISA), IEEE S&P 2021", Sisa.Options.defaults(),
        recipe("its shard models train with the original's recipe, as retraining does"),
        (o, a) -> new Sisa((Sisa.Options) o, training, sisaCheckpoints)));
    add(new Method(Laf.ID,
        "Label-agnostic: VAEs of the remain and forget embeddings, push forget embeddings off theirs, align remain"
            + " embeddings with the original (no labels; repair=true is LAF+R)",
        "Shen et al. (LAF), ICLR 2024", Laf.Options.defaults(),
        recipe("official code (ShaofeiShen768/LAF): its unlearning loaders carry the training transform; the VAEs"
            + " read clean embeddings"),
        (o, a) -> new Laf((Laf.Options) o, a), NO_OP_DEFAULTS));
    add(new Method(Dmm.ID,
        "Datamodel matching: predict the retrained logits by TRAK attribution (the original alone, or with"
            + " checkpoints > 1 TRAK's ensemble of originals trained at training time), then fine-tune to match them"
            + " on the forget set and a retain sample",
        "Georgiev et al. (Attribute-to-Delete, DMM), ICLR 2025; TRAK: Park et al., ICML 2023", Dmm.Options.defaults(),
        clean("the targets are outputs on clean images"), (o, a) -> new Dmm((Dmm.Options) o)));
    add(new Method(OracleMatching.ID,
        "Oracle matching: fine-tune so the logits on the forget set and a retain sample match the mean of retrained"
            + " models (NEEDS RETRAINED MODELS: an upper bound, not a practical method)",
        "Georgiev et al. (Attribute-to-Delete, DMM), ICLR 2025", OracleMatching.Options.defaults(),
        clean("the targets are the retrained models' outputs on clean images"),
        (o, a) -> new OracleMatching((OracleMatching.Options) o)));
    try {
      for (MethodProvider provider : ServiceLoader.load(MethodProvider.class)) {
        addAll(provider);
      }
    } catch (ServiceConfigurationError e) {
      throw new LetheException("cannot load a method provider listed in META-INF/services/"
          + MethodProvider.class.getName() + ": " + e.getMessage());
    }
    for (MethodProvider provider : REGISTERED) {
      addAll(provider);
    }
  }

  /** A registration of {@link #register}; closing it removes the provider from registries made afterwards. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Adds {@code provider}'s methods to every registry made from now on (until the registration is closed), beside
   * the built-in ones and those found by {@link ServiceLoader}. Its methods are checked here against a registry of
   * the default recipe, so a clashing or malformed id fails now, on one line.
   */
  public static Registration register(MethodProvider provider) {
    java.util.Objects.requireNonNull(provider, "provider");
    REGISTERED.add(provider);
    try {
      new MethodRegistry(TrainConfig.DEFAULT);
    } catch (RuntimeException e) {
      REGISTERED.remove(provider);
      throw e;
    }
    return () -> REGISTERED.remove(provider);
  }

  /** Batches augmented as the training recipe says. */
  private BatchAugmentation recipe(String why) {
    return BatchAugmentation.ofRecipe(training, why);
  }

  /** Batches never augmented. */
  private static BatchAugmentation clean(String why) {
    return BatchAugmentation.never(why);
  }

  private void add(Method method) {
    methods.put(method.id(), method);
  }

  /** Adds a provider's methods, rejecting an id that is malformed or already taken. */
  private void addAll(MethodProvider provider) {
    String by = provider.getClass().getName();
    List<Method> added = provider.methods(training);
    if (added == null) {
      throw new LetheException("method provider " + by + " returned no list of methods: return an empty list instead");
    }
    for (Method m : added) {
      if (m.id() == null || !ID.matcher(m.id()).matches()) {
        throw new LetheException("method id '" + m.id() + "' of provider " + by
            + " must be lower-case letters, digits, '+', '_' or '-', starting with a letter or digit");
      }
      if (methods.containsKey(m.id())) {
        throw new LetheException("method id '" + m.id() + "' of provider " + by
            + " is already registered: give the method another id");
      }
      add(m);
    }
  }

  /** All methods in registration order (retrain first). */
  public List<Method> all() {
    return new ArrayList<>(methods.values());
  }

  /** All method ids in registration order. */
  public List<String> ids() {
    return new ArrayList<>(methods.keySet());
  }

  /**
   * The methods {@code bench} and {@code tune} run when {@code --methods} is not given: every one but those
   * {@link #optIn} names, which run only when named.
   */
  public List<String> defaultIds() {
    return methods.keySet().stream().filter(id -> !OPT_IN.containsKey(id)).toList();
  }

  /** Why method {@code id} runs only when named in {@code --methods}, or empty when it runs by default. */
  public String optIn(String id) {
    return OPT_IN.getOrDefault(id, "");
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
   * A {@code method.key} (the part of a {@code --param} or {@code --grid} before {@code =}) split after the
   * registered id it starts with; the key may be dotted ({@code sfr-on.sgd.lr}).
   *
   * @param method the method's id
   * @param key the rest, empty when nothing follows the dot
   */
  public record MethodKey(String method, String key) {}

  /**
   * {@code text} split into its method and key ({@link MethodKey}): after the longest registered id it starts
   * with followed by a dot; a one-line error listing the known ids when it starts with none.
   */
  public MethodKey methodKey(String text) {
    String id = null;
    for (String m : methods.keySet()) {
      if (text.startsWith(m + ".") && (id == null || m.length() > id.length())) {
        id = m;
      }
    }
    if (id == null) {
      int dot = text.indexOf('.');
      get(dot < 0 ? text : text.substring(0, dot)); // an unknown method: a one-line error listing the ids
      throw new LetheException("'" + text + "' names no key: write method.key, e.g. ga.lr");
    }
    return new MethodKey(id, text.substring(id.length() + 1));
  }

  /**
   * Parses {@code method.key=value} overrides, grouped by method. Unknown methods are rejected here;
   * unknown keys when the method is bound.
   */
  public Map<String, Map<String, String>> parseOverrides(List<String> params) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String p : params) {
      int eq = p.indexOf('=');
      MethodKey mk = eq < 0 || p.lastIndexOf('.', eq) <= 0 ? null : methodKey(p.substring(0, eq));
      if (mk == null || mk.key().isEmpty()) {
        throw new LetheException(
            "malformed --param '" + p + "': write method.key=value, e.g. ga.lr=0.001");
      }
      String method = mk.method();
      String previous =
          out.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(mk.key(), p.substring(eq + 1));
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
