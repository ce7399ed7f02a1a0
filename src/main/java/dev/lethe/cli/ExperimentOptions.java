package dev.lethe.cli;

import dev.lethe.Choice;
import dev.lethe.LetheException;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.data.DatasetLoader;
import dev.lethe.data.IdFile;
import dev.lethe.data.SplitConfig;
import dev.lethe.model.ModelSpec;
import dev.lethe.train.Augmentation;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that define an experiment (dataset, split, model, training recipe, store), shared by every
 * verb so they are spelled and defaulted once. The defaults are the embedded benchmark, {@link SplitConfig#DEFAULT}
 * and {@link TrainConfig#DEFAULT}: a small CNN trained into the memorising regime on 8,000 Fashion-MNIST images
 * (see BENCHMARKS.md for why). The sizes have no picocli default so that a size given beside an id file that
 * disagrees with it is an error, not silently overridden.
 */
public final class ExperimentOptions {
  /** The audit preset's pool (see {@link #applyAuditPreset}). */
  static final int AUDIT_TRAIN_SIZE = 2000;
  /** The audit preset's cnn width. */
  static final int AUDIT_WIDTH = 8;
  /** The audit preset's epochs. */
  static final int AUDIT_EPOCHS = 30;
  /** The audit preset's batch size: twice the default's steps per epoch, which is what makes 30 epochs memorise. */
  static final int AUDIT_BATCH_SIZE = 64;
  /** The audit preset as flags, for help texts. */
  static final String AUDIT_PRESET = "--train-size " + AUDIT_TRAIN_SIZE + ", cnn --width " + AUDIT_WIDTH
      + ", --epochs " + AUDIT_EPOCHS + ", --batch-size " + AUDIT_BATCH_SIZE;
  /**
   * The subdirectory of the recipes directory that {@code lethe tune --audit-preset} writes to; recipes apply by
   * setup, so {@code bench --audit strong} finds them there without being told.
   */
  static final String AUDIT_PRESET_RECIPES = "audit-preset";

  @Option(names = "--dataset", defaultValue = DatasetLoader.FASHION_MNIST,
      description = "Dataset: fashion-mnist, cifar10, cifar100 (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--data-dir",
      description = "Directory of the dataset files (default: /usr/share/datasets/fashion-mnist for fashion-mnist).")
  Path dataDir;

  @Option(names = "--model", defaultValue = ModelSpec.DEFAULT_ARCHITECTURE,
      description = "Architecture: mlp, cnn, cnn-nobn (the cnn without BatchNorm), resnet18 (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--width", description = "Base width of the model (default: 16 for cnn and cnn-nobn, 256 for mlp, 64 for resnet18).")
  Integer width;

  @Option(names = "--train-size",
      description = "Images in the training pool, drawn from the training file (default: " + SplitConfig.DEFAULT_TRAIN_SIZE
          + "; with --pool-ids, the number of ids).")
  Integer trainSize;

  @Option(names = "--val-size",
      description = "Held-out validation images (default: " + SplitConfig.DEFAULT_VALIDATION_SIZE
          + "; with --val-ids, the number of ids).")
  Integer valSize;

  @Option(names = "--test-size",
      description = "Test images drawn from the test file; 0 = all (default: " + SplitConfig.DEFAULT_TEST_SIZE
          + "; with --test-ids, the number of ids).")
  Integer testSize;

  @Option(names = "--split-seed", defaultValue = "" + SplitConfig.DEFAULT_SEED,
      description = "Seed of the pool/validation/test draw, fixed across --seeds (default: ${DEFAULT-VALUE}).")
  long splitSeed;

  @Option(names = "--pool-ids", paramLabel = "FILE",
      description = "Train on exactly these training-file ids, one per line (as `lethe split` writes them); the "
          + "validation split is then drawn from the other rows unless --val-ids is given.")
  Path poolIds;

  @Option(names = "--val-ids", paramLabel = "FILE",
      description = "Validate on exactly these training-file ids, one per line; they must not be in the pool.")
  Path valIds;

  @Option(names = "--test-ids", paramLabel = "FILE",
      description = "Test on exactly these test-file ids, one per line.")
  Path testIds;

  @Option(names = "--epochs",
      description = "Training epochs of the original and of the retrained reference (default: "
          + TrainConfig.DEFAULT_EPOCHS + ").")
  Integer epochs;

  @Option(names = "--batch-size", description = "Training batch size (default: " + TrainConfig.DEFAULT_BATCH_SIZE + ").")
  Integer batchSize;

  @Option(names = "--lr", defaultValue = "" + TrainConfig.DEFAULT_LR,
      description = "Training learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--momentum", defaultValue = "" + TrainConfig.DEFAULT_MOMENTUM,
      description = "SGD momentum (default: ${DEFAULT-VALUE}).")
  double momentum;

  @Option(names = "--weight-decay", defaultValue = "" + TrainConfig.DEFAULT_WEIGHT_DECAY,
      description = "Weight decay (default: ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(names = "--schedule", defaultValue = TrainConfig.DEFAULT_SCHEDULE,
      description = "Learning-rate schedule: cosine, step, constant (default: ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = "--clip", paramLabel = "C",
      description = "FastClip: keep the spectral norm of every conv and linear layer at most C during training "
          + "(default: no clipping; with --model cnn-nobn the network is then Lipschitz).")
  Double clip;

  @Option(names = "--augment", defaultValue = TrainConfig.DEFAULT_AUGMENT,
      description = "Training-batch augmentation of the original, the retrained reference and the unlearning "
          + "methods whose reference code augments (see lethe methods): none, or crop-flip (zero-pad 2 pixels "
          + "for images up to 28 high, 4 above, random crop back to size, horizontal flip with probability 1/2) "
          + "(default: ${DEFAULT-VALUE}).")
  String augment;

  @Option(names = "--store", description = "Artifact cache directory (default: ~/.cache/lethe).")
  Path store;

  /** The training recipe these options describe. */
  TrainConfig training() {
    if (clip != null && !(clip > 0)) {
      throw new LetheException("--clip must be positive; omit it to train without clipping");
    }
    TrainConfig d = TrainConfig.DEFAULT;
    return new TrainConfig(epochs == null ? d.epochs() : epochs, batchSize == null ? d.batchSize() : batchSize,
        lr, momentum, weightDecay, Choice.parse(LrSchedule.class, "--schedule", schedule), clip == null ? 0 : clip,
        Choice.parse(Augmentation.class, "--augment", augment));
  }

  /** The split these options describe; reads and checks the id files it names. */
  SplitConfig split() {
    IdFile pool = poolIds == null ? null : IdFile.of(poolIds, "--pool-ids file");
    IdFile validation = valIds == null ? null : IdFile.of(valIds, "--val-ids file");
    IdFile test = testIds == null ? null : IdFile.of(testIds, "--test-ids file");
    SplitConfig d = SplitConfig.DEFAULT;
    return new SplitConfig(size(trainSize, pool, d.trainSize()), size(valSize, validation, d.validationSize()),
        size(testSize, test, d.testSize()), splitSeed, pool, validation, test);
  }

  /** The size given on the command line, else the id file's count, else the default. */
  private static int size(Integer given, IdFile ids, int fallback) {
    return given != null ? given : ids != null ? ids.count() : fallback;
  }

  /**
   * The audit preset of {@code bench --audit strong} and {@code tune --audit-preset}, small enough to train an ensemble on this project's 2-core
   * machine while the original still memorises (train accuracy at least 99 %, measured in BENCHMARKS.md): a
   * pool of {@value #AUDIT_TRAIN_SIZE} images, the cnn at width {@value #AUDIT_WIDTH}, {@value #AUDIT_EPOCHS}
   * epochs of batches of {@value #AUDIT_BATCH_SIZE}. Each applies unless the user gave its option (or a pool id
   * file; the width only to the cnn).
   *
   * @return what was applied, for the line that says so; empty when the user set all of it
   */
  String applyAuditPreset() {
    List<String> applied = new ArrayList<>();
    if (trainSize == null && poolIds == null) {
      trainSize = AUDIT_TRAIN_SIZE;
      applied.add("--train-size " + AUDIT_TRAIN_SIZE);
    }
    if (width == null && model.equals("cnn")) {
      width = AUDIT_WIDTH;
      applied.add("--width " + AUDIT_WIDTH);
    }
    if (epochs == null) {
      epochs = AUDIT_EPOCHS;
      applied.add("--epochs " + AUDIT_EPOCHS);
    }
    if (batchSize == null) {
      batchSize = AUDIT_BATCH_SIZE;
      applied.add("--batch-size " + AUDIT_BATCH_SIZE);
    }
    return String.join(" ", applied);
  }

  /** Applies the audit preset ({@link #applyAuditPreset}) and says on stderr what {@code flag} applied. */
  void useAuditPreset(String flag) {
    String preset = applyAuditPreset();
    if (!preset.isEmpty()) {
      System.err.println("lethe: " + flag + " uses the audit preset: " + preset);
    }
  }

  /** The model width, defaulted per architecture. */
  int width() {
    int fallback = ModelSpec.defaultWidth(model);
    return width != null ? width : fallback;
  }

  Path storeRoot() {
    return store != null ? store : ArtifactStore.defaultRoot();
  }

  /** Loads the data and builds the experiment. */
  Experiment experiment() {
    return new Experiment(dataset, dataDir, model, width(), split(), training(), Stores.of(store));
  }
}
