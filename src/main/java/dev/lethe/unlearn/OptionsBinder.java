package dev.lethe.unlearn;

import dev.lethe.Doc;
import dev.lethe.LetheException;
import dev.lethe.train.Augmentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds {@code --param method.key=value} overrides onto a method's options record: the record's component
 * names are the keys, its defaults are the values not overridden, and its compact constructor validates the
 * result. Unknown keys and unparsable values are one-line errors listing what is accepted.
 */
public final class OptionsBinder {
  private OptionsBinder() {}

  /** A copy of {@code defaults} with {@code overrides} (key to text value) applied. */
  public static <R extends Record> R bind(String method, R defaults, Map<String, String> overrides) {
    RecordComponent[] components = defaults.getClass().getRecordComponents();
    Object[] values = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    Map<String, String> pending = new LinkedHashMap<>(overrides);
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      types[i] = c.getType();
      String text = pending.remove(c.getName());
      values[i] = text == null ? read(c, defaults) : parse(method, c, text);
    }
    if (!pending.isEmpty()) {
      throw new LetheException(
          "unknown parameter '" + method + "." + pending.keySet().iterator().next() + "': "
              + method + " accepts " + String.join(", ", names(defaults)));
    }
    try {
      @SuppressWarnings("unchecked")
      R bound = (R) defaults.getClass().getDeclaredConstructor(types).newInstance(values);
      return bound;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The record's values by component name, in declaration order (for results and help). An augmentation of
   * {@code none} is left out, as in {@link dev.lethe.train.TrainConfig}'s JSON, so the result keys of
   * unaugmented recipes (whose retrain params are these values) stay what they were before augmentation.
   */
  public static Map<String, Object> values(Record options) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : options.getClass().getRecordComponents()) {
      Object value = read(c, options);
      if (value != Augmentation.NONE) {
        out.put(c.getName(), value);
      }
    }
    return out;
  }

  /** The documentation of each component, by name. */
  public static Map<String, String> docs(Record options) {
    Map<String, String> out = new LinkedHashMap<>();
    for (RecordComponent c : options.getClass().getRecordComponents()) {
      Doc doc = c.getAnnotation(Doc.class);
      out.put(c.getName(), doc == null ? "" : doc.value());
    }
    return out;
  }

  private static List<String> names(Record options) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : options.getClass().getRecordComponents()) {
      out.add(c.getName());
    }
    return out;
  }

  private static Object read(RecordComponent c, Record options) {
    try {
      return c.getAccessor().invoke(options);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object parse(String method, RecordComponent c, String text) {
    Class<?> t = c.getType();
    String trimmed = text.trim();
    try {
      if (t == int.class) {
        return Integer.parseInt(trimmed);
      }
      if (t == long.class) {
        return Long.parseLong(trimmed);
      }
      if (t == double.class) {
        double v = Double.parseDouble(trimmed);
        if (!Double.isFinite(v)) {
          throw new NumberFormatException();
        }
        return v;
      }
      if (t == boolean.class) {
        if (!trimmed.equals("true") && !trimmed.equals("false")) {
          throw new NumberFormatException();
        }
        return Boolean.parseBoolean(trimmed);
      }
      if (t == String.class) {
        return trimmed;
      }
      if (t == Augmentation.class) {
        return Augmentation.parse(trimmed);
      }
    } catch (NumberFormatException e) {
      throw new LetheException(
          "parameter " + method + "." + c.getName() + " must be a " + t.getSimpleName()
              + ", got '" + text + "'");
    }
    throw new IllegalStateException("unsupported option type " + t);
  }
}
