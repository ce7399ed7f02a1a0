package dev.lethe.unlearn.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.lethe.data.Dataset;
import dev.lethe.train.AdamOptimizer;
import dev.lethe.train.BatchStream;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Optimization;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small variational autoencoder over a network's embeddings, LAF's model of an embedding distribution (Shen et
 * al., "Label-Agnostic Forgetting: A Supervision-Free Unlearning in Deep Models", ICLR 2024; official code
 * ShaofeiShen768/LAF, {@code Model.py} and {@code Train.vae_train}). Encoder d → 128 → 32 → (μ, log σ²) with
 * ReLUs, σ = exp(½·log σ²), z = μ + σ·ε; decoder latent → 32 → 128 → d with ReLUs and a sigmoid output (as the
 * code, although embeddings are not confined to [0, 1]). Loss
 * {@code Σ (x̂ − e)² / B + 0.025 · (−½ Σ (log(σ² + 1e-8) + 1 − μ² − σ²)) / B}. Weights start as PyTorch's
 * {@code nn.Linear} does, uniform in ±1/√fan_in for weights and biases, drawn from the given seed; the noise ε is
 * drawn from a seeded generator too, so a fit and every later reconstruction are reproducible.
 */
public final class EmbeddingVae implements AutoCloseable {
  /** The encoder's first and the decoder's last hidden width (the code's, for its 256-wide embedding). */
  public static final int WIDE = 128;
  /** The encoder's second and the decoder's first hidden width. */
  public static final int NARROW = 32;
  /** The weight of the KL term in the fitting loss. */
  public static final double KL_WEIGHT = 0.025;

  private final NDManager manager;
  private final ParameterStore store;
  private final int latent;
  private final Linear[] encoder;
  private final Linear mu;
  private final Linear logVar;
  private final Linear[] decoder;

  /** An untrained VAE over {@code dim}-wide embeddings with a {@code latent}-wide code, initialised from {@code seed}. */
  public EmbeddingVae(int dim, int latent, long seed) {
    this.manager = NDManager.newBaseManager();
    this.latent = latent;
    try {
      SplittableRandom random = new SplittableRandom(seed);
      encoder = new Linear[] {layer(dim, WIDE, random), layer(WIDE, NARROW, random)};
      mu = layer(NARROW, latent, random);
      logVar = layer(NARROW, latent, random);
      decoder = new Linear[] {layer(latent, NARROW, random), layer(NARROW, WIDE, random), layer(WIDE, dim, random)};
      store = new ParameterStore(manager, false);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** A Linear of {@code in → out} with PyTorch's default initialisation drawn from {@code random}. */
  private Linear layer(int in, int out, SplittableRandom random) {
    Linear linear = Linear.builder().setUnits(out).build();
    linear.initialize(manager, DataType.FLOAT32, new Shape(1, in));
    double bound = 1 / Math.sqrt(in);
    for (Pair<String, Parameter> p : linear.getParameters()) {
      NDArray array = p.getValue().getArray();
      float[] values = new float[(int) array.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
      }
      array.set(values);
    }
    return linear;
  }

  /** The width of the latent code. */
  public int latent() {
    return latent;
  }

  /** Every parameter, encoder first. */
  public List<Parameter> parameters() {
    List<Parameter> out = new ArrayList<>();
    for (Linear linear : layers()) {
      for (Pair<String, Parameter> p : linear.getParameters()) {
        out.add(p.getValue());
      }
    }
    return out;
  }

  private List<Linear> layers() {
    return List.of(encoder[0], encoder[1], mu, logVar, decoder[0], decoder[1], decoder[2]);
  }

  /** The encoder's (μ, log σ²) for embeddings {@code e} (B x d). */
  public NDArray[] encode(NDArray e) {
    NDArray h = Activation.relu(apply(encoder[1], Activation.relu(apply(encoder[0], e))));
    return new NDArray[] {apply(mu, h), apply(logVar, h)};
  }

  /** The decoder's sigmoid output for codes {@code z} (B x latent). */
  public NDArray decode(NDArray z) {
    NDArray h = Activation.relu(apply(decoder[1], Activation.relu(apply(decoder[0], z))));
    return Activation.sigmoid(apply(decoder[2], h));
  }

  /** The reconstruction of {@code e} through the code {@code z = μ + σ·noise} (noise B x latent, standard normal). */
  public NDArray reconstruct(NDArray e, NDArray noise) {
    NDArray[] code = encode(e);
    return decode(code[0].add(code[1].mul(0.5f).exp().mul(noise)));
  }

  /** The fitting loss of the class comment on embeddings {@code e} with sampling noise {@code noise}. */
  public NDArray loss(NDArray e, NDArray noise) {
    NDArray[] code = encode(e);
    NDArray sigma = code[1].mul(0.5f).exp();
    NDArray reconstruction = decode(code[0].add(sigma.mul(noise)));
    float batch = e.getShape().get(0);
    NDArray squared = reconstruction.sub(e).square().sum().div(batch);
    NDArray variance = sigma.square();
    NDArray kl = variance.add(1e-8f).log().add(1).sub(code[0].square()).sub(variance).sum().mul(-0.5f).div(batch);
    return squared.add(kl.mul((float) KL_WEIGHT));
  }

  /** {@code rows} x {@link #latent} standard normal values from {@code random}, owned by {@code manager}. */
  public NDArray noise(NDManager manager, int rows, SplittableRandom random) {
    float[] values = new float[rows * latent];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return manager.create(values, new Shape(rows, latent));
  }

  /**
   * Fits the VAE with Adam (PyTorch's defaults, rate {@code lr}) to the embeddings {@code embeddings} (one row per
   * sample of {@code samples}, whose rows index them; its images and labels are never read): {@code epochs}
   * shuffled passes in batches of {@code batchSize}, shuffles and noise from {@code seed}. The embeddings are
   * fixed (the original is frozen), so they are computed once by the caller instead of on every pass. The VAE's
   * parameters are frozen afterwards: later losses through it never accumulate gradients in it.
   *
   * @return the loss of the last step
   */
  public double fit(
      Dataset samples, float[][] embeddings, int epochs, int batchSize, double lr, long seed, String what,
      Progress progress) {
    SplittableRandom random = new SplittableRandom(seed);
    BatchStream batches = new BatchStream(samples, batchSize, random.nextLong(), true);
    Schedule schedule = new Schedule(epochs * batches.batchesPerEpoch(), batches.batchesPerEpoch(),
        Math.min(batchSize, samples.size()), lr, LrSchedule.CONSTANT);
    double last;
    try (AdamOptimizer adam = new AdamOptimizer(parameters(), manager, 0)) {
      last = Optimization.run(manager, adam, schedule, (step, t) -> {
        int[] rows = batches.next();
        return loss(Distillation.gather(step, embeddings, rows), noise(step, rows.length, random));
      }, what, progress);
    }
    for (Linear linear : layers()) {
      linear.freezeParameters(true);
    }
    return last;
  }

  private NDArray apply(Linear linear, NDArray x) {
    return linear.forward(store, new NDList(x), false).singletonOrThrow();
  }

  @Override
  public void close() {
    manager.close();
  }
}
