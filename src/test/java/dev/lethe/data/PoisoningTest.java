package dev.lethe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoisoningTest {
  /** n 1×5×5 images of a constant grey {@code 0.2}, labels {@code row % 3}, ids {@code 100 + row}. */
  private static Dataset grey(int n) {
    float[] pixels = new float[n * 25];
    Arrays.fill(pixels, 0.2f);
    int[] labels = new int[n];
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      ids[i] = 100 + i;
    }
    return new Dataset("grey", 1, 5, 5, pixels, labels, ids, List.of("a", "b", "c"));
  }

  /** The 5×5 image of {@code row} as text rows, '#' for 1.0 and '.' for anything else. */
  private static String picture(Dataset data, int row) {
    StringBuilder out = new StringBuilder();
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 5; x++) {
        out.append(data.pixels()[row * 25 + y * 5 + x] == 1f ? '#' : '.');
      }
      out.append('/');
    }
    return out.toString();
  }

  @Test
  void aBackdoorStampsTheTriggerOnImagesOfOtherClassesAndRelabelsThemToTheTarget() {
    Dataset clean = grey(12);
    Poisoning p = Poisoning.of(new ForgetSpec.Backdoor(3, "b", 2, ForgetSpec.Corner.BR), clean);

    assertThat(p.rows()).hasSize(3).isSorted();
    assertThat(Arrays.stream(p.rows()).map(clean::label)).doesNotContain(1);
    assertThat(p.target()).isEqualTo(1);
    Dataset pool = p.pool();
    assertThat(pool.ids()).isEqualTo(clean.ids());
    for (int row = 0; row < 12; row++) {
      boolean poisoned = Arrays.binarySearch(p.rows(), row) >= 0;
      assertThat(pool.label(row)).isEqualTo(poisoned ? 1 : clean.label(row));
      // a 2×2 square one pixel in from the bottom-right corner: rows 2-3, columns 2-3
      assertThat(picture(pool, row)).isEqualTo(poisoned ? "...../...../..##./..##./...../" : "...../...../...../...../...../");
    }
    assertThat(p.cleanLabels()).containsExactly(Arrays.stream(p.rows()).map(clean::label).toArray());
    assertThat(clean.pixels()).as("the clean pool is untouched").containsOnly(0.2f);
    assertThat(pool.contentHash()).isNotEqualTo(clean.contentHash());
  }

  @Test
  void theTopLeftCornerAndTheDrawAreFixed() {
    Dataset clean = grey(12);
    ForgetSpec.Backdoor spec = new ForgetSpec.Backdoor(4, "0", 1, ForgetSpec.Corner.TL);
    Poisoning p = Poisoning.of(spec, clean);
    assertThat(picture(p.pool(), p.rows()[0])).isEqualTo("...../.#.../...../...../...../");
    assertThat(Poisoning.of(spec, grey(12)).pool().contentHash()).isEqualTo(p.pool().contentHash());
  }

  @Test
  void aLabelFlipKeepsThePixelsAndGivesEachPoisonedImageAnotherClass() {
    Dataset clean = grey(30);
    Poisoning p = Poisoning.of(new ForgetSpec.LabelFlip(10), clean);

    assertThat(p.rows()).hasSize(10).doesNotHaveDuplicates().isSorted();
    assertThat(p.pool().pixels()).isEqualTo(clean.pixels());
    for (int row = 0; row < 30; row++) {
      boolean poisoned = Arrays.binarySearch(p.rows(), row) >= 0;
      if (poisoned) {
        assertThat(p.pool().label(row)).isNotEqualTo(clean.label(row)).isBetween(0, 2);
      } else {
        assertThat(p.pool().label(row)).isEqualTo(clean.label(row));
      }
    }
    assertThat(p.isBackdoor()).isFalse();
  }

  @Test
  void triggeredImagesAreTheOtherClassesWithTheTriggerAndTheirTrueLabels() {
    Poisoning p = Poisoning.of(new ForgetSpec.Backdoor(2, "c", 2, ForgetSpec.Corner.BR), grey(12));
    Dataset test = grey(6);
    Dataset triggered = p.triggered(test);

    assertThat(triggered.ids()).containsExactly(100, 101, 103, 104);
    assertThat(triggered.labels()).containsExactly(0, 1, 0, 1);
    assertThat(picture(triggered, 0)).isEqualTo("...../...../..##./..##./...../");
    assertThat(test.pixels()).containsOnly(0.2f);
  }

  @Test
  void badRequestsAreOneLineErrors() {
    Dataset clean = grey(12); // 4 images per class
    assertThatThrownBy(() -> Poisoning.of(new ForgetSpec.Backdoor(9), clean))
        .isInstanceOf(LetheException.class)
        .hasMessage("forget spec backdoor:9 poisons 9 images, but the training pool of 12 holds 8 images of the classes"
            + " other than the target a; poison fewer images");
    assertThatThrownBy(() -> Poisoning.of(new ForgetSpec.LabelFlip(12), clean))
        .hasMessageContaining("holds 12 images, and at least one must stay clean");
    assertThatThrownBy(() -> Poisoning.of(new ForgetSpec.Backdoor(2, "0", 5, ForgetSpec.Corner.BR), clean))
        .hasMessageContaining("a 5-pixel trigger 1 pixel in from the border does not fit 5x5 images");
    assertThatThrownBy(() -> Poisoning.of(new ForgetSpec.Backdoor(2, "Sandal", 2, ForgetSpec.Corner.BR), clean))
        .isInstanceOf(LetheException.class).hasMessageContaining("Sandal");
  }

  @Test
  void aPoisonedBatchDerivedFromTheCleanSplitsForgetsThePoisonedImagesOfThePoisonedPool() {
    Splits splits = new Splits(grey(12), grey(3), grey(3));
    ForgetSpec.LabelFlip spec = new ForgetSpec.LabelFlip(2);
    ForgetTask task = ForgetTask.derive(spec, splits, 1);
    Poisoning p = Poisoning.of(spec, splits.pool());

    assertThat(task.pool().contentHash()).isEqualTo(p.pool().contentHash());
    assertThat(task.forgetIds()).containsExactly(Arrays.stream(p.rows()).map(r -> 100 + r).toArray());
    assertThat(task.forget().labels()).isNotEqualTo(p.cleanLabels());
  }
}
