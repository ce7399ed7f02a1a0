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
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.lethe.LetheException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A classifier: a DJL block built from an {@link Architecture} (a built-in {@link ModelSpec} or a network of
 * your own), its parameters and the NDManager that owns them. The block is {@code SequentialBlock(features,
 * head)}; {@link #embed} taps the features. Unlearners never mutate the network they are given: they work on a
 * {@link #copy()}.
 */
public final class Network implements AutoCloseable {
  private static final Object INIT_LOCK = new Object();

  /**
   * A part of a network that some unlearning methods read besides its logits ({@code Unlearner.needs()}). Every
   * built-in architecture has both; a network of your own has what its blocks make it.
   */
  public enum Part {
    /** An embedding tap: the features block returns a batch x d matrix ({@link #embed}). */
    EMBEDDING("an embedding tap (a features block returning batch x d)"),
    /** A linear head: the head is one {@code Linear} block, whose weight rows stand for the classes. */
    LINEAR_HEAD("a linear head (one Linear block)");

    private final String what;

    Part(String what) {
      this.what = what;
    }

    /** What the part is, for messages: {@code an embedding tap (a features block returning batch x d)}. */
    public String describe() {
      return what;
    }
  }

  private final Architecture architecture;
  private final NDManager manager;
  private final SequentialBlock block;
  private final Block features;
  private final Block head;
  private ParameterStore store;
  private Shape embeddingShape;

  private Network(Architecture architecture, NDManager manager, long seed) {
    this.architecture = architecture;
    this.manager = manager;
    Block[] parts = blocks(architecture);
    this.features = parts[0];
    this.head = parts[1];
    this.block = new SequentialBlock().add(features).add(head);
    try {
      synchronized (INIT_LOCK) {
        // DJL seeds initialisation through the engine's global generator: seed right before initialising.
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        initialize(architecture, block, manager, inputShape(1));
      }
      this.store = new ParameterStore(manager, false);
      if (architecture instanceof CustomArchitecture) {
        checkHead();
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Builds a freshly initialised network; the same architecture and seed give bit-identical weights. */
  public static Network create(Architecture architecture, long seed) {
    return new Network(architecture, NDManager.newBaseManager(), seed);
  }

  /** A freshly initialised network of this one's architecture, drawn from {@code seed}. */
  public Network fresh(long seed) {
    return create(architecture, seed);
  }

  /** New, uninitialised features and head blocks of {@code architecture}. */
  static Block[] blocks(Architecture architecture) {
    if (architecture instanceof ModelSpec spec) {
      return Architectures.build(spec);
    }
    CustomArchitecture custom = (CustomArchitecture) architecture;
    Block[] parts = {custom.features().get(), custom.head().apply(custom.classes())};
    if (parts[0] == null || parts[1] == null || parts[0].isInitialized() || parts[1].isInitialized()) {
      throw new LetheException("network " + custom.name() + ": its features and head factories must build a new,"
          + " uninitialised block on every call (networks are copied by building their blocks again)");
    }
    return parts;
  }

  /** Initialises {@code block}; a block of your own that cannot take the input shape is a one-line error. */
  private static void initialize(Architecture architecture, Block block, NDManager manager, Shape input) {
    if (architecture instanceof ModelSpec) {
      block.initialize(manager, DataType.FLOAT32, input);
      return;
    }
    try {
      block.initialize(manager, DataType.FLOAT32, input);
    } catch (RuntimeException e) {
      throw new LetheException("network " + architecture.name() + " cannot take images of " + architecture.channels()
          + "x" + architecture.height() + "x" + architecture.width() + ": " + firstLine(e));
    }
  }

  /** Rejects a network of your own whose head does not output one logit per class. */
  private void checkHead() {
    Shape logits;
    try (NDManager probe = manager.newSubManager()) {
      logits = forward(probe.zeros(inputShape(1)), false).getShape();
    } catch (RuntimeException e) {
      throw new LetheException("network " + architecture.name() + " fails on an image of " + architecture.channels()
          + "x" + architecture.height() + "x" + architecture.width() + ": " + firstLine(e));
    }
    if (!logits.equals(new Shape(1, architecture.classes()))) {
      throw new LetheException("network " + architecture.name() + " is declared with " + architecture.classes()
          + " classes, but its head outputs shape " + logits + " for one image instead of (1, "
          + architecture.classes() + "): build the head with the class count it is given");
    }
  }

  private static String firstLine(RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** What this network was built from. */
  public Architecture architecture() {
    return architecture;
  }

  /** The number of classes: the head's outputs. */
  public int classes() {
    return architecture.classes();
  }

  /**
   * Whether eval-mode prediction should feed channels-last batches: true for the built-in convolutional
   * architectures (measured bitwise-equal logits, sooner), false for the mlp, which flattens its input first,
   * and for networks of your own, whose first block is unknown.
   */
  public boolean readsChannelsLast() {
    return architecture instanceof ModelSpec spec && spec.convolutional();
  }

  /** Whether this network has {@code part}. */
  public boolean has(Part part) {
    return switch (part) {
      case EMBEDDING -> embeddingShape().dimension() == 2;
      case LINEAR_HEAD -> head instanceof Linear;
    };
  }

  /**
   * Checks this network has every one of {@code parts}; {@code who} (a method id) names what needs them in the
   * one-line {@link LetheException} otherwise.
   */
  public void require(Collection<Part> parts, String who) {
    for (Part part : parts) {
      if (!has(part)) {
        String why = part == Part.EMBEDDING
            ? "its features block returns shape " + embeddingShape() + " for one image; end it with a flatten"
            : "its head is a " + head.getClass().getSimpleName() + "; make the head one Linear block";
        throw new LetheException(who + " needs " + part.what + ", and network " + architecture.name()
            + " has none: " + why);
      }
    }
  }

  /** The shape of the features block's eval-mode output for one image, computed once. */
  private Shape embeddingShape() {
    if (embeddingShape == null) {
      try (NDManager probe = manager.newSubManager()) {
        embeddingShape = features.forward(store, new NDList(probe.zeros(inputShape(1))), false)
            .singletonOrThrow().getShape();
      }
    }
    return embeddingShape;
  }

  /** The manager that owns the parameters; step managers are children of it. */
  public NDManager manager() {
    return manager;
  }

  /** The input shape for a batch of {@code n} images. */
  public Shape inputShape(int n) {
    return new Shape(n, architecture.channels(), architecture.height(), architecture.width());
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
        architecture.name(), features.forward(store, new NDList(images), training).singletonOrThrow());
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
              + features.getShape() + " instead of batch x d; end the features with a flatten or pick another --model");
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

  /** The parameter store forwards run with, for walking the layers with real inputs ({@link Layers#inputs}). */
  ParameterStore store() {
    return store;
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

  /** The head's trainable parameters: what a head-only optimiser updates (LAF's repair step). */
  public List<Parameter> headParameters() {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : head.getParameters()) {
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
    Network twin = new Network(architecture, NDManager.newBaseManager(), 0);
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
   * A {@link #copy()} that {@code update} has changed in place (an unlearning method's run). If the update
   * throws (a diverged loss, bad input), the copy is closed before the exception leaves, so a failed run
   * never leaks its native memory.
   */
  public Network updatedCopy(Consumer<Network> update) {
    Network twin = copy();
    try {
      update.accept(twin);
      return twin;
    } catch (RuntimeException | Error e) {
      twin.close();
      throw e;
    }
  }

  /**
   * A deep copy with a head of {@code classes} outputs. Every feature parameter (BatchNorm statistics
   * included) is copied, and so are the head's weight rows and bias entries of the classes both networks
   * share (the first {@code min(classes, classes())}); rows beyond this network's classes keep the fresh
   * initialisation drawn from {@code seed} (DJL's Linear default: He-normal weights, zero bias). A head of your
   * own is built again by its factory with the new class count, and every head parameter keeps its leading rows.
   * Adds classes at the end (Boundary Expanding's shadow class) or drops the last ones (pruning it
   * again); with the same class count the result equals {@link #copy()}.
   */
  public Network resizedHead(int classes, long seed) {
    Network twin = new Network(architecture.withClasses(classes), NDManager.newBaseManager(), seed);
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
