package dev.lethe.data;

import dev.lethe.LetheException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What the user asks to forget ({@code --forget SPEC}, or one of the factories below from Java): a random
 * fraction or count of the training pool, every sample of some classes, or a list of stable ids, from a file
 * or in memory, or a batch that was poisoned ({@link Poison}: the training pool itself carries the poison, so the
 * original and RT train on a poisoned copy of it, see {@link Poisoning}). {@link ForgetTask#derive} turns a spec
 * into concrete forget and retain sets. {@link #text()} is
 * canonical and, for every spec but an in-memory id list, parses back to an equal spec.
 */
public sealed interface ForgetSpec
    permits ForgetSpec.RandomFraction, ForgetSpec.RandomCount, ForgetSpec.ClassForget, ForgetSpec.IdList,
        ForgetSpec.IdSet, ForgetSpec.Poison, ForgetSpec.WorstCase {

  /** Forget {@code round(fraction × pool size)} random samples ({@code random:0.1}); fraction in (0, 1). */
  static ForgetSpec fraction(double fraction) {
    return new RandomFraction(fraction);
  }

  /** Forget {@code count} random samples ({@code random:600}); at least 1. */
  static ForgetSpec count(int count) {
    return new RandomCount(count);
  }

  /** Forget every sample of the given class indices ({@code class:3}, {@code class:3,5}); at least one, each once. */
  static ForgetSpec classes(int... classes) {
    if (classes == null || classes.length == 0) {
      throw invalid("class:", "name at least one class");
    }
    List<String> names = new ArrayList<>();
    for (int c : classes) {
      names.add(Integer.toString(c));
    }
    return new ClassForget(names);
  }

  /**
   * Forget the samples with these stable ids (indices in the training file), as an {@code ids:} file listing
   * them would: the forget set, and so every cell key and artifact derived from it, is the same.
   */
  static ForgetSpec ids(int... ids) {
    return new IdSet(ids);
  }

  /**
   * Parses {@code random:0.1} (a fraction, written with a '.', strictly between 0 and 1),
   * {@code random:600} (a count, at least 1), {@code class:Sandal} or {@code class:5} (several classes
   * comma-separated: {@code class:3,5}), {@code ids:path/to/file.txt}, {@code backdoor:K} (options after commas:
   * {@code target=CLASS}, {@code size=PIXELS}, {@code corner=br|bl|tr|tl}), {@code labelflip:K} and the
   * worst-case sets {@code worst:0.1} / {@code worst:600}. The kind is
   * case-insensitive; spaces around the parts are ignored.
   *
   * @throws LetheException on anything else, with examples of valid specs
   */
  static ForgetSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw invalid(String.valueOf(text), "it is empty");
    }
    String spec = text.strip();
    int colon = spec.indexOf(':');
    if (colon < 0) {
      throw invalid(spec, "expected KIND:VALUE");
    }
    String kind = spec.substring(0, colon).strip().toLowerCase(Locale.ROOT);
    String value = spec.substring(colon + 1).strip();
    if (value.isEmpty()) {
      throw invalid(spec, "the value after ':' is missing");
    }
    return switch (kind) {
      case "random" -> parseRandom(spec, value);
      case "class" -> new ClassForget(Arrays.stream(value.split(",", -1)).map(String::strip).toList());
      case "ids" -> new IdList(parsePath(spec, value));
      case "backdoor" -> parseBackdoor(spec, value);
      case "labelflip" -> new LabelFlip(parseCount(spec, value));
      case "worst" -> parseWorst(spec, value);
      default -> throw invalid(spec, "unknown kind '" + kind + "' (known kinds: random, class, ids, worst, backdoor, labelflip)");
    };
  }

  /**
   * The canonical text of this spec; {@code parse(text())} equals this spec, except for an in-memory
   * {@link IdSet}, whose text names its size and ids hash instead.
   */
  String text();

  /**
   * {@code text} with every character other than an ASCII letter, a digit, '.', '_' or '-' replaced by '-':
   * a spec (or a name built from one) as part of a file name, such as {@code random-0.1}.
   */
  static String fileSafe(String text) {
    return text.replaceAll("[^A-Za-z0-9._-]", "-");
  }

  /**
   * Forget a random fraction of the training pool, rounded to the nearest count.
   *
   * @param fraction strictly between 0 and 1
   */
  record RandomFraction(double fraction) implements ForgetSpec {
    /** Rejects fractions outside (0, 1). */
    public RandomFraction {
      if (!(fraction > 0 && fraction < 1)) {
        throw invalid("random:" + fraction, "the fraction must be strictly between 0 and 1");
      }
    }

    @Override
    public String text() {
      return "random:" + fraction;
    }
  }

  /**
   * Forget a random number of samples of the training pool.
   *
   * @param count at least 1
   */
  record RandomCount(int count) implements ForgetSpec {
    /** Rejects counts below 1. */
    public RandomCount {
      if (count < 1) {
        throw invalid("random:" + count, "the count must be at least 1");
      }
    }

    @Override
    public String text() {
      return "random:" + count;
    }
  }

  /**
   * Forget every training-pool sample of some classes.
   *
   * @param classes class names ({@code Sandal}) or indices ({@code 5}), resolved by {@link Dataset#classIndex};
   *     at least one, none blank, surrounding spaces dropped
   */
  record ClassForget(List<String> classes) implements ForgetSpec {
    /** Rejects a missing or blank class. */
    public ClassForget {
      if (classes == null || classes.isEmpty() || classes.stream().anyMatch(c -> c == null || c.isBlank())) {
        throw invalid("class:" + (classes == null ? "" : String.join(",", classes)),
            "a class name or index is missing");
      }
      classes = classes.stream().map(String::strip).toList();
    }

    /** Forget every sample of one class. */
    public ClassForget(String nameOrIndex) {
      this(nameOrIndex == null ? null : List.of(nameOrIndex));
    }

    @Override
    public String text() {
      return "class:" + String.join(",", classes);
    }
  }

  /**
   * Forget the samples whose stable ids a text file lists, one per line.
   *
   * @param file the id file; read when the task is derived
   */
  record IdList(Path file) implements ForgetSpec {
    /** Rejects a missing path. */
    public IdList {
      Objects.requireNonNull(file, "file");
    }

    @Override
    public String text() {
      return "ids:" + file;
    }
  }

  /**
   * Forget the samples with these stable ids, given in memory ({@link ForgetSpec#ids}): the same forget set as
   * an {@link IdList} file of the same ids. Held sorted.
   *
   * @param ids at least one id, each once
   */
  record IdSet(int[] ids) implements ForgetSpec {
    /** Rejects an empty list and an id given twice. */
    public IdSet {
      if (ids == null || ids.length == 0) {
        throw invalid("ids:", "the id list is empty; give at least one id");
      }
      ids = ids.clone();
      Arrays.sort(ids);
      for (int i = 1; i < ids.length; i++) {
        if (ids[i] == ids[i - 1]) {
          throw invalid("ids:", "id " + ids[i] + " is listed twice; list each id once");
        }
      }
    }

    /** The ids, ascending; a copy. */
    @Override
    public int[] ids() {
      return ids.clone();
    }

    /** {@code ids[N ids, sha256 HASH12]}: the count and the start of {@link IdFile#hashOf} the ids. */
    @Override
    public String text() {
      return "ids[" + ids.length + " ids, sha256 " + IdFile.hashOf(ids).substring(0, 12) + "]";
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof IdSet set && Arrays.equals(ids, set.ids);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
      return "IdSet" + text().substring(3);
    }
  }

  /**
   * A poisoned batch to remove: {@code count} training-pool images whose training copy was tampered with
   * ({@link Poisoning} derives the poisoned pool). Forgetting it is what a security team asks for.
   */
  sealed interface Poison extends ForgetSpec permits Backdoor, LabelFlip {
    /** How many pool images are poisoned (and then forgotten). */
    int count();
  }

  /** The trigger corners of {@link Backdoor}: bottom-right, bottom-left, top-right, top-left. */
  enum Corner {
    BR, BL, TR, TL
  }

  /**
   * A BadNets-style backdoor (Gu et al., 2017): {@code count} pool images of classes other than {@code target}
   * carry a white {@code size}×{@code size} square one pixel in from {@code corner} and the label {@code target}.
   *
   * @param count at least 1
   * @param target the target class, by name or index ({@link Dataset#classIndex}); default {@code 0}
   * @param size the trigger's side in pixels, at least 1; default 3
   * @param corner where the trigger sits; default bottom-right
   */
  record Backdoor(int count, String target, int size, Corner corner) implements Poison {
    /** The defaults of the options {@code backdoor:K} leaves out. */
    public static final String DEFAULT_TARGET = "0";
    /** The trigger side {@code backdoor:K} uses. */
    public static final int DEFAULT_SIZE = 3;

    /** Rejects a count or size below 1 and a blank target. */
    public Backdoor {
      if (count < 1) {
        throw invalid("backdoor:" + count, "the count must be at least 1");
      }
      if (size < 1) {
        throw invalid("backdoor:" + count + ",size=" + size, "the trigger size must be at least 1 pixel");
      }
      if (target == null || target.isBlank()) {
        throw invalid("backdoor:" + count + ",target=", "the target class is missing");
      }
      target = target.strip();
      Objects.requireNonNull(corner, "corner");
    }

    /** {@code count} images with the default trigger and target. */
    public Backdoor(int count) {
      this(count, DEFAULT_TARGET, DEFAULT_SIZE, Corner.BR);
    }

    /** {@code backdoor:K}, then every option that is not the default, in a fixed order. */
    @Override
    public String text() {
      return "backdoor:" + count + (target.equals(DEFAULT_TARGET) ? "" : ",target=" + target)
          + (size == DEFAULT_SIZE ? "" : ",size=" + size)
          + (corner == Corner.BR ? "" : ",corner=" + corner.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Label noise: {@code count} pool images keep their pixels but carry a wrong label, drawn uniformly from the
   * other classes.
   *
   * @param count at least 1
   */
  record LabelFlip(int count) implements Poison {
    /** Rejects a count below 1. */
    public LabelFlip {
      if (count < 1) {
        throw invalid("labelflip:" + count, "the count must be at least 1");
      }
    }

    @Override
    public String text() {
      return "labelflip:" + count;
    }
  }

  /**
   * The hardest forget set of a given size for the original model (Fan et al., "Challenging Forgets: Unveiling the
   * Worst-Case Forget Sets in Machine Unlearning", ECCV 2024): found by a bi-level search that needs the model, so
   * an experiment derives it ({@code Experiment.task}), not the pool alone.
   *
   * @param fraction strictly between 0 and 1, or 0 when {@code count} gives the size
   * @param count at least 1, or 0 when {@code fraction} gives the size
   */
  record WorstCase(double fraction, int count) implements ForgetSpec {
    /** Rejects a size given twice, not at all, or out of range. */
    public WorstCase {
      if ((fraction == 0) == (count == 0)) {
        throw invalid("worst:", "give either a fraction like 0.1 or a count like 600");
      }
      if (count == 0 && !(fraction > 0 && fraction < 1)) {
        throw invalid("worst:" + fraction, "the fraction must be strictly between 0 and 1");
      }
      if (fraction == 0 && count < 1) {
        throw invalid("worst:" + count, "the count must be at least 1");
      }
    }

    /** How many of {@code poolSize} samples the set holds: the count, or the rounded fraction of the pool. */
    public int size(int poolSize) {
      return count > 0 ? count : (int) Math.round(fraction * poolSize);
    }

    @Override
    public String text() {
      return "worst:" + (count > 0 ? Integer.toString(count) : Double.toString(fraction));
    }
  }

  private static WorstCase parseWorst(String spec, String value) {
    ForgetSpec size = parseRandom(spec, value);
    return size instanceof RandomFraction f ? new WorstCase(f.fraction(), 0)
        : new WorstCase(0, ((RandomCount) size).count());
  }

  private static Backdoor parseBackdoor(String spec, String value) {
    String[] parts = value.split(",", -1);
    int count = parseCount(spec, parts[0].strip());
    String target = Backdoor.DEFAULT_TARGET;
    int size = Backdoor.DEFAULT_SIZE;
    Corner corner = Corner.BR;
    Set<String> seen = new HashSet<>();
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      String key = kv[0].strip().toLowerCase(Locale.ROOT);
      if (kv.length != 2 || kv[1].isBlank()) {
        throw invalid(spec, "option '" + parts[i].strip() + "' is not NAME=VALUE (backdoor options: target, size, corner)");
      }
      if (!seen.add(key)) {
        throw invalid(spec, "option " + key + " is given twice");
      }
      String v = kv[1].strip();
      switch (key) {
        case "target" -> target = v;
        case "size" -> {
          if (!v.matches("\\d{1,4}")) {
            throw invalid(spec, "the trigger size '" + v + "' is not a whole number of pixels");
          }
          size = Integer.parseInt(v);
        }
        case "corner" -> {
          try {
            corner = Corner.valueOf(v.toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            throw invalid(spec, "unknown corner '" + v + "' (corners: br, bl, tr, tl)");
          }
        }
        default -> throw invalid(spec, "unknown option '" + key + "' (backdoor options: target, size, corner)");
      }
    }
    return new Backdoor(count, target, size, corner);
  }

  private static int parseCount(String spec, String value) {
    if (!value.matches("\\d+")) {
      throw invalid(spec, "'" + value + "' is not a count of images like 100");
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw invalid(spec, "the count " + value + " is too large");
    }
  }

  private static ForgetSpec parseRandom(String spec, String value) {
    if (value.matches("\\d+")) {
      try {
        return new RandomCount(Integer.parseInt(value));
      } catch (NumberFormatException e) {
        throw invalid(spec, "the count " + value + " is too large");
      }
    }
    if (value.matches("(\\d+\\.\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
      return new RandomFraction(Double.parseDouble(value));
    }
    throw invalid(spec, "'" + value + "' is neither a fraction like 0.1 nor a count like 600");
  }

  private static Path parsePath(String spec, String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw invalid(spec, "'" + value + "' is not a valid path (" + e.getReason() + ")");
    }
  }

  private static LetheException invalid(String spec, String reason) {
    return new LetheException("invalid forget spec '" + spec + "': " + reason
        + "; valid specs look like random:0.1, random:600, class:Sandal, class:5, class:3,5, ids:forget-ids.txt,"
        + " worst:0.1, worst:600, backdoor:100, backdoor:100,target=Sandal,size=4,corner=tl or labelflip:100");
  }
}
