package dev.lethe.unlearn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.Choice;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.method.FineTune;
import dev.lethe.unlearn.method.GradientAscent;
import dev.lethe.unlearn.method.Retrain;
import dev.lethe.unlearn.method.SfrOn;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a Java user builds options with: every method's record has a {@code static defaults()} (the registry's
 * defaults) and, for every component, a {@code with*} method that changes exactly that component.
 */
class OptionsRecordsTest {
  private static final MethodRegistry REGISTRY =
      new MethodRegistry(new TrainConfig(40, 128, 0.02, 0.9, 5e-4, LrSchedule.COSINE));

  /** Every options record but retrain's (its defaults are the experiment's training recipe), SgdOptions and MatchingOptions. */
  private static List<Record> records() {
    List<Record> out = new ArrayList<>();
    for (MethodRegistry.Method m : REGISTRY.all()) {
      if (!m.id().equals(Retrain.ID)) {
        out.add(m.defaults());
      }
    }
    out.add(SgdOptions.defaults());
    out.add(MatchingOptions.defaults());
    return out;
  }

  @Test
  void everyRecordHasStaticDefaultsThatTheRegistryUses() throws Exception {
    for (MethodRegistry.Method m : REGISTRY.all()) {
      if (m.id().equals(Retrain.ID) || m.id().equals("amun-a")) {
        continue; // retrain: the experiment's recipe; amun-a: Amun.Options.advOnlyDefaults()
      }
      Object defaults = m.defaults().getClass().getMethod("defaults").invoke(null);
      assertThat(defaults).as(m.id()).isEqualTo(m.defaults());
    }
  }

  @Test
  void everyWithMethodChangesExactlyItsOwnComponent() throws Exception {
    int checked = 0;
    for (Record record : records()) {
      RecordComponent[] components = record.getClass().getRecordComponents();
      for (RecordComponent c : components) {
        String name = "with" + Character.toUpperCase(c.getName().charAt(0)) + c.getName().substring(1);
        Method with = record.getClass().getMethod(name, c.getType());
        Object before = c.getAccessor().invoke(record);
        Object value = changed(before);
        assertThat(value).as("a different value for " + c.getName()).isNotEqualTo(before);
        Record after = (Record) with.invoke(record, value);
        for (RecordComponent other : components) {
          Object expected = other.getName().equals(c.getName()) ? value : other.getAccessor().invoke(record);
          assertThat(other.getAccessor().invoke(after))
              .as(record.getClass().getName() + "." + name + " on " + other.getName()).isEqualTo(expected);
        }
        checked++;
      }
    }
    assertThat(checked).as("components with a with* method").isGreaterThan(60);
  }

  @Test
  void sgdSettingsChangeThroughALambdaOrAWholeRecord() {
    FineTune.Options fast = FineTune.Options.defaults().withSgd(s -> s.withLr(0.1).withEpochs(5));
    assertThat(fast.sgd()).isEqualTo(new SgdOptions(5, 0.1, 128, 0.9, 5e-4, LrSchedule.COSINE));
    assertThat(fast.withSgd(SgdOptions.defaults())).isEqualTo(FineTune.Options.defaults());
    // a method's defaults override only what differs from SgdOptions.defaults()
    assertThat(GradientAscent.Options.defaults().sgd())
        .isEqualTo(SgdOptions.defaults().withEpochs(5).withLr(3e-4).withSchedule(LrSchedule.CONSTANT));
    assertThat(SfrOn.Options.defaults().withForgetAlpha(50).forgetAlpha()).isEqualTo(50);
  }

  @Test
  void sgdDocsHaveAnElementForEveryField() {
    List<String> elements = Arrays.stream(SgdOptions.Docs.class.getDeclaredMethods()).map(Method::getName).toList();
    assertThat(elements).containsExactlyInAnyOrderElementsOf(
        Arrays.stream(SgdOptions.class.getRecordComponents()).map(RecordComponent::getName).toList());
  }

  /** A valid value different from {@code v}, for every component type the records use. */
  private static Object changed(Object v) {
    if (v instanceof Integer i) {
      return i + 1;
    }
    if (v instanceof Double d) {
      return d == 0 ? 0.5 : d / 2;
    }
    if (v instanceof Boolean b) {
      return !b;
    }
    if (v instanceof String s) {
      return s.isEmpty() ? "2" : s + ",10"; // scrub's lrDecayEpochs
    }
    if (v instanceof SgdOptions s) {
      return s.withEpochs(s.epochs() + 1);
    }
    if (v instanceof MatchingOptions m) {
      return m.withEpochs(m.epochs() + 1);
    }
    if (v instanceof Choice c) {
      Object[] all = c.getClass().getEnumConstants();
      return all[(((Enum<?>) c).ordinal() + 1) % all.length];
    }
    throw new IllegalStateException("no test value for " + v.getClass());
  }
}
