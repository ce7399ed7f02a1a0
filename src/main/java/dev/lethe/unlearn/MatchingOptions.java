package dev.lethe.unlearn;

import dev.lethe.Doc;
import dev.lethe.LetheException;
import dev.lethe.unlearn.blocks.OutputMatching;

/**
 * The hyperparameters of the matching loop that datamodel matching and oracle matching share
 * ({@link dev.lethe.unlearn.blocks.OutputMatching}; Georgiev et al., ICLR 2025), with the defaults of the authors'
 * {@code dm_matching} / {@code oracle_matching} (RoyRin/data-unlearning-bench @beae27e); a method's options hold it
 * as one component, as {@link SgdOptions} is held, so its keys read {@code dmm.lr}, {@code dmm.gamma}, ….
 */
public record MatchingOptions(
    @Doc("passes over the fine-tuning set (forget set plus retain sample)") int epochs,
    @Doc("Adam learning rate of the first epoch") double lr,
    @Doc("learning-rate factor applied after every epoch (exponential decay)") double gamma,
    @Doc("images per step") int batchSize,
    @Doc("retain sample size as a multiple of the forget set's") double retainMultiplier,
    @Doc("copies of the forget set in the fine-tuning set (a fractional rest takes that share of its first rows)")
        double forgetMultiplier,
    @Doc("shuffle the fine-tuning set every epoch (false, the code's default: the forget rows come first)")
        boolean shuffle) {
  /** The authors' defaults: 5 epochs, lr 5e-4, γ 0.95, batch 512, 3 × |F| retain rows, F once, no shuffle. */
  public static MatchingOptions defaults() {
    return new MatchingOptions(5, 5e-4, 0.95, 512, 3.0, 1.0, false);
  }

  /** Rejects a bad value, naming it as {@code method.key}. */
  public void check(String method) {
    OptionChecks.positive(method + ".epochs", epochs);
    OptionChecks.positive(method + ".lr", lr);
    OptionChecks.positive(method + ".gamma", gamma);
    OptionChecks.batchSize(method + ".batchSize", batchSize);
    OptionChecks.nonNegative(method + ".retainMultiplier", retainMultiplier);
    OptionChecks.nonNegative(method + ".forgetMultiplier", forgetMultiplier);
    if (retainMultiplier == 0 && forgetMultiplier == 0) {
      throw new LetheException(method + ".retainMultiplier and " + method
          + ".forgetMultiplier are both 0, so there is nothing to fine-tune on: make one of them positive");
    }
  }

  public MatchingOptions withEpochs(int epochs) {
    return new MatchingOptions(epochs, lr, gamma, batchSize, retainMultiplier, forgetMultiplier, shuffle);
  }

  public MatchingOptions withLr(double lr) {
    return new MatchingOptions(epochs, lr, gamma, batchSize, retainMultiplier, forgetMultiplier, shuffle);
  }

  public MatchingOptions withGamma(double gamma) {
    return new MatchingOptions(epochs, lr, gamma, batchSize, retainMultiplier, forgetMultiplier, shuffle);
  }

  public MatchingOptions withBatchSize(int batchSize) {
    return new MatchingOptions(epochs, lr, gamma, batchSize, retainMultiplier, forgetMultiplier, shuffle);
  }

  public MatchingOptions withRetainMultiplier(double retainMultiplier) {
    return new MatchingOptions(epochs, lr, gamma, batchSize, retainMultiplier, forgetMultiplier, shuffle);
  }

  public MatchingOptions withForgetMultiplier(double forgetMultiplier) {
    return new MatchingOptions(epochs, lr, gamma, batchSize, retainMultiplier, forgetMultiplier, shuffle);
  }

  public MatchingOptions withShuffle(boolean shuffle) {
    return new MatchingOptions(epochs, lr, gamma, batchSize, retainMultiplier, forgetMultiplier, shuffle);
  }

  /** The loop's settings for {@link dev.lethe.unlearn.blocks.OutputMatching#run}. */
  public OutputMatching.Loop loop() {
    return new OutputMatching.Loop(epochs, lr, gamma, batchSize, forgetMultiplier, shuffle);
  }
}
