package dev.lethe.data;

import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The poisoned copy of a training pool that a {@link ForgetSpec.Poison} request describes, and the forget set it
 * implies (the poisoned images). A backdoor ({@link ForgetSpec.Backdoor}, BadNets: Gu et al., "BadNets:
 * Identifying Vulnerabilities in the Machine Learning Model Supply Chain", 2017) stamps a white square trigger on
 * {@code K} images of the other classes and relabels them to the target; a label flip ({@link ForgetSpec.LabelFlip})
 * gives {@code K} images a wrong label drawn uniformly from the other classes. Validation and test images stay
 * clean; {@link #triggered} stamps the trigger on any image set, to measure the attack's success.
 *
 * <p>The draw is one fixed function of the spec and the pool ({@link #SEED}): the same spec poisons the same
 * images for every evaluation seed, as a poisoned dataset would. The poisoned pool keeps every id, so its content
 * hash (pixels and labels) keys every model trained on it apart from the clean pool's.
 */
public final class Poisoning {
  /** The seed of every poisoning draw. */
  public static final long SEED = 0x5EED_BADL;
  /** The trigger's distance from the image border, in pixels. */
  static final int MARGIN = 1;

  private final ForgetSpec.Poison spec;
  private final Dataset pool;
  private final int[] rows;
  private final int[] cleanLabels;
  private final int target;

  private Poisoning(ForgetSpec.Poison spec, Dataset pool, int[] rows, int[] cleanLabels, int target) {
    this.spec = spec;
    this.pool = pool;
    this.rows = rows;
    this.cleanLabels = cleanLabels;
    this.target = target;
  }

  /**
   * Poisons {@code clean} as {@code spec} says.
   *
   * @throws LetheException if the pool holds too few images to poison (a backdoor draws only from the classes
   *     other than its target), leaves nothing clean, or the trigger does not fit the images
   */
  public static Poisoning of(ForgetSpec.Poison spec, Dataset clean) {
    SplittableRandom random = new SplittableRandom(SEED);
    float[] pixels = clean.pixels().clone();
    int[] labels = clean.labels().clone();
    int[] rows;
    int target = -1;
    if (spec instanceof ForgetSpec.Backdoor backdoor) {
      target = clean.classIndex(backdoor.target());
      requireFits(backdoor, clean.height(), clean.width());
      boolean[] other = new boolean[clean.size()];
      for (int row = 0; row < clean.size(); row++) {
        other[row] = clean.label(row) != target;
      }
      int[] candidates = Splits.rowsWhere(other, true);
      requireCount(spec, candidates.length, clean.size(),
          "images of the classes other than the target " + clean.classNames().get(target));
      int[] picked = Splits.firstOfPermutation(candidates.length, spec.count(), random);
      rows = new int[picked.length];
      for (int i = 0; i < picked.length; i++) {
        rows[i] = candidates[picked[i]];
      }
      Arrays.sort(rows);
      for (int row : rows) {
        stamp(pixels, row, clean, backdoor);
        labels[row] = target;
      }
    } else {
      if (clean.numClasses() < 2) {
        throw new LetheException("forget spec " + spec.text() + " flips labels to another class, but "
            + clean.name() + " has a single class");
      }
      requireCount(spec, clean.size(), clean.size(), "images");
      rows = Splits.sorted(Splits.firstOfPermutation(clean.size(), spec.count(), random));
      for (int row : rows) {
        labels[row] = (clean.label(row) + 1 + random.nextInt(clean.numClasses() - 1)) % clean.numClasses();
      }
    }
    int[] cleanLabels = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      cleanLabels[i] = clean.label(rows[i]);
    }
    Dataset poisoned = new Dataset(clean.name() + "+" + spec.text(), clean.channels(), clean.height(),
        clean.width(), pixels, labels, clean.ids().clone(), clean.classNames());
    return new Poisoning(spec, poisoned, rows, cleanLabels, target);
  }

  private static void requireFits(ForgetSpec.Backdoor backdoor, int height, int width) {
    if (backdoor.size() + MARGIN > Math.min(height, width)) {
      throw new LetheException("forget spec " + backdoor.text() + ": a " + backdoor.size() + "-pixel trigger "
          + MARGIN + " pixel in from the border does not fit " + height + "x" + width + " images; pass a smaller size=");
    }
  }

  private static void requireCount(ForgetSpec.Poison spec, int available, int poolSize, String what) {
    if (spec.count() > available || spec.count() >= poolSize) {
      throw new LetheException("forget spec " + spec.text() + " poisons " + spec.count() + " images, but the training"
          + " pool of " + poolSize + " holds " + available + " " + what
          + (spec.count() >= poolSize ? ", and at least one must stay clean" : "") + "; poison fewer images");
    }
  }

  /** Writes the trigger of {@code backdoor} into every channel of image {@code row} of {@code pixels}. */
  private static void stamp(float[] pixels, int row, Dataset shape, ForgetSpec.Backdoor backdoor) {
    int h = shape.height();
    int w = shape.width();
    int size = backdoor.size();
    boolean bottom = backdoor.corner() == ForgetSpec.Corner.BR || backdoor.corner() == ForgetSpec.Corner.BL;
    boolean right = backdoor.corner() == ForgetSpec.Corner.BR || backdoor.corner() == ForgetSpec.Corner.TR;
    int top = bottom ? h - MARGIN - size : MARGIN;
    int left = right ? w - MARGIN - size : MARGIN;
    for (int c = 0; c < shape.channels(); c++) {
      int base = row * shape.imageSize() + c * h * w;
      for (int y = top; y < top + size; y++) {
        Arrays.fill(pixels, base + y * w + left, base + y * w + left + size, 1f);
      }
    }
  }

  /** The request. */
  public ForgetSpec.Poison spec() {
    return spec;
  }

  /** The poisoned pool: the clean pool's ids and order, the poisoned images' pixels and labels changed. */
  public Dataset pool() {
    return pool;
  }

  /** The poisoned images' rows in the pool, ascending: the forget set. */
  public int[] rows() {
    return rows.clone();
  }

  /** Each poisoned image's label before poisoning, in {@link #rows()} order. */
  public int[] cleanLabels() {
    return cleanLabels.clone();
  }

  /** True for a backdoor, whose trigger {@link #triggered} can stamp. */
  public boolean isBackdoor() {
    return spec instanceof ForgetSpec.Backdoor;
  }

  /** The backdoor's target class. */
  public int target() {
    requireBackdoor();
    return target;
  }

  /**
   * The images of {@code clean} whose class is not the target, with the trigger stamped on and their true labels
   * kept: a model that predicts the target on them has learnt the backdoor.
   */
  public Dataset triggered(Dataset clean) {
    requireBackdoor();
    ForgetSpec.Backdoor backdoor = (ForgetSpec.Backdoor) spec;
    requireFits(backdoor, clean.height(), clean.width());
    boolean[] other = new boolean[clean.size()];
    for (int row = 0; row < clean.size(); row++) {
      other[row] = clean.label(row) != target;
    }
    Dataset copy = clean.select(Splits.rowsWhere(other, true));
    float[] pixels = copy.pixels();
    for (int row = 0; row < copy.size(); row++) {
      stamp(pixels, row, copy, backdoor);
    }
    return new Dataset(clean.name() + "+trigger", copy.channels(), copy.height(), copy.width(), pixels,
        copy.labels(), copy.ids(), copy.classNames());
  }

  private void requireBackdoor() {
    if (!isBackdoor()) {
      throw new IllegalStateException(spec.text() + " has no trigger");
    }
  }
}
