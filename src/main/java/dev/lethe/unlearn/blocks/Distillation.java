package dev.lethe.unlearn.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * The teacher–student KL divergence of knowledge distillation (Hinton et al., "Distilling the Knowledge in
 * a Neural Network", 2015), shared by SCRUB and Bad Teacher. Every variant is one
 * {@link #klPerSample} reduced differently:
 *
 * <ul>
 *   <li>{@link #kl}: SCRUB's {@code DistillKL} (from RepDistiller, as in meghdadk/SCRUB
 *       {@code helper/KD.py}): {@code kl_div(log_softmax(s/T), softmax(t/T), sum) · T² / N}, the
 *       batchmean reduction scaled by T² so gradient magnitudes do not shrink as T grows.
 *   <li>{@link #klElementMean}: Bad Teacher's {@code UnlearnerLoss} (vikram2000b/bad-teaching-unlearning
 *       {@code unlearn.py}, copied by the SFR-on repo's {@code bad_teacher.py}): PyTorch {@code kl_div}
 *       with its default {@code reduction='mean'}, i.e. the mean over all N × K elements, which is the
 *       batchmean divided by the number of classes K, and no T² factor.
 * </ul>
 *
 * <p>The teacher side is always detached: no gradient reaches the teacher's logits or weights.
 */
public final class Distillation {
  private Distillation() {}

  /**
   * Per-sample {@code KL(softmax(t/T) ‖ softmax(s/T)) = Σ_k p_t,k (log p_t,k − log p_s,k)}, an N-vector,
   * without the T² factor. Both sides use log-softmax, so a teacher probability that underflows to zero
   * contributes exactly zero, as PyTorch's {@code kl_div} does.
   *
   * @param studentLogits N × K logits of the network being trained
   * @param teacherLogits N × K target logits; detached here
   * @param temperature T &gt; 0
   */
  public static NDArray klPerSample(NDArray studentLogits, NDArray teacherLogits, double temperature) {
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("temperature must be a positive number, got " + temperature);
    }
    if (studentLogits.getShape().dimension() != 2 || !studentLogits.getShape().equals(teacherLogits.getShape())) {
      throw new IllegalArgumentException(
          "student and teacher logits must both be N x K, got " + studentLogits.getShape() + " and "
              + teacherLogits.getShape());
    }
    float t = (float) temperature;
    NDArray teacherLog = teacherLogits.stopGradient().div(t).logSoftmax(1);
    NDArray studentLog = studentLogits.div(t).logSoftmax(1);
    return teacherLog.exp().mul(teacherLog.sub(studentLog)).sum(new int[] {1});
  }

  /**
   * SCRUB's distillation loss: {@code T² · mean_i KL_i} over the batch (PyTorch's batchmean reduction
   * times T²), a scalar.
   */
  public static NDArray kl(NDArray studentLogits, NDArray teacherLogits, double temperature) {
    return klPerSample(studentLogits, teacherLogits, temperature).mean().mul((float) (temperature * temperature));
  }

  /**
   * Bad Teacher's loss: PyTorch {@code kl_div(..., reduction='mean')}, the mean of the N × K elementwise
   * terms, which is {@code mean_i KL_i / K}; no T² factor. A scalar.
   */
  public static NDArray klElementMean(NDArray studentLogits, NDArray teacherLogits, double temperature) {
    long classes = studentLogits.getShape().get(1);
    return klPerSample(studentLogits, teacherLogits, temperature).mean().div((float) classes);
  }

  /**
   * Rows {@code rows} of precomputed per-sample vectors (logits, target distributions, centroids) as an
   * N × K tensor in {@code manager}; a plain constant, so no gradient can flow into whatever produced it.
   */
  public static NDArray gather(NDManager manager, float[][] logits, int[] rows) {
    int k = logits[rows[0]].length;
    float[] flat = new float[rows.length * k];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(logits[rows[i]], 0, flat, i * k, k);
    }
    return manager.create(FloatBuffer.wrap(flat), new Shape(rows.length, k));
  }
}
