package dev.lethe.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lethe.Doc;
import dev.lethe.LetheException;
import java.util.Objects;

/**
 * How a network is trained from scratch: SGD with momentum and weight decay under a learning-rate schedule.
 * The original model and the retrained reference use the same config, so they differ only in their data.
 *
 * @param epochs passes over the training data
 * @param batchSize images per step
 * @param lr base learning rate
 * @param momentum SGD momentum (PyTorch semantics)
 * @param weightDecay L2 coefficient added to the gradient
 * @param schedule the learning-rate schedule ({@link LrSchedule})
 * @param clip FastClip spectral-norm bound of every conv and linear layer ({@code SpectralClip}); 0 trains
 *     without clipping and is left out of the JSON, so unclipped configs keep their artifact keys
 * @param augment the augmentation of every training batch ({@link Augmentation}); {@code none} is left out of
 *     the JSON, so unaugmented configs keep their artifact keys and recipe setups, and JSON without the field
 *     reads back as {@code none}
 */
public record TrainConfig(
    @Doc("training epochs") int epochs,
    @Doc("images per step") int batchSize,
    @Doc("base learning rate") double lr,
    @Doc("SGD momentum") double momentum,
    @Doc("weight decay") double weightDecay,
    @Doc("learning-rate schedule: cosine, step or constant") LrSchedule schedule,
    @Doc("spectral-norm bound of every conv and linear layer (FastClip); 0 = no clipping")
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) double clip,
    @Doc("training-batch augmentation: none or crop-flip")
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NoAugmentation.class) Augmentation augment) {
  /** The default benchmark's epochs: enough for the small CNN to memorise its 8,000-image pool. */
  public static final int DEFAULT_EPOCHS = 40;

  /** The default batch size. */
  public static final int DEFAULT_BATCH_SIZE = 128;

  /** The default base learning rate. */
  public static final double DEFAULT_LR = 0.02;

  /** The default SGD momentum. */
  public static final double DEFAULT_MOMENTUM = 0.9;

  /** The default weight decay. */
  public static final double DEFAULT_WEIGHT_DECAY = 5e-4;

  /** The default learning-rate schedule's id ({@link LrSchedule#parse}). */
  public static final String DEFAULT_SCHEDULE = "cosine";

  /** The default augmentation's id ({@link Augmentation#parse}): none, so the original memorises its pool. */
  public static final String DEFAULT_AUGMENT = "none";

  /**
   * The default benchmark's recipe, the CLI's defaults: 40 epochs of SGD (batch 128, lr 0.02 with cosine decay,
   * momentum 0.9, weight decay 5e-4), no clipping, no augmentation. The memorising regime of DESIGN.md.
   */
  public static final TrainConfig DEFAULT = new TrainConfig(DEFAULT_EPOCHS, DEFAULT_BATCH_SIZE, DEFAULT_LR,
      DEFAULT_MOMENTUM, DEFAULT_WEIGHT_DECAY, LrSchedule.parse(DEFAULT_SCHEDULE), 0, Augmentation.parse(DEFAULT_AUGMENT));

  /** Validates every field. */
  public TrainConfig {
    if (epochs <= 0) {
      throw new LetheException("epochs must be positive, got " + epochs);
    }
    if (batchSize <= 1) {
      throw new LetheException("batch size must be at least 2 (BatchNorm), got " + batchSize);
    }
    if (!(lr > 0) || !Double.isFinite(lr)) {
      throw new LetheException("learning rate must be a positive number, got " + lr);
    }
    if (momentum < 0 || momentum >= 1) {
      throw new LetheException("momentum must be in [0, 1), got " + momentum);
    }
    if (weightDecay < 0) {
      throw new LetheException("weight decay must be non-negative, got " + weightDecay);
    }
    Objects.requireNonNull(schedule, "schedule");
    if (!(clip >= 0) || Double.isInfinite(clip)) {
      throw new LetheException("spectral-norm clip must be a finite number >= 0 (0 = no clipping), got " + clip);
    }
    augment = Objects.requireNonNullElse(augment, Augmentation.NONE);
  }

  /** Leaves {@code augment = none} out of the JSON (Jackson excludes a value this filter equals). */
  static final class NoAugmentation {
    @Override
    public boolean equals(Object value) {
      return value == null || value == Augmentation.NONE;
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  /** A config without clipping or augmentation. */
  public TrainConfig(
      int epochs, int batchSize, double lr, double momentum, double weightDecay, LrSchedule schedule) {
    this(epochs, batchSize, lr, momentum, weightDecay, schedule, 0, Augmentation.NONE);
  }

  /** A config without augmentation. */
  public TrainConfig(
      int epochs, int batchSize, double lr, double momentum, double weightDecay, LrSchedule schedule, double clip) {
    this(epochs, batchSize, lr, momentum, weightDecay, schedule, clip, Augmentation.NONE);
  }

  /** A copy with a different number of epochs. */
  public TrainConfig withEpochs(int newEpochs) {
    return new TrainConfig(newEpochs, batchSize, lr, momentum, weightDecay, schedule, clip, augment);
  }
}
