package dev.lethe.unlearn.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Optimization;
import dev.lethe.train.ParameterMask;
import dev.lethe.train.Training;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Weight-saliency masks, the building block SalUn and SFR-on share. Both read gradients of the original
 * in eval mode (BatchNorm running statistics), one pass over a split in mini-batches, and keep the weights
 * that matter most to the forget set:
 *
 * <ul>
 *   <li>{@link #topGradient}: SalUn (Fan et al., ICLR 2024) — {@code |Σ_b ∇ CE_b(D_f)|}, the top
 *       fraction of all weights globally;
 *   <li>{@link #fisherRatio}: SFR-on (Huang et al., NeurIPS 2024) — the ratio of the forget to the retain
 *       "Fisher" (mean square of mini-batch-mean gradients), kept where it is at least γ.
 * </ul>
 */
public final class Saliency {
  private static final double FISHER_EPS = 1e-15;

  private Saliency() {}

  /**
   * SalUn's mask: the {@code ⌊keep · n⌋} of all n weights with the largest {@code |Σ_b ∇ CE_b|}, ranked
   * globally, as {@code generate_mask.py} keeps the ranks below {@code int(n · τ)}. Weights tied at the
   * threshold are taken in parameter order, so exactly that many are kept even when many gradients are 0.
   */
  public static ParameterMask topGradient(Network net, Dataset forget, double keep, int batchSize) {
    if (!(keep > 0 && keep < 1)) {
      throw new LetheException("mask sparsity must be in (0, 1), got " + keep);
    }
    NDManager manager = net.manager().newSubManager();
    NDArray[] sum = zeros(net, manager);
    eachBatchGradient(net, forget, batchSize, (i, g) -> sum[i].addi(g));
    float[] scores = flattenAbs(sum);
    int k = (int) (keep * scores.length);
    if (k == 0) {
      manager.close();
      throw new LetheException("mask sparsity " + keep + " keeps none of the network's " + scores.length
          + " weights; use at least " + 1.0 / scores.length);
    }
    float[] sorted = scores.clone();
    Arrays.sort(sorted);
    float threshold = sorted[scores.length - k];
    int ties = k;
    for (float v : scores) {
      if (v > threshold) {
        ties--;
      }
    }
    float[] keepFlat = new float[scores.length];
    for (int j = 0; j < scores.length; j++) {
      if (scores[j] > threshold || (scores[j] == threshold && ties-- > 0)) {
        keepFlat[j] = 1;
      }
    }
    NDArray[] masks = new NDArray[sum.length];
    int at = 0;
    for (int i = 0; i < sum.length; i++) {
      int size = (int) sum[i].size();
      masks[i] = manager.create(Arrays.copyOfRange(keepFlat, at, at + size), sum[i].getShape());
      at += size;
      sum[i].close();
    }
    return new ParameterMask(manager, masks);
  }

  /** SFR-on's mask: 1 where (F_f + ε) / (F_r + ε) ≥ {@code gamma}. */
  public static ParameterMask fisherRatio(
      Network net, Dataset forget, Dataset retain, double gamma, int batchSize) {
    if (!(gamma > 0) || Double.isNaN(gamma)) {
      throw new LetheException("mask threshold gamma must be positive, got " + gamma);
    }
    NDManager manager = net.manager().newSubManager();
    NDArray[] ff = meanSquaredBatchGradients(net, forget, batchSize, manager);
    NDArray[] fr = meanSquaredBatchGradients(net, retain, batchSize, manager);
    NDArray[] masks = new NDArray[ff.length];
    for (int i = 0; i < ff.length; i++) {
      NDArray ratio = ff[i].add(FISHER_EPS).div(fr[i].add(FISHER_EPS));
      masks[i] = ratio.gte(gamma).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
      ff[i].close();
      fr[i].close();
    }
    return new ParameterMask(manager, masks);
  }

  /** Mean over mini-batches of the squared batch-mean gradient, per weight (eval-mode BatchNorm). */
  static NDArray[] meanSquaredBatchGradients(Network net, Dataset data, int batchSize, NDManager manager) {
    NDArray[] sum = zeros(net, manager);
    int batches = eachBatchGradient(net, data, batchSize, (i, g) -> sum[i].addi(g.square()));
    for (NDArray s : sum) {
      s.divi(batches);
    }
    return sum;
  }

  /**
   * Runs one eval-mode pass of mean cross-entropy over {@code data} and hands every trainable
   * parameter's batch gradient to {@code sink} (index, gradient) before zeroing it.
   *
   * @return the number of batches
   */
  static int eachBatchGradient(Network net, Dataset data, int batchSize, BiConsumer<Integer, NDArray> sink) {
    BatchStream batches = new BatchStream(data, batchSize, 0, false);
    List<Parameter> params = net.trainableParameters();
    int n = batches.batchesPerEpoch();
    for (int b = 0; b < n; b++) {
      try (NDManager step = net.manager().newSubManager()) {
        Optimization.backward(
            step, (s, t) -> Training.crossEntropyStep(net, s, batches, false), b, "saliency", n);
        for (int i = 0; i < params.size(); i++) {
          NDArray g = params.get(i).getArray().getGradient();
          g.attach(step);
          sink.accept(i, g);
          g.subi(g);
        }
      }
    }
    return n;
  }

  private static NDArray[] zeros(Network net, NDManager manager) {
    List<Parameter> params = net.trainableParameters();
    NDArray[] out = new NDArray[params.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = manager.zeros(params.get(i).getArray().getShape());
    }
    return out;
  }

  private static float[] flattenAbs(NDArray[] arrays) {
    int total = 0;
    for (NDArray a : arrays) {
      total += (int) a.size();
    }
    float[] out = new float[total];
    int at = 0;
    for (NDArray a : arrays) {
      float[] v = a.toFloatArray();
      for (float x : v) {
        out[at++] = Math.abs(x);
      }
    }
    return out;
  }
}
