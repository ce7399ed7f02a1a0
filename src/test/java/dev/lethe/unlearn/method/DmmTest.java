package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.unlearn.MethodRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DmmTest extends TinyClassTaskTest {
  private static final MethodRegistry REGISTRY = new MethodRegistry(TRAINING);
  private static final Map<String, String> SMALL = Map.of("dimension", "16", "retainMultiplier", "1", "epochs", "2");

  @Test
  void matchesItsAttributedTargetsOnACopyAndIsSeeded() {
    byte[] before = TinyData.paramBytes(original);
    try (Network a = REGISTRY.get(Dmm.ID).create(SMALL).unlearn(original, CLASS, 4, Progress.silent());
        Network b = REGISTRY.get(Dmm.ID).create(SMALL).unlearn(original, CLASS, 4, Progress.silent())) {
      assertThat(TinyData.paramBytes(original)).isEqualTo(before);
      assertThat(TinyData.paramBytes(a)).isNotEqualTo(before).isEqualTo(TinyData.paramBytes(b));
    }
  }

  @Test
  void badInputIsOneLine() {
    for (String key : new String[] {"dimension", "ridge", "epochs", "gamma"}) {
      assertThatThrownBy(() -> REGISTRY.get(Dmm.ID).create(Map.of(key, "0")))
          .isInstanceOf(LetheException.class).hasMessageContaining("dmm." + key);
    }
    assertThatThrownBy(() -> REGISTRY.get(Dmm.ID).create(Map.of("multiplier", "-1")))
        .isInstanceOf(LetheException.class).hasMessageContaining("dmm.multiplier");
    // the class task forgets a third of the pool: 3 x |F| retain images do not exist
    assertThatThrownBy(() -> REGISTRY.get(Dmm.ID).create(Map.of()).unlearn(original, CLASS, 4, Progress.silent()))
        .isInstanceOf(LetheException.class).hasMessageContaining("lower dmm.retainMultiplier to at most");
  }

  @Test
  void isListedWithItsPaperAndReadsNoRetrainedModels() {
    MethodRegistry.Method m = REGISTRY.get(Dmm.ID);
    assertThat(m.paper()).contains("Georgiev et al.").contains("ICLR 2025");
    assertThat(m.create(Map.of()).retrainedModels()).isZero();
  }
}
