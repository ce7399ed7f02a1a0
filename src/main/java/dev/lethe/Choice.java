package dev.lethe;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An enum of options a user picks by name (a learning-rate schedule, a mask mode, an attack): each constant's
 * {@link #id} is what the command line, recipes and result JSON spell, and {@link #parse} turns such a name
 * back into the constant, or into a one-line error listing the allowed names.
 */
public interface Choice {
  /** The constant's name in the enum (every enum has it). */
  String name();

  /** The name users write and JSON holds: the constant's name in lower case unless the enum says otherwise. */
  default String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant of {@code type} whose {@link #id} is {@code text}; otherwise a one-line error naming
   * {@code what} is being set and the allowed values, e.g. {@code unknown value 'foo' for salun.maskMode: use
   * grad_only or hard_freeze}.
   */
  static <E extends Choice> E parse(Class<E> type, String what, String text) {
    for (E e : type.getEnumConstants()) {
      if (e.id().equals(text)) {
        return e;
      }
    }
    throw new LetheException("unknown value '" + text + "' for " + what + ": use " + ids(type));
  }

  /** The allowed values of {@code type} as a reader would list them: {@code cosine, step or constant}. */
  static String ids(Class<? extends Choice> type) {
    return oneOf(Arrays.stream(type.getEnumConstants()).map(Choice::id).toList());
  }

  /** {@code names} as alternatives in a message: {@code a}, {@code a or b}, {@code a, b or c}. */
  static String oneOf(List<String> names) {
    return names.size() <= 1
        ? String.join("", names)
        : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
  }
}
