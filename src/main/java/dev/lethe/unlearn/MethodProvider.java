package dev.lethe.unlearn;

import dev.lethe.train.TrainConfig;
import java.util.List;

/**
 * Adds methods of your own to every {@link MethodRegistry}, so {@code lethe methods} lists them and {@code bench},
 * {@code tune}, {@code forget} and {@code --param} run them like the built-in ones. Either list the implementing
 * class (public, with a public no-argument constructor) in {@code META-INF/services/dev.lethe.unlearn.MethodProvider}
 * on the class path ({@link java.util.ServiceLoader}; the {@code lethe} launcher adds {@code $LETHE_CLASSPATH}), or
 * register an instance at run time with {@link MethodRegistry#register}.
 */
@FunctionalInterface
public interface MethodProvider {
  /**
   * The methods to add to a registry whose training recipe is {@code training} (the original's: what
   * {@link MethodRegistry.BatchAugmentation#ofRecipe} augments with). Their ids must be new: lower-case letters,
   * digits, '+', '_' or '-'.
   */
  List<MethodRegistry.Method> methods(TrainConfig training);
}
