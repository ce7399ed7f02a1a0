package dev.lethe.unlearn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.TinyData;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.method.FineTune;
import java.util.List;
import java.util.Map;
import org.example.lethe.MyMethods;
import org.example.lethe.RetainFineTune;
import org.junit.jupiter.api.Test;

/** Methods of your own join the registry through {@link java.util.ServiceLoader} or {@link MethodRegistry#register}. */
class MethodProviderTest {
  private static final TrainConfig TRAINING = new TrainConfig(5, 16, 0.02, 0.9, 5e-4, LrSchedule.COSINE);

  @Test
  void aProviderListedInMetaInfServicesAddsItsMethodAfterTheBuiltInOnes() throws Exception {
    List<String> builtIn = new MethodRegistry(TRAINING).ids();
    assertThat(builtIn).doesNotContain(RetainFineTune.ID);
    MethodRegistry registry = ServicesOnClassPath.call("plugin", () -> new MethodRegistry(TRAINING));
    assertThat(registry.ids()).startsWith(builtIn.toArray(String[]::new)).endsWith(RetainFineTune.ID)
        .hasSize(builtIn.size() + 1);
    MethodRegistry.Method mine = registry.get(RetainFineTune.ID);
    assertThat(mine.defaults()).isEqualTo(new RetainFineTune.Options(1, 0.01));
    assertThat(OptionsBinder.params(mine.defaults())).contains(new OptionsBinder.Param("lr", 0.01, "constant learning rate"));
    // --param binds onto its options record like any built-in method's
    Map<String, Map<String, String>> params = registry.parseOverrides(List.of("my-ft.lr=0.05", "my-ft.epochs=2"));
    Unlearner u = mine.create(params.get(RetainFineTune.ID));
    assertThat(u.options()).isEqualTo(new RetainFineTune.Options(2, 0.05));
    assertThatThrownBy(() -> registry.parseOverrides(List.of("my-ft.momentum=0.9")))
        .isInstanceOf(LetheException.class).hasMessageContaining("my-ft accepts epochs, lr");
  }

  @Test
  void aProviderRegisteredAtRunTimeServesEveryRegistryUntilClosed() {
    ForgetTask task = TinyData.task("random:0.25", 3);
    try (MethodRegistry.Registration r = MethodRegistry.register(training -> List.of(MyMethods.method()))) {
      MethodRegistry registry = new MethodRegistry(TRAINING);
      assertThat(registry.ids()).endsWith(RetainFineTune.ID);
      try (Network original = TinyData.trainedCnn(task.pool(), TRAINING);
          Network unlearned = registry.get(RetainFineTune.ID).create(Map.of()).unlearn(original, task, 7)) {
        assertThat(TinyData.paramBytes(unlearned)).isNotEqualTo(TinyData.paramBytes(original));
      }
    }
    assertThat(new MethodRegistry(TRAINING).ids()).doesNotContain(RetainFineTune.ID);
  }

  @Test
  void theProviderSeesTheRegistrysTrainingRecipe() {
    TrainConfig[] seen = new TrainConfig[1];
    try (MethodRegistry.Registration r = MethodRegistry.register(training -> {
      seen[0] = training;
      return List.of();
    })) {
      new MethodRegistry(TRAINING);
      assertThat(seen[0]).isSameAs(TRAINING);
    }
  }

  @Test
  void aClashingOrMalformedIdIsRefusedWhenRegisteredAndNotKept() {
    MethodRegistry.Method ft = new MethodRegistry.Method(FineTune.ID, "another ft", "-", FineTune.Options.defaults(),
        MethodRegistry.BatchAugmentation.never("-"), (o, a) -> new FineTune((FineTune.Options) o, a));
    assertThatThrownBy(() -> MethodRegistry.register(training -> List.of(ft)))
        .isInstanceOf(LetheException.class)
        .hasMessageMatching("method id 'ft' of provider \\S+ is already registered: give the method another id");
    MethodRegistry.Method bad = new MethodRegistry.Method("My.FT", "bad", "-", FineTune.Options.defaults(),
        MethodRegistry.BatchAugmentation.never("-"), (o, a) -> new FineTune((FineTune.Options) o, a));
    assertThatThrownBy(() -> MethodRegistry.register(training -> List.of(bad)))
        .isInstanceOf(LetheException.class)
        .hasMessageMatching("method id 'My.FT' of provider \\S+ must be lower-case letters, digits, '\\+', '_' or '-',"
            + " starting with a letter or digit");
    assertThat(new MethodRegistry(TRAINING).get(FineTune.ID).title()).isNotEqualTo("another ft");
    assertThat(new MethodRegistry(TRAINING).ids()).doesNotContain("My.FT");
  }

  @Test
  void aServicesFileNamingAMissingClassIsAOneLineError() {
    assertThatThrownBy(() -> ServicesOnClassPath.call("broken-plugin", () -> new MethodRegistry(TRAINING)))
        .isInstanceOf(LetheException.class)
        .hasMessageStartingWith("cannot load a method provider listed in META-INF/services/dev.lethe.unlearn.MethodProvider: ")
        .hasMessageContaining("org.example.lethe.NoSuchProvider")
        .hasMessageNotContaining("\n");
  }

  @Test
  void unknownMethodIdListsTheKnownOnes() {
    assertThatThrownBy(() -> new MethodRegistry(TRAINING).get("sfr-off"))
        .isInstanceOf(LetheException.class)
        .hasMessageStartingWith("unknown method 'sfr-off': choose from retrain, original, ft, ")
        .hasMessageNotContaining("\n");
  }
}
