package dev.lethe.unlearn.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.Doc;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Network;
import dev.lethe.train.Augmentation;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Batches;
import dev.lethe.train.Losses;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.ParameterMask;
import dev.lethe.train.Progress;
import dev.lethe.train.SgdOptimizer;
import dev.lethe.train.SgdOptimizer.MaskMode;
import dev.lethe.train.Training;
import dev.lethe.unlearn.OptionChecks;
import dev.lethe.unlearn.OmittedAtDefault;
import dev.lethe.unlearn.OptionsUnlearner;
import dev.lethe.unlearn.SgdOptions;
import dev.lethe.unlearn.blocks.AdaptiveWeights;
import dev.lethe.unlearn.blocks.Saliency;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * SFR-on: saliency forgetting in the remain-preserving manifold, online (Huang et al., "Unified
 * Gradient-Based Machine Unlearning with Remain Geometry Enhancement", NeurIPS 2024; official code
 * K1nght/Unified-Unlearning-w-Remain-Geometry {@code Classification/unlearn/sfron.py}). Every
 * {@code forgetFreq} iterations a fast step ascends the adaptively weighted forget loss
 * {@code -α_t Σ w_i ℓ_i} (gradient masked by the forget/retain Fisher-ratio saliency mask, then clipped
 * to norm {@code clip}); every iteration a slow step descends the retain loss at the weights the fast step
 * reached, which preconditions the forget direction by the retain Hessian at first-order cost. One SGD
 * optimiser (shared momentum) serves both; lr and α_t follow cosine decays over T iterations (the lr's
 * {@code schedule} may be changed; α_t always decays by cosine, as the paper defines it).
 *
 * <p>Defaults are the official CIFAR-10 block (lr 0.01, momentum 0.9, wd 5e-4, k 5, α0 25, clip 7, λ 0.5,
 * γ 1, batch 128, train-mode BatchNorm, grad-only masking) with the budget scaled: the official 1,500
 * iterations are 4.3 passes over the retain set against a 200-epoch retrain; we run {@code epochs} = 3
 * retain passes against our 40-epoch retrain. Ablations: {@code mask=false} (no saliency),
 * {@code adaptive=false} (plain mean forget CE), {@code fastSlow=false} (the Euclidean joint update: the
 * masked, clipped forget gradient plus the retain gradient, both at the same point, in one step). Forget and
 * retain batches are augmented as the training recipe says (the official sets are copies of the augmented
 * train set); the Fisher mask reads clean images.
 */
public final class SfrOn extends OptionsUnlearner<SfrOn.Options> {
  /** The registry id. */
  public static final String ID = "sfr-on";

  /** SFR-on hyperparameters; {@code with*} returns a copy with one field changed. */
  public record Options(
      @SgdOptions.Docs(
              epochs = "passes over the retain set; T = epochs x retain batches iterations",
              lr = "base learning rate, decayed over T by the schedule",
              batchSize = "images per batch (forget and retain)",
              momentum = "SGD momentum, shared by fast and slow steps",
              schedule = "learning-rate schedule over T: cosine (official code), step or constant; alpha is"
                  + " always cosine-decayed")
          @OmittedAtDefault("schedule") SgdOptions sgd,
      @Doc("a forget (fast) step every k iterations") int forgetFreq,
      @Doc("alpha0: forget-loss scale, cosine-decayed") double forgetAlpha,
      @Doc("global gradient-norm clip of the forget step") double clip,
      @Doc("lambda: temperature of the adaptive forget weights (0 = plain mean)") double lambda,
      @Doc("gamma: saliency threshold on the forget/retain Fisher ratio") double gamma,
      @Doc("ablation: use the saliency mask") boolean mask,
      @Doc("ablation: use adaptive per-sample forget weights") boolean adaptive,
      @Doc("ablation: fast-slow update (false = joint Euclidean update)") boolean fastSlow,
      @Doc("grad_only (official code: weight decay still moves masked weights) or hard_freeze") MaskMode maskMode,
      @Doc("BatchNorm in train mode during unlearning (official code: true)") boolean bnTrain)
      implements SgdOptions.Holder<Options> {
    /** Validates the options. */
    public Options {
      sgd.check(ID);
      OptionChecks.positive(ID + ".forgetFreq", forgetFreq);
      OptionChecks.nonNegative(ID + ".forgetAlpha", forgetAlpha);
      OptionChecks.positive(ID + ".clip", clip);
      OptionChecks.nonNegative(ID + ".lambda", lambda);
      OptionChecks.positive(ID + ".gamma", gamma);
      Objects.requireNonNull(maskMode, "maskMode");
    }

    /**
     * The defaults described in the class comment: {@link SgdOptions#defaults()} (the official block's SGD
     * settings and cosine decay, 3 epochs), k 5, α0 25, clip 7, λ 0.5, γ 1, every ablation on, grad-only
     * masking, train-mode BatchNorm.
     */
    public static Options defaults() {
      return new Options(SgdOptions.defaults(), 5, 25, 7.0, 0.5, 1.0, true, true, true, MaskMode.GRAD_ONLY, true);
    }

    @Override
    public Options withSgd(SgdOptions sgd) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withForgetFreq(int forgetFreq) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withForgetAlpha(double forgetAlpha) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withClip(double clip) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withLambda(double lambda) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withGamma(double gamma) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withMask(boolean mask) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withAdaptive(boolean adaptive) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withFastSlow(boolean fastSlow) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withMaskMode(MaskMode maskMode) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }

    public Options withBnTrain(boolean bnTrain) {
      return new Options(sgd, forgetFreq, forgetAlpha, clip, lambda, gamma, mask, adaptive, fastSlow, maskMode,
          bnTrain);
    }
  }

  /** SFR-on with {@code options}, its forget and retain batches (not the mask's) augmented by {@code augmentation}. */
  public SfrOn(Options options, Augmentation augmentation) {
    super(ID, options, augmentation);
  }

  @Override
  public Network unlearn(Network original, ForgetTask task, long seed, Progress progress) {
    return original.updatedCopy(net -> {
      SplittableRandom random = new SplittableRandom(seed);
      SgdOptions settings = o.sgd();
      BatchStream forget = new BatchStream(task.forget(), settings.batchSize(), random.nextLong(), true, augmentation);
      BatchStream retain = new BatchStream(task.retain(), settings.batchSize(), random.nextLong(), true, augmentation);
      int steps = settings.epochs() * retain.batchesPerEpoch();
      try (ParameterMask mask = o.mask()
              ? Saliency.fisherRatio(net, task.forget(), task.retain(), o.gamma(), settings.batchSize())
              : null;
          SgdOptimizer sgd = new SgdOptimizer(net, settings.momentum(), settings.weightDecay())) {
        for (int t = 0; t < steps; t++) {
          double lr = settings.schedule().at(settings.lr(), t, steps);
          double alpha = LrSchedule.COSINE.at(o.forgetAlpha(), t, steps);
          boolean forgetStep = t % o.forgetFreq() == 0;
          double loss;
          try (NDManager step = net.manager().newSubManager()) {
            if (forgetStep) {
              loss = Optimization.backward(step, (s, i) -> forgetLoss(net, s, forget, alpha), t, ID, steps);
              if (mask != null) {
                sgd.maskGradients(mask, step);
              }
              sgd.clipGradientNorm(o.clip(), step);
              if (o.fastSlow()) {
                sgd.step(lr, step, mask, o.maskMode());
              }
            }
          }
          try (NDManager step = net.manager().newSubManager()) {
            loss = Optimization.backward(
                step, (s, i) -> Training.crossEntropyStep(net, s, retain, o.bnTrain()), t, ID, steps);
            sgd.step(lr, step);
          }
          progress.step(t, steps, t / retain.batchesPerEpoch(), settings.epochs(), 2 * settings.batchSize(), loss);
        }
      }
    });
  }

  private NDArray forgetLoss(Network net, NDManager step, BatchStream forget, double alpha) {
    int[] rows = forget.next();
    NDArray perSample = Losses.crossEntropyPerSample(
        net.forward(forget.images(step, rows), o.bnTrain()),
        Batches.labels(step, forget.data(), rows));
    NDArray weighted = o.adaptive()
        ? AdaptiveWeights.weightedLoss(perSample, o.lambda())
        : perSample.mean();
    return weighted.mul((float) -alpha);
  }
}
