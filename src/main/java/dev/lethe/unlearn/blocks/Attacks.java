package dev.lethe.unlearn.blocks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.lethe.LetheException;
import dev.lethe.model.Network;
import dev.lethe.train.Losses;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Adversarial perturbations of input images in [0, 1] pixel space, a building block of boundary
 * unlearning. Every attack runs the network in eval mode (BatchNorm running statistics, so samples do not
 * interact through batch statistics and the network's statistics are not updated) and leaves the
 * parameters' gradients zero, because an input-gradient pass also accumulates into every parameter.
 *
 * <p>Each call opens its own {@link GradientCollector}; DJL allows only one at a time, so attacks cannot
 * run inside a {@link dev.lethe.train.StepLoss} (which is evaluated inside the training step's collector).
 */
public final class Attacks {
  private Attacks() {}

  /**
   * FGSM (Goodfellow et al., "Explaining and Harnessing Adversarial Examples", ICLR 2015), as the
   * OPTML-Group code applies it for Boundary Shrinking: {@code x' = round255(clamp(x + ε·sign(∇ₓ CE(f(x),
   * y)), 0, 1))}, where {@code round255} snaps to the 8-bit grid {@code k/255} (round half to even). The
   * result therefore lies within {@code ε + 1/510} of {@code images} in L∞.
   *
   * @param net the attacked network; run in eval mode, its parameter gradients are zero afterwards
   *     (a gradient pending before the call is discarded too)
   * @param step the manager that owns the result and every intermediate
   * @param images an N x C x H x W float batch with values in [0, 1]
   * @param labels the int64 labels whose cross-entropy the step increases
   * @param epsilon the step size in pixel units (L∞ radius before rounding)
   */
  public static NDArray fgsm(
      Network net, NDManager step, NDArray images, NDArray labels, double epsilon) {
    NDArray gradient = inputGradient(net, step, images, labels);
    NDArray x = images.duplicate();
    x.attach(step);
    return toPixelGrid(x.add(gradient.sign().mul((float) epsilon)).clip(0f, 1f));
  }

  /**
   * The gradient of the summed per-sample cross-entropy with respect to {@code images}, with the network
   * in eval mode; each row is that sample's own loss gradient (a mean would only rescale it, which no
   * sign-based attack sees). The network's parameter gradients are zeroed before returning.
   */
  static NDArray inputGradient(Network net, NDManager step, NDArray images, NDArray labels) {
    return inputGradient(net, step, images, labels, null);
  }

  /**
   * {@link #inputGradient(Network, NDManager, NDArray, NDArray)}, also writing the network's arg-max
   * prediction on each (unperturbed) row of {@code images} into {@code predictions} when it is non-null,
   * from the same forward pass.
   */
  static NDArray inputGradient(
      Network net, NDManager step, NDArray images, NDArray labels, long[] predictions) {
    NDArray x = images.duplicate();
    x.attach(step);
    x.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray logits = net.forward(x, false);
      if (predictions != null) {
        long[] argMax = logits.argMax(1).toLongArray();
        System.arraycopy(argMax, 0, predictions, 0, argMax.length);
      }
      collector.backward(Losses.crossEntropyPerSample(logits, labels).sum());
    }
    zeroParameterGradients(net, step);
    NDArray gradient = x.getGradient().duplicate();
    gradient.attach(step);
    return gradient;
  }

  /**
   * What {@link #pgdL2} found for each row of its batch.
   *
   * @param images the adversarial images, N x C x H x W in [0, 1], owned by the attack's manager; a row
   *     the network already misclassifies is its input unchanged
   * @param labels the network's prediction on each adversarial image ({@code y_adv}); it equals the true
   *     label exactly where {@code found} is false
   * @param epsilons the L2 radius in force when each row was frozen (the last radius tried if not found)
   * @param distances {@code ||x_adv − x||₂} of each row, at most its epsilon
   * @param found whether the prediction on the row's adversarial image differs from its true label
   */
  public record L2Adversarial(
      NDArray images, int[] labels, double[] epsilons, double[] distances, boolean[] found) {}

  /**
   * Untargeted L2 PGD with a growing radius, as AMUN builds its adversarial set (Ebrahimpour-Boroojeny et
   * al., "AMUN: Adversarial Machine UNlearning" / "Not All Wrong is Bad: Using Adversarial Examples for
   * Unlearning", ICML 2025, arXiv 2503.00917; code {@code Ali-E/AMUN} {@code pgdl2_modified.py}), on top of
   * PGD (Madry et al., "Towards Deep Learning Models Resistant to Adversarial Attacks", ICLR 2018).
   *
   * <p>No random start: {@code x' = x}, radius {@code ε = epsilon} and step {@code α = ε/10} per row. Each
   * iteration predicts on {@code x'}; a row whose prediction differs from its true label is frozen there
   * (its adversarial label is that prediction, so a row already misclassified keeps {@code x}); every
   * other row steps {@code x' ← x' + α·g/(||g||₂ + 1e-10)} along its own cross-entropy gradient {@code g}
   * (L2 over C×H×W), then is projected onto the L2 ball of radius ε around {@code x} and clamped to [0, 1].
   * After every {@code steps} iterations the rows still correct double ε (and α) and continue from where
   * they are; after {@code maxDoublings} doublings the rows still correct are returned with
   * {@code found = false}. Deterministic; eval mode; parameter gradients zero afterwards.
   *
   * @param net the attacked network
   * @param step the manager that owns the result (intermediates are closed per iteration)
   * @param images an N x C x H x W float batch with values in [0, 1]
   * @param labels the true int64 labels
   * @param epsilon the initial L2 radius in [0, 1] pixel units, positive
   * @param steps PGD iterations per radius, positive
   * @param maxDoublings how often the radius may double, non-negative
   */
  public static L2Adversarial pgdL2(
      Network net, NDManager step, NDArray images, NDArray labels, double epsilon, int steps,
      int maxDoublings) {
    if (!(epsilon > 0) || !Double.isFinite(epsilon) || steps <= 0 || maxDoublings < 0) {
      throw new LetheException(
          "pgdL2 needs epsilon > 0, steps > 0 and maxDoublings >= 0, got " + epsilon + ", " + steps
              + ", " + maxDoublings);
    }
    Shape shape = images.getShape();
    int n = (int) shape.get(0);
    int size = (int) (shape.size() / Math.max(1, n));
    float[] origin = images.toFloatArray();
    float[] current = origin.clone();
    long[] truth = labels.toLongArray();
    int[] adversarialLabels = new int[n];
    double[] epsilons = new double[n];
    double[] distances = new double[n];
    boolean[] found = new boolean[n];
    boolean[] frozen = new boolean[n];
    Arrays.fill(epsilons, epsilon);
    int active = n;
    int rounds = steps * (maxDoublings + 1);
    for (int t = 0; t <= rounds && active > 0; t++) {
      if (t > 0 && t % steps == 0 && t < rounds) {
        for (int i = 0; i < n; i++) {
          if (!frozen[i]) {
            epsilons[i] *= 2;
          }
        }
      }
      int[] rows = new int[active];
      for (int i = 0, k = 0; i < n; i++) {
        if (!frozen[i]) {
          rows[k++] = i;
        }
      }
      try (NDManager iteration = step.newSubManager()) {
        Shape batch = new Shape(rows.length, shape.get(1), shape.get(2), shape.get(3));
        NDArray x = iteration.create(FloatBuffer.wrap(gatherRows(current, rows, size)), batch);
        NDArray x0 = iteration.create(FloatBuffer.wrap(gatherRows(origin, rows, size)), batch);
        long[] y = new long[rows.length];
        float[] radius = new float[rows.length];
        for (int k = 0; k < rows.length; k++) {
          y[k] = truth[rows[k]];
          radius[k] = (float) epsilons[rows[k]];
        }
        long[] predicted = new long[rows.length];
        NDArray gradient = inputGradient(net, iteration, x, iteration.create(y), predicted);
        for (int k = 0; k < rows.length; k++) {
          if (predicted[k] != y[k]) {
            frozen[rows[k]] = true;
            found[rows[k]] = true;
            adversarialLabels[rows[k]] = (int) predicted[k];
            active--;
          } else if (t == rounds) {
            frozen[rows[k]] = true;
            adversarialLabels[rows[k]] = (int) predicted[k];
            active--;
          }
        }
        if (t == rounds) {
          break;
        }
        NDArray eps = iteration.create(radius, new Shape(rows.length, 1, 1, 1));
        NDArray stepped =
            x.add(gradient.div(rowNorm(gradient).add(1e-10f)).mul(eps.div(10f)));
        NDArray delta = stepped.sub(x0);
        NDArray projected =
            x0.add(delta.mul(eps.div(rowNorm(delta).add(1e-12f)).minimum(1f))).clip(0f, 1f);
        float[] next = projected.toFloatArray();
        for (int k = 0; k < rows.length; k++) {
          if (!frozen[rows[k]]) {
            System.arraycopy(next, k * size, current, rows[k] * size, size);
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = i * size; j < (i + 1) * size; j++) {
        double d = current[j] - origin[j];
        sum += d * d;
      }
      distances[i] = Math.sqrt(sum);
    }
    NDArray result = step.create(FloatBuffer.wrap(current), shape);
    return new L2Adversarial(result, adversarialLabels, epsilons, distances, found);
  }

  /** The L2 norm of each row of an N x ... tensor, shaped N x 1 x 1 x 1 for broadcasting. */
  private static NDArray rowNorm(NDArray x) {
    return x.reshape(x.getShape().get(0), -1).square().sum(new int[] {1}).sqrt().reshape(-1, 1, 1, 1);
  }

  private static float[] gatherRows(float[] data, int[] rows, int size) {
    float[] out = new float[rows.length * size];
    for (int k = 0; k < rows.length; k++) {
      System.arraycopy(data, rows[k] * size, out, k * size, size);
    }
    return out;
  }

  /** Snaps values to the 8-bit grid {@code k/255}, as the reference code's {@code discretize}. */
  static NDArray toPixelGrid(NDArray x) {
    return x.mul(255f).round().div(255f);
  }

  /** Zeroes every trainable parameter's gradient (DJL never does), as {@code SgdOptimizer.zeroGradients}. */
  private static void zeroParameterGradients(Network net, NDManager step) {
    for (Parameter p : net.trainableParameters()) {
      NDArray g = p.getArray().getGradient();
      g.attach(step);
      g.subi(g);
    }
  }
}
