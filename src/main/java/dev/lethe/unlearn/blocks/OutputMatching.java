package dev.lethe.unlearn.blocks;

import ai.djl.ndarray.NDArray;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Splits;
import dev.lethe.model.Network;
import dev.lethe.train.AdamOptimizer;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Losses;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import java.util.SplittableRandom;

/**
 * The matching step of datamodel matching and oracle matching (Georgiev et al., "Attribute-to-Delete: Machine
 * Unlearning via Datamodel Matching", ICLR 2025), as the authors' {@code finetune} in
 * {@code unlearning_algos/dm_matching.py} (RoyRin/data-unlearning-bench @beae27e) runs it: fine-tune a copy of the
 * original so that its logits on a fine-tuning set T match given target logits,
 * {@code L = mean over the |B| × K elements of (f_θ(x) − t(x))²} (PyTorch {@code mse_loss}), with Adam (PyTorch
 * defaults, no weight decay) whose rate decays by γ after every epoch ({@code ExponentialLR}); T is the forget set
 * repeated {@code forgetMultiplier} times (a fractional rest: that share of its first rows, as
 * {@code duplicate_forget_indices}) followed by a random retain sample of {@code retainMultiplier · |F|} rows,
 * in that order unless {@code shuffle} (the code's default is no shuffle, so the first batches hold the forget set).
 * BatchNorm runs in train mode (the code calls {@code model.train()}). The targets are computed once, before the
 * first step, on clean images; the method decides where they come from (the mean of retrained models, or a
 * datamodel's prediction).
 */
public final class OutputMatching {
  private OutputMatching() {}

  /**
   * The loop's settings (validated, with the authors' defaults, by {@code dev.lethe.unlearn.MatchingOptions}).
   *
   * @param epochs passes over the fine-tuning set
   * @param lr Adam's rate in the first epoch
   * @param gamma the rate's factor after every epoch
   * @param batchSize images per step
   * @param forgetMultiplier copies of the forget set in the fine-tuning set
   * @param shuffle whether the fine-tuning set is shuffled every epoch
   */
  public record Loop(int epochs, double lr, double gamma, int batchSize, double forgetMultiplier, boolean shuffle) {}

  /**
   * The fine-tuning set's two parts, before targets: the rows of {@code task.forget()} (each forget row once) and
   * the retain sample, rows of {@code task.retain()} drawn without replacement with {@code seed}.
   *
   * @param retainSample the sampled rows of {@code task.retain()}, in draw order
   * @param retain their images, {@code task.retain().select(retainSample)}
   */
  public record RetainSample(int[] retainSample, Dataset retain) {}

  /**
   * The retain sample of {@code (int) (retainMultiplier · |F|)} rows of {@code task.retain()}, drawn with
   * {@code seed}.
   *
   * @throws LetheException if the retain set has fewer rows than that
   */
  public static RetainSample retainSample(ForgetTask task, double retainMultiplier, String method, long seed) {
    int forget = task.forget().size();
    int wanted = (int) (retainMultiplier * forget);
    int available = task.retain().size();
    if (wanted > available) {
      throw new LetheException(String.format(java.util.Locale.ROOT,
          "%s.retainMultiplier=%s asks for %d retain images (%s x %d forget images), but the retain set holds %d:"
              + " lower %s.retainMultiplier to at most %.3f", method, retainMultiplier, wanted,
          retainMultiplier, forget, available, method, (double) available / forget));
    }
    int[] rows = wanted == 0 ? new int[0] : Splits.firstOfPermutation(available, wanted, new SplittableRandom(seed));
    return new RetainSample(rows, task.retain().select(rows));
  }

  /**
   * The forget-set rows of the fine-tuning set: {@code 0 .. |F|−1} repeated {@code ⌊m⌋} times, then the first
   * {@code (int) (|F| · (m − ⌊m⌋))} rows once more ({@code duplicate_forget_indices}).
   */
  public static int[] forgetRows(int forget, double multiplier) {
    int whole = (int) multiplier;
    int rest = (int) (forget * (multiplier - whole));
    int[] rows = new int[whole * forget + rest];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i % forget;
    }
    return rows;
  }

  /**
   * Fine-tunes {@code net} in place so that its logits match {@code forgetTargets} on {@code task.forget()} (row
   * aligned) and {@code retainTargets} on {@code sample.retain()}, as the class comment says; {@code seed} shuffles
   * the fine-tuning set when {@code options.shuffle()}.
   *
   * @param what names the run in progress lines and errors (the method id)
   * @return the loss of the last step
   */
  public static double run(Network net, ForgetTask task, float[][] forgetTargets, RetainSample sample,
      float[][] retainTargets, Loop options, long seed, String what, Progress progress) {
    int[] forget = forgetRows(task.forget().size(), options.forgetMultiplier());
    int[] poolForget = task.rows().forget();
    int[] poolRetain = task.rows().retain();
    int n = forget.length + sample.retainSample().length;
    int[] poolRows = new int[n];
    float[][] targets = new float[n][];
    for (int i = 0; i < forget.length; i++) {
      poolRows[i] = poolForget[forget[i]];
      targets[i] = forgetTargets[forget[i]];
    }
    for (int i = 0; i < sample.retainSample().length; i++) {
      poolRows[forget.length + i] = poolRetain[sample.retainSample()[i]];
      targets[forget.length + i] = retainTargets[i];
    }
    BatchStream stream = new BatchStream(task.pool().select(poolRows), options.batchSize(), seed, options.shuffle());
    int steps = stream.batchesPerEpoch();
    double last = Double.NaN;
    try (AdamOptimizer adam = new AdamOptimizer(net, 0)) {
      for (int epoch = 0; epoch < options.epochs(); epoch++) {
        Schedule schedule = new Schedule(steps, steps, Math.min(options.batchSize(), n),
            options.lr() * Math.pow(options.gamma(), epoch), LrSchedule.CONSTANT);
        last = Optimization.run(net, adam, schedule, (step, t) -> {
          int[] rows = stream.next();
          NDArray logits = net.forward(stream.images(step, rows), true);
          return Losses.meanSquaredError(logits, Distillation.gather(step, targets, rows));
        }, what, progress);
      }
    }
    return last;
  }
}
