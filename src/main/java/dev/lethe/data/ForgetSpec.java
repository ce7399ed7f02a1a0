package dev.lethe.data;

import dev.lethe.LetheException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * What the user asks to forget ({@code --forget SPEC}): a random fraction or count of the training
 * pool, every sample of one class, or the ids listed in a file. {@link ForgetTask#derive} turns a spec
 * into concrete forget and retain sets. {@link #text()} is canonical and parses back to an equal spec.
 */
public sealed interface ForgetSpec
    permits ForgetSpec.RandomFraction, ForgetSpec.RandomCount, ForgetSpec.ClassForget, ForgetSpec.IdList {

  /**
   * Parses {@code random:0.1} (a fraction, written with a '.', strictly between 0 and 1),
   * {@code random:600} (a count, at least 1), {@code class:Sandal} or {@code class:5}, and
   * {@code ids:path/to/file.txt}. The kind is case-insensitive; spaces around the parts are ignored.
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
      case "class" -> new ClassForget(value);
      case "ids" -> new IdList(parsePath(spec, value));
      default -> throw invalid(spec, "unknown kind '" + kind + "' (known kinds: random, class, ids)");
    };
  }

  /** The canonical text of this spec; {@code parse(text())} equals this spec. */
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
   * Forget every training-pool sample of one class.
   *
   * @param nameOrIndex a class name ({@code Sandal}) or index ({@code 5}), resolved by
   *     {@link Dataset#classIndex}; surrounding spaces are dropped
   */
  record ClassForget(String nameOrIndex) implements ForgetSpec {
    /** Rejects a missing or blank class. */
    public ClassForget {
      if (nameOrIndex == null || nameOrIndex.isBlank()) {
        throw invalid("class:", "the class name or index is missing");
      }
      nameOrIndex = nameOrIndex.strip();
    }

    @Override
    public String text() {
      return "class:" + nameOrIndex;
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
        + "; valid specs look like random:0.1, random:600, class:Sandal, class:5 or ids:forget-ids.txt");
  }
}
