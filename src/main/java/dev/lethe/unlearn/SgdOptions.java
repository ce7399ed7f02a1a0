package dev.lethe.unlearn;

import dev.lethe.Doc;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Schedule;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The SGD settings of a method whose loop is plain mini-batch SGD ({@link dev.lethe.train.SgdOptimizer}:
 * momentum and weight decay with PyTorch's semantics) under a learning-rate schedule; each such method's
 * options record holds one as {@code sgd} and overrides, in its {@code defaults()}, only what differs from
 * {@link #defaults()}. On the command line its fields are keys of the method ({@code --param ga.lr=1e-3}, in
 * full {@code ga.sgd.lr=1e-3}); in a result row's params they stand beside the method's own fields, so the
 * JSON stays flat.
 *
 * <p>The record that holds it validates it ({@link #check}), so an error names the method: {@code ft.lr must be
 * a positive number, got -1.0}. {@code with*} methods return a copy with one field changed.
 */
public record SgdOptions(
    @Doc("passes over the method's training data") int epochs,
    @Doc("base learning rate") double lr,
    @Doc("images per step") int batchSize,
    @Doc("SGD momentum") double momentum,
    @Doc("weight decay") double weightDecay,
    @Doc("learning-rate schedule: cosine, step or constant") LrSchedule schedule) {
  /** Rejects a missing schedule; the ranges are the holder's to check ({@link #check}). */
  public SgdOptions {
    Objects.requireNonNull(schedule, "schedule");
  }

  /**
   * The defaults: lr 0.01, momentum 0.9, weight decay 5e-4 and batch 128, the fine-tuning block of the
   * reference codebases (OPTML-Group's Unlearn-Saliency and Unlearn-Sparse, SFR-on's, AMUN's), with FT's
   * cosine decay and FT's budget: its 10 epochs against a 160-200-epoch retrain scaled to 3 against our
   * 30-40-epoch retrain.
   */
  public static SgdOptions defaults() {
    return new SgdOptions(3, 0.01, 128, 0.9, 5e-4, LrSchedule.COSINE);
  }

  /** Throws a one-line error naming {@code method} (e.g. {@code ga.lr}) for a value out of range. */
  public void check(String method) {
    OptionChecks.sgd(method, epochs, lr, batchSize, momentum, weightDecay);
  }

  /** The run of {@link #epochs} passes of {@code stepsPerEpoch} steps, {@code imagesPerStep} images each. */
  public Schedule plan(int stepsPerEpoch, int imagesPerStep) {
    return new Schedule(epochs * stepsPerEpoch, stepsPerEpoch, imagesPerStep, lr, schedule);
  }

  public SgdOptions withEpochs(int epochs) {
    return new SgdOptions(epochs, lr, batchSize, momentum, weightDecay, schedule);
  }

  public SgdOptions withLr(double lr) {
    return new SgdOptions(epochs, lr, batchSize, momentum, weightDecay, schedule);
  }

  public SgdOptions withBatchSize(int batchSize) {
    return new SgdOptions(epochs, lr, batchSize, momentum, weightDecay, schedule);
  }

  public SgdOptions withMomentum(double momentum) {
    return new SgdOptions(epochs, lr, batchSize, momentum, weightDecay, schedule);
  }

  public SgdOptions withWeightDecay(double weightDecay) {
    return new SgdOptions(epochs, lr, batchSize, momentum, weightDecay, schedule);
  }

  public SgdOptions withSchedule(LrSchedule schedule) {
    return new SgdOptions(epochs, lr, batchSize, momentum, weightDecay, schedule);
  }

  /**
   * An options record holding SGD settings as {@code sgd}: {@code FineTune.Options.defaults().withSgd(s ->
   * s.withLr(0.1))} changes some of them.
   *
   * @param <O> the options record
   */
  public interface Holder<O extends Record> {
    /** The SGD settings. */
    SgdOptions sgd();

    /** A copy with {@code sgd} in place of the current settings. */
    O withSgd(SgdOptions sgd);

    /** A copy with the SGD settings {@code change}d, e.g. {@code s -> s.withLr(0.1).withEpochs(5)}. */
    default O withSgd(UnaryOperator<SgdOptions> change) {
      return withSgd(change.apply(sgd()));
    }
  }

  /**
   * What each SGD field means for the method whose {@code sgd} component carries this (an epoch is a pass over
   * its forget set, its retain set, or both), shown by {@code lethe methods} in place of the generic text; an
   * empty element keeps the generic one.
   */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface Docs {
    /** What one epoch is. */
    String epochs() default "";

    /** How the learning rate is used. */
    String lr() default "";

    /** What one batch holds. */
    String batchSize() default "";

    /** How momentum is shared. */
    String momentum() default "";

    /** How weight decay applies. */
    String weightDecay() default "";

    /** What the schedule applies to. */
    String schedule() default "";
  }
}
