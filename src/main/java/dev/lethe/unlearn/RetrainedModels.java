package dev.lethe.unlearn;

import dev.lethe.data.Dataset;

/**
 * Models retrained from scratch without a task's forget set, handed to a method that declares it reads them
 * ({@link Unlearner#retrainedModels()} above 0; oracle matching, the upper bound of Georgiev et al., ICLR 2025).
 * The experiment that owns the task trains or loads them; a method only reads their mean outputs.
 */
public interface RetrainedModels {
  /** How many retrained models there are. */
  int size();

  /** The mean over the retrained models of their eval-mode logits on every row of {@code data} (rows × classes). */
  float[][] meanLogits(Dataset data);
}
