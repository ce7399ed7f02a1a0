package dev.lethe.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.lethe.LetheException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A classifier: a DJL block built from a {@link ModelSpec}, its parameters and the NDManager that owns
 * them. The block is {@code SequentialBlock(features, head)}; {@link #embed} taps the features.
 * Unlearners never mutate the network they are given: they work on a {@link #copy()}.
 */
public final class Network implements AutoCloseable {
  private static final Object INIT_LOCK = new Object();

  private final ModelSpec spec;
  private final NDManager manager;
  private final SequentialBlock block;
  private final Block features;
  private final Block head;
  private ParameterStore store;

  private Network(ModelSpec spec, NDManager manager, long seed) {
    this.spec = spec;
    this.manager = manager;
    Block[] parts = Architectures.build(spec);
    this.features = parts[0];
    this.head = parts[1];
    this.block = new SequentialBlock().add(features).add(head);
    synchronized (INIT_LOCK) {
      // DJL seeds initialisation through the engine's global generator: seed right before initialising.
      Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
      block.initialize(manager, DataType.FLOAT32, inputShape(1));
    }
    this.store = new ParameterStore(manager, false);
  }

  /** Builds a freshly initialised network; the same spec and seed give bit-identical weights. */
  public static Network create(ModelSpec spec, long seed) {
    return new Network(spec, NDManager.newBaseManager(), seed);
  }

  /** The architecture this network was built from. */
  public ModelSpec spec() {
    return spec;
  }

  /** The manager that owns the parameters; step managers are children of it. */
  public NDManager manager() {
    return manager;
  }

  /** The input shape for a batch of {@code n} images. */
  public Shape inputShape(int n) {
    return new Shape(n, spec.channels(), spec.height(), spec.width());
  }

  /** Logits for a batch; {@code training} selects batch statistics (true) or running statistics. */
  public NDArray forward(NDArray images, boolean training) {
    return block.forward(store, new NDList(images), training).singletonOrThrow();
  }

  /**
   * Penultimate-layer embeddings for a batch: the output of the features block, one row of d values per
   * image. A {@link LetheException} if the features block does not return a batch x d matrix.
   */
  public NDArray embed(NDArray images, boolean training) {
    return requireEmbedding(
        spec.architecture(), features.forward(store, new NDList(images), training).singletonOrThrow());
  }

  /** The head (final classifier) applied to embeddings from {@link #embed}: the logits. */
  public NDArray head(NDArray embeddings, boolean training) {
    return head.forward(store, new NDList(embeddings), training).singletonOrThrow();
  }

  /**
   * Returns {@code features} if it is a batch x d matrix, the shape methods working in representation
   * space need; otherwise a one-line {@link LetheException} naming {@code architecture}.
   */
  static NDArray requireEmbedding(String architecture, NDArray features) {
    if (features.getShape().dimension() != 2) {
      throw new LetheException(
          "network " + architecture + " has no embedding tap: its features block returns shape "
              + features.getShape() + " instead of batch x d; flatten the features or pick another --model");
    }
    return features;
  }

  /**
   * The head's weight matrix (classes x embedding size): row k maps an embedding to class k's logit.
   * Owned by this network; read it, do not close it.
   */
  public NDArray headWeight() {
    return head.getParameters().get("weight").getArray();
  }

  /** The whole block, {@code SequentialBlock(features, head)}, for walking its layers ({@link Layers}). */
  SequentialBlock block() {
    return block;
  }

  /** Every parameter in a stable order, including BatchNorm running statistics. */
  public List<Pair<String, Parameter>> parameters() {
    return block.getParameters().stream().toList();
  }

  /** The parameters an optimiser updates (BatchNorm running statistics excluded). */
  public List<Parameter> trainableParameters() {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) {
        out.add(p.getValue());
      }
    }
    return out;
  }

  /** Number of trainable scalars. */
  public long trainableCount() {
    long n = 0;
    for (Parameter p : trainableParameters()) {
      n += p.getArray().size();
    }
    return n;
  }

  /** A deep copy with its own manager: changing either network never changes the other. */
  public Network copy() {
    Network twin = new Network(spec, NDManager.newBaseManager(), 0);
    List<Pair<String, Parameter>> src = parameters();
    List<Pair<String, Parameter>> dst = twin.parameters();
    for (int i = 0; i < src.size(); i++) {
      NDArray from = src.get(i).getValue().getArray();
      NDArray to = dst.get(i).getValue().getArray();
      if (!src.get(i).getKey().equals(dst.get(i).getKey()) || !from.getShape().equals(to.getShape())) {
        throw new IllegalStateException("parameter layout differs at " + src.get(i).getKey());
      }
      from.copyTo(to);
    }
    return twin;
  }

  /**
   * A deep copy with a head of {@code classes} outputs. Every feature parameter (BatchNorm statistics
   * included) is copied, and so are the head's weight rows and bias entries of the classes both networks
   * share (the first {@code min(classes, spec().classes())}); rows beyond this network's classes keep the
   * fresh initialisation drawn from {@code seed} (DJL's Linear default: He-normal weights, zero bias).
   * Adds classes at the end (Boundary Expanding's shadow class) or drops the last ones (pruning it
   * again); with the same class count the result equals {@link #copy()}.
   */
  public Network resizedHead(int classes, long seed) {
    ModelSpec target =
        new ModelSpec(spec.architecture(), spec.channels(), spec.height(), spec.width(), classes,
            spec.baseWidth());
    Network twin = new Network(target, NDManager.newBaseManager(), seed);
    try {
      Set<Parameter> headParameters = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Pair<String, Parameter> p : head.getParameters()) {
        headParameters.add(p.getValue());
      }
      List<Pair<String, Parameter>> src = parameters();
      List<Pair<String, Parameter>> dst = twin.parameters();
      for (int i = 0; i < src.size(); i++) {
        NDArray from = src.get(i).getValue().getArray();
        NDArray to = dst.get(i).getValue().getArray();
        if (!src.get(i).getKey().equals(dst.get(i).getKey())) {
          throw new IllegalStateException("parameter layout differs at " + src.get(i).getKey());
        }
        if (headParameters.contains(src.get(i).getValue())) {
          copyLeadingRows(from, to);
        } else if (from.getShape().equals(to.getShape())) {
          from.copyTo(to);
        } else {
          throw new IllegalStateException("parameter layout differs at " + src.get(i).getKey());
        }
      }
      return twin;
    } catch (RuntimeException e) {
      twin.close();
      throw e;
    }
  }

  /** Overwrites the leading rows of {@code to} with those of {@code from}; the other rows stay. */
  private static void copyLeadingRows(NDArray from, NDArray to) {
    long rows = Math.min(from.getShape().get(0), to.getShape().get(0));
    if (!from.getShape().slice(1).equals(to.getShape().slice(1))) {
      throw new IllegalStateException("head shapes " + from.getShape() + " and " + to.getShape() + " differ");
    }
    try (NDManager scratch = to.getManager().newSubManager()) {
      // results of ops land on the first operand's manager, i.e. on a network's: keep them in scratch
      NDArray merged = from.get(new NDIndex(":{}", rows));
      merged.attach(scratch);
      if (rows < to.getShape().get(0)) {
        NDArray fresh = to.get(new NDIndex("{}:", rows));
        fresh.attach(scratch);
        merged = merged.concat(fresh, 0);
      }
      merged.copyTo(to);
    }
  }

  /** Writes all parameters in DJL's parameter format. */
  public void saveParameters(OutputStream out) throws IOException {
    block.saveParameters(new DataOutputStream(out));
  }

  /** Replaces all parameters with ones read from a stream written by {@link #saveParameters}. */
  public void loadParameters(InputStream in) throws IOException {
    try {
      block.loadParameters(manager, new DataInputStream(in));
    } catch (ai.djl.MalformedModelException e) {
      throw new IOException("malformed parameter file: " + e.getMessage(), e);
    }
    // DJL installs decoded tensors without autograd, and the old store caches the replaced arrays.
    for (Parameter p : trainableParameters()) {
      p.getArray().setRequiresGradient(true);
    }
    store = new ParameterStore(manager, false);
  }

  /** A signature of every parameter's name and shape, used to reject mismatched checkpoints. */
  public String layoutSignature() {
    StringBuilder sb = new StringBuilder();
    for (Pair<String, Parameter> p : parameters()) {
      sb.append(p.getKey()).append(p.getValue().getArray().getShape()).append(';');
    }
    return sb.toString();
  }

  @Override
  public void close() {
    manager.close();
  }
}
