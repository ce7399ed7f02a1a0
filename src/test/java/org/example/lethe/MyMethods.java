package org.example.lethe;

import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.MethodProvider;
import dev.lethe.unlearn.MethodRegistry;
import java.util.List;

/**
 * The provider the registry tests find through {@link java.util.ServiceLoader}: {@code
 * plugin/META-INF/services/dev.lethe.unlearn.MethodProvider} in the test resources names it.
 */
public final class MyMethods implements MethodProvider {
  /** The method this provider adds. */
  public static MethodRegistry.Method method() {
    return new MethodRegistry.Method(RetainFineTune.ID,
        "Fine-tune on the retain set at a constant rate (a method of your own)", "-", new RetainFineTune.Options(1, 0.01),
        MethodRegistry.BatchAugmentation.never("its own code never augments"),
        (o, a) -> new RetainFineTune((RetainFineTune.Options) o));
  }

  @Override
  public List<MethodRegistry.Method> methods(TrainConfig training) {
    return List.of(method());
  }
}
