package dev.lethe.unlearn;

import dev.lethe.Choice;
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
 * Binds {@code --param method.key=value} overrides (and recipe winners) onto a method's options record, and
 * turns a record into the flat JSON of result rows. The keys are the record's component names; a component
 * that is itself a record (a method's {@link SgdOptions}) contributes its fields under dotted keys
 * ({@code sfr-on.sgd.lr}), which may also be written short ({@code sfr-on.lr}) when no other field has that
 * name. A key that is a field's full path always means that field. The record's values are the defaults not
 * overridden, its compact constructor validates the result, {@link Choice} fields are parsed by their ids, and
 * unknown, ambiguous or repeated keys and unparsable values are one-line errors saying what is accepted.
 */
public final class OptionsBinder {
  private OptionsBinder() {}

  /**
   * One field of an options record, as {@code lethe methods} lists it.
   *
   * @param key the shortest key {@code --param} accepts for it ({@code lr} rather than {@code sgd.lr})
   * @param value a number, a boolean or a string (a {@link Choice} as its id)
   * @param doc what it does (its {@link Doc}, or its holder's {@link SgdOptions.Docs} for an SGD field)
   */
  public record Param(String key, Object value, String doc) {}

  /** A field that is no record, reached from the top record through {@code chain}; {@code path} joins their names. */
  private record Leaf(String path, List<RecordComponent> chain) {
    RecordComponent component() {
      return chain.get(chain.size() - 1);
    }

    /** The component holding this field's record, or null for a field of the top record. */
    RecordComponent holder() {
      return chain.size() < 2 ? null : chain.get(chain.size() - 2);
    }

    Object read(Record options) {
      Object value = options;
      for (RecordComponent c : chain) {
        value = OptionsBinder.read(c, (Record) value);
      }
      return value;
    }
  }

  /** What a caller wrote for one field: the key as spelled and the text. */
  private record Given(String key, String text) {}

  /** A copy of {@code defaults} with {@code overrides} (key to text value) applied. */
  public static <R extends Record> R bind(String method, R defaults, Map<String, String> overrides) {
    Map<String, Given> given = given(method, leaves(defaults.getClass()), overrides);
    @SuppressWarnings("unchecked")
    R bound = (R) build(method, defaults, "", given);
    return bound;
  }

  /**
   * {@code overrides} with every key spelled as {@link Param#key} (so {@code sgd.lr} and {@code lr} become the
   * same key and a later map can replace an earlier one's value); the same errors as {@link #bind}.
   */
  public static Map<String, String> canonicalKeys(String method, Record defaults, Map<String, String> overrides) {
    List<Leaf> leaves = leaves(defaults.getClass());
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Given> e : given(method, leaves, overrides).entrySet()) {
      out.put(key(matches(e.getKey(), leaves).get(0), leaves), e.getValue().text());
    }
    return out;
  }

  /**
   * The record's values by key ({@link Param#key}), in declaration order, nested fields in their holder's
   * place: the JSON of result rows, which cell keys hash. An augmentation of {@code none} is left out, as in
   * {@link dev.lethe.train.TrainConfig}'s JSON, so the result keys of unaugmented recipes (whose retrain params
   * are these values) stay what they were before augmentation; so are the fields an {@link OmittedAtDefault}
   * names while they hold their default.
   */
  public static Map<String, Object> values(Record options) {
    List<Leaf> leaves = leaves(options.getClass());
    Map<String, Object> out = new LinkedHashMap<>();
    for (Leaf leaf : leaves) {
      Object value = leaf.read(options);
      if (value != Augmentation.NONE && !omittedAtDefault(leaf, value, options)) {
        out.put(key(leaf, leaves), plain(value));
      }
    }
    return out;
  }

  /** Every field of the record, in the order of {@link #values}, with its documentation (for help). */
  public static List<Param> params(Record options) {
    List<Leaf> leaves = leaves(options.getClass());
    List<Param> out = new ArrayList<>();
    for (Leaf leaf : leaves) {
      out.add(new Param(key(leaf, leaves), plain(leaf.read(options)), doc(leaf)));
    }
    return out;
  }

  private static List<Leaf> leaves(Class<?> type) {
    List<Leaf> out = new ArrayList<>();
    collect(type, "", List.of(), out);
    return out;
  }

  private static void collect(Class<?> type, String prefix, List<RecordComponent> chain, List<Leaf> out) {
    for (RecordComponent c : type.getRecordComponents()) {
      List<RecordComponent> next = new ArrayList<>(chain);
      next.add(c);
      if (c.getType().isRecord()) {
        collect(c.getType(), prefix + c.getName() + ".", next, out);
      } else {
        out.add(new Leaf(prefix + c.getName(), List.copyOf(next)));
      }
    }
  }

  /** The fields {@code key} names: the one whose path it is, else every one whose path ends with {@code .key}. */
  private static List<Leaf> matches(String key, List<Leaf> leaves) {
    for (Leaf leaf : leaves) {
      if (leaf.path().equals(key)) {
        return List.of(leaf);
      }
    }
    return leaves.stream().filter(l -> l.path().endsWith("." + key)).toList();
  }

  /** The shortest tail of {@code leaf}'s path (whole names) that names it alone; at worst the full path. */
  private static String key(Leaf leaf, List<Leaf> leaves) {
    String path = leaf.path();
    int dot = path.length();
    while (true) {
      dot = path.lastIndexOf('.', dot - 1);
      String key = path.substring(dot + 1);
      List<Leaf> found = matches(key, leaves);
      if (dot < 0 || found.size() == 1 && found.get(0).path().equals(path)) {
        return key;
      }
    }
  }

  /** {@code overrides} by the path of the field each names; unknown, ambiguous and repeated keys are errors. */
  private static Map<String, Given> given(String method, List<Leaf> leaves, Map<String, String> overrides) {
    Map<String, Given> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String key = e.getKey();
      List<Leaf> found = matches(key, leaves);
      if (found.isEmpty()) {
        List<String> keys = leaves.stream().map(l -> key(l, leaves)).toList();
        throw new LetheException("unknown parameter '" + method + "." + key + "': " + method
            + (keys.isEmpty() ? " takes no parameters" : " accepts " + String.join(", ", keys)));
      }
      if (found.size() > 1) {
        throw new LetheException("ambiguous parameter '" + method + "." + key + "': write "
            + Choice.oneOf(found.stream().map(l -> method + "." + l.path()).toList()));
      }
      Given previous = out.put(found.get(0).path(), new Given(key, e.getValue()));
      if (previous != null) {
        throw new LetheException("parameter " + method + "." + found.get(0).path() + " is given twice ("
            + previous.key() + "=" + previous.text() + " and " + key + "=" + e.getValue() + "): pass it once");
      }
    }
    return out;
  }

  /** {@code current} with the {@code given} fields under {@code prefix} replaced; itself if there are none. */
  private static Record build(String method, Record current, String prefix, Map<String, Given> given) {
    RecordComponent[] components = current.getClass().getRecordComponents();
    Object[] values = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    boolean changed = false;
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      types[i] = c.getType();
      Object value = read(c, current);
      if (c.getType().isRecord()) {
        Object nested = build(method, (Record) value, prefix + c.getName() + ".", given);
        changed |= nested != value;
        value = nested;
      } else if (given.containsKey(prefix + c.getName())) {
        value = parse(method, given.get(prefix + c.getName()), c.getType());
        changed = true;
      }
      values[i] = value;
    }
    if (!changed) {
      return current;
    }
    try {
      return (Record) current.getClass().getDeclaredConstructor(types).newInstance(values);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code leaf} is named by its holder's {@link OmittedAtDefault} and holds its default. */
  private static boolean omittedAtDefault(Leaf leaf, Object value, Record options) {
    OmittedAtDefault omitted = leaf.holder() == null ? null : leaf.holder().getAnnotation(OmittedAtDefault.class);
    if (omitted == null || !List.of(omitted.value()).contains(leaf.component().getName())) {
      return false;
    }
    try {
      return value.equals(leaf.read((Record) options.getClass().getMethod("defaults").invoke(null)));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(options.getClass() + " has an @OmittedAtDefault but no static defaults()", e);
    }
  }

  private static String doc(Leaf leaf) {
    Doc doc = leaf.component().getAnnotation(Doc.class);
    String text = doc == null ? "" : doc.value();
    SgdOptions.Docs specific = leaf.holder() == null ? null : leaf.holder().getAnnotation(SgdOptions.Docs.class);
    if (specific != null) {
      try {
        String own = (String) SgdOptions.Docs.class.getMethod(leaf.component().getName()).invoke(specific);
        return own.isEmpty() ? text : own;
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("SgdOptions.Docs has no element for " + leaf.path(), e);
      }
    }
    return text;
  }

  /** A value as JSON and help show it: a {@link Choice} by its id. */
  private static Object plain(Object value) {
    return value instanceof Choice choice ? choice.id() : value;
  }

  private static Object read(RecordComponent c, Record options) {
    try {
      return c.getAccessor().invoke(options);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object parse(String method, Given given, Class<?> t) {
    String name = method + "." + given.key();
    String trimmed = given.text().trim();
    if (Choice.class.isAssignableFrom(t)) {
      return Choice.parse(t.asSubclass(Choice.class), name, trimmed);
    }
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
    } catch (NumberFormatException e) {
      throw new LetheException(
          "parameter " + name + " must be a " + t.getSimpleName() + ", got '" + given.text() + "'");
    }
    throw new IllegalStateException("unsupported option type " + t);
  }
}
