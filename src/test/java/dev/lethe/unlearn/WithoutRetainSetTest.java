package dev.lethe.unlearn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Splits;
import dev.lethe.model.Network;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The settings without D_R (the AMUN paper's comparison): with {@code useRetain=false} a method's result
 * must not depend on the retain set at all, and with {@code useRetain=true} it must.
 */
class WithoutRetainSetTest {
  private static final long SEED = 3;
  private static ForgetTask task;
  private static ForgetTask relabelledRetain;
  private static Network original;

  @BeforeAll
  static void setUp() {
    Splits splits = TinyData.splits(SEED);
    ForgetSpec spec = ForgetSpec.parse("random:0.25");
    task = ForgetTask.derive(spec, splits, SEED);
    Set<Integer> forgetIds = Arrays.stream(task.forget().ids()).boxed().collect(Collectors.toSet());
    Dataset pool = splits.pool();
    int[] labels = pool.labels().clone();
    for (int row = 0; row < pool.size(); row++) {
      if (!forgetIds.contains(pool.id(row))) {
        labels[row] = (labels[row] + 1) % pool.numClasses();
      }
    }
    Dataset changed = new Dataset(pool.name(), pool.channels(), pool.height(), pool.width(), pool.pixels(), labels,
        pool.ids(), pool.classNames());
    relabelledRetain = ForgetTask.derive(spec, new Splits(changed, splits.validation(), splits.test()), SEED);
    assertThat(relabelledRetain.forget().ids()).isEqualTo(task.forget().ids());
    original = TinyData.trainedCnn(splits.pool(), new TrainConfig(10, 16, 0.05, 0.9, 5e-4, LrSchedule.COSINE));
  }

  @AfterAll
  static void tearDown() {
    original.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rl", "salun", "amun", "amun-a"})
  void withoutTheRetainSetTheResultIgnoresIt(String id) {
    MethodRegistry registry = new MethodRegistry(new TrainConfig(1, 16, 0.05, 0.9, 5e-4, LrSchedule.COSINE));
    Map<String, String> small = Map.of("epochs", "1", "batchSize", "8", "lr", "0.05");
    Map<String, String> withoutRetain = new java.util.HashMap<>(small);
    withoutRetain.put("useRetain", "false");
    if (id.startsWith("amun")) {
      withoutRetain.putAll(Map.of("epsilon", "0.5", "attackSteps", "5"));
      small = withoutRetain.entrySet().stream().filter(e -> !e.getKey().equals("useRetain"))
          .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
    assertThat(weights(registry.get(id).create(withoutRetain), task))
        .isEqualTo(weights(registry.get(id).create(withoutRetain), relabelledRetain));
    assertThat(weights(registry.get(id).create(small), task))
        .isNotEqualTo(weights(registry.get(id).create(small), relabelledRetain));
  }

  private static byte[] weights(Unlearner method, ForgetTask on) {
    try (Network out = method.unlearn(original, on, SEED, Progress.silent())) {
      return TinyData.paramBytes(out);
    }
  }
}
