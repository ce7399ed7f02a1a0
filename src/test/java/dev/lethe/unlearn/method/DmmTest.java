package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import dev.lethe.train.Training;
import dev.lethe.unlearn.MethodRegistry;
import dev.lethe.unlearn.ReferenceModels;
import dev.lethe.unlearn.Unlearner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
  void moreCheckpointsAverageTheirAttributedEffectsAndAreRequired() {
    Map<String, String> two = new HashMap<>(SMALL);
    two.put("checkpoints", "2");
    Unlearner dmm2 = REGISTRY.get(Dmm.ID).create(two);
    assertThat(dmm2.extraOriginals()).isEqualTo(1);
    assertThat(REGISTRY.get(Dmm.ID).create(SMALL).extraOriginals()).isZero();
    REGISTRY.get(Dmm.ID).create(SMALL).unlearn(original, CLASS, null, 4, Progress.silent()).close();
    assertThatThrownBy(() -> dmm2.unlearn(original, CLASS, 4, Progress.silent()))
        .isInstanceOf(LetheException.class)
        .hasMessage("dmm.checkpoints=2 needs 1 more model trained as the original was, but 0 were given: run it with"
            + " lethe forget or lethe bench, which train them, or pass experiment.referenceModels(method, task,"
            + " progress)");
    try (Network other = Network.create(TinyData.cnn(4), 2)) {
      Training.fit(other, CLASS.pool(), TRAINING, 2, "original", Progress.silent());
      List<Network> handedOut = new ArrayList<>();
      try (Network one = REGISTRY.get(Dmm.ID).create(SMALL).unlearn(original, CLASS, 4, Progress.silent());
          Network twice = dmm2.unlearn(original, CLASS, extra(original, handedOut), 4, Progress.silent());
          Network ensembled = dmm2.unlearn(original, CLASS, extra(other, handedOut), 4, Progress.silent())) {
        assertThat(handedOut).hasSize(2).allSatisfy(n -> assertThat(n.manager().isOpen()).as("closed").isFalse());
        // the original as its own second checkpoint: the mean of two equal effects is that effect, bit for bit (a sum
        // would double it)
        assertThat(TinyData.paramBytes(twice)).isEqualTo(TinyData.paramBytes(one));
        assertThat(TinyData.paramBytes(ensembled)).isNotEqualTo(TinyData.paramBytes(one));
      }
    }
  }

  /** One extra original: copies of {@code model}, each added to {@code handedOut}. */
  private static ReferenceModels extra(Network model, List<Network> handedOut) {
    return new ReferenceModels() {
      @Override
      public int originalCount() {
        return 1;
      }

      @Override
      public Network original(int k) {
        Network copy = model.copy();
        handedOut.add(copy);
        return copy;
      }
    };
  }

  @Test
  void badInputIsOneLine() {
    for (String key : new String[] {"dimension", "ridge", "checkpoints", "epochs", "gamma"}) {
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
