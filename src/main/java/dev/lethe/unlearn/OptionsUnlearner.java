package dev.lethe.unlearn;

import dev.lethe.train.Augmentation;

/**
 * The part every method with an options record shares: its id, its options and the augmentation of its
 * training batches. A method class extends it and holds only its update rule.
 *
 * @param <O> the method's options record
 */
public abstract class OptionsUnlearner<O extends Record> implements Unlearner {
  private final String id;
  /** The hyperparameters this instance runs with. */
  protected final O o;
  /**
   * The augmentation of this method's training batches: the recipe's, or none where the method's reference
   * code does not augment, as {@link MethodRegistry} decides. Attacks, masks and targets always read clean
   * images.
   */
  protected final Augmentation augmentation;

  /** A method whose training batches are never augmented (or that has none). */
  protected OptionsUnlearner(String id, O options) {
    this(id, options, Augmentation.NONE);
  }

  protected OptionsUnlearner(String id, O options, Augmentation augmentation) {
    this.id = id;
    this.o = options;
    this.augmentation = augmentation;
  }

  @Override
  public final String id() {
    return id;
  }

  @Override
  public final O options() {
    return o;
  }
}
