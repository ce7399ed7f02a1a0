package dev.lethe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.model.Network;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  /** A 4x4 image (p = 2) whose pixel (y, x) is 1 + 4y + x, channel c adding 100c. */
  private static float[] ramp(int channels) {
    float[] out = new float[channels * 16];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < 16; i++) {
        out[c * 16 + i] = 100 * c + 1 + i;
      }
    }
    return out;
  }

  /** {@code n} 1x4x4 ramps, image i adding 1000i, so every image and pixel is distinct and non-zero. */
  private static Dataset ramps(int n) {
    float[] pixels = new float[n * 16];
    for (int i = 0; i < n; i++) {
      float[] one = ramp(1);
      for (int j = 0; j < 16; j++) {
        pixels[i * 16 + j] = one[j] + 1000 * i;
      }
    }
    return new Dataset("ramps", 1, 4, 4, pixels, new int[n], IntStream.range(0, n).toArray(), List.of("only"));
  }

  @Test
  void thePaddingIsTwoUpTo28PixelsAndFourAbove() {
    assertThat(Augmentation.padding(4)).isEqualTo(2);
    assertThat(Augmentation.padding(28)).isEqualTo(2);
    assertThat(Augmentation.padding(29)).isEqualTo(4);
    assertThat(Augmentation.padding(32)).isEqualTo(4);
  }

  @Test
  void seedSevenShiftsTheWindowUpOneAndRightOneWithoutFlipping() {
    // seed 7 draws top 1 and left 3 from [0, 4] (offsets -1 and +1 against p = 2), then no flip
    SplittableRandom draws = new SplittableRandom(7);
    assertThat(draws.nextInt(5)).isEqualTo(1);
    assertThat(draws.nextInt(5)).isEqualTo(3);
    assertThat(draws.nextBoolean()).isFalse();
    float[] image = ramp(1);
    Augmentation.CROP_FLIP.apply(image, 0, 1, 4, 4, new SplittableRandom(7));
    // out(y, x) = in(y - 1, x + 1): the top row and the right column are the zero padding
    assertThat(image).containsExactly(
        0, 0, 0, 0,
        2, 3, 4, 0,
        6, 7, 8, 0,
        10, 11, 12, 0);
  }

  @Test
  void seedZeroShiftsDownOneAndLeftOneThenFlipsEveryChannelAlike() {
    SplittableRandom draws = new SplittableRandom(0);
    assertThat(draws.nextInt(5)).isEqualTo(3);
    assertThat(draws.nextInt(5)).isEqualTo(1);
    assertThat(draws.nextBoolean()).isTrue();
    // a batch of two 2x4x4 images: only the second is augmented
    float[] batch = new float[64];
    float[] ramp = ramp(2);
    System.arraycopy(ramp, 0, batch, 0, 32);
    System.arraycopy(ramp, 0, batch, 32, 32);
    Augmentation.CROP_FLIP.apply(batch, 1, 2, 4, 4, new SplittableRandom(0));
    float[] first = java.util.Arrays.copyOfRange(batch, 0, 32);
    assertThat(first).containsExactly(ramp);
    // window(y, x) = in(y + 1, x - 1); flipped: out(y, x) = in(y + 1, 2 - x)
    assertThat(java.util.Arrays.copyOfRange(batch, 32, 64)).containsExactly(
        7, 6, 5, 0,
        11, 10, 9, 0,
        15, 14, 13, 0,
        0, 0, 0, 0,
        107, 106, 105, 0,
        111, 110, 109, 0,
        115, 114, 113, 0,
        0, 0, 0, 0);
  }

  @Test
  void noneLeavesTheImageAlone() {
    float[] image = ramp(1);
    Augmentation.NONE.apply(image, 0, 1, 4, 4, new SplittableRandom(7));
    assertThat(image).containsExactly(ramp(1));
  }

  @Test
  void aStreamAugmentsBatchBFromItsSeedAndBAlone() {
    Dataset data = ramps(6);
    try (NDManager m = NDManager.newBaseManager()) {
      BatchStream stream = new BatchStream(data, 3, 11, false, Augmentation.CROP_FLIP);
      for (int b = 0; b < 4; b++) {
        int[] rows = stream.next();
        float[] expected = Batches.gather(data, rows);
        SplittableRandom draws = BatchStream.augmentationRandom(11, b);
        for (int i = 0; i < rows.length; i++) {
          Augmentation.CROP_FLIP.apply(expected, i, 1, 4, 4, draws);
        }
        assertThat(stream.images(m, rows).toFloatArray()).as("batch %d", b).containsExactly(expected);
      }
    }
  }

  @Test
  void sameSeedSameBatchesAndTheSameRowsInAnotherBatchAreAugmentedAnew() {
    Dataset data = ramps(4);
    try (NDManager m = NDManager.newBaseManager()) {
      BatchStream a = new BatchStream(data, 4, 3, true, Augmentation.CROP_FLIP);
      BatchStream b = new BatchStream(data, 4, 3, true, Augmentation.CROP_FLIP);
      float[][] first = new float[3][];
      for (int epoch = 0; epoch < 3; epoch++) {
        int[] rows = a.next();
        int[] twin = b.next();
        assertThat(twin).containsExactly(rows);
        first[epoch] = a.images(m, rows).toFloatArray();
        assertThat(b.images(m, twin).toFloatArray()).containsExactly(first[epoch]);
      }
      // one batch per epoch of all four rows: unshuffle and compare the same image across batches
      BatchStream plain = new BatchStream(data, 4, 3, false, Augmentation.CROP_FLIP);
      int[] rows0 = plain.next();
      float[] batch0 = plain.images(m, rows0).toFloatArray();
      int[] rows1 = plain.next();
      float[] batch1 = plain.images(m, rows1).toFloatArray();
      assertThat(rows1).containsExactly(rows0);
      assertThat(batch1).isNotEqualTo(batch0);
    }
  }

  @Test
  void withoutAugmentationTheStreamYieldsTheCleanImagesAndTheSameOrder() {
    Dataset data = ramps(7);
    try (NDManager m = NDManager.newBaseManager()) {
      BatchStream none = new BatchStream(data, 3, 5, true, Augmentation.NONE);
      BatchStream old = new BatchStream(data, 3, 5, true);
      BatchStream augmented = new BatchStream(data, 3, 5, true, Augmentation.CROP_FLIP);
      for (int b = 0; b < 5; b++) {
        int[] rows = none.next();
        assertThat(old.next()).containsExactly(rows);
        assertThat(augmented.next()).containsExactly(rows); // augmentation never touches the shuffle
        assertThat(none.images(m, rows).toFloatArray())
            .containsExactly(Batches.images(m, data, rows).toFloatArray());
      }
    }
  }

  @Test
  void rowsFromTheBoundOnStayClean() {
    Dataset data = ramps(6);
    try (NDManager m = NDManager.newBaseManager()) {
      BatchStream stream = new BatchStream(data, 6, 2, true, Augmentation.CROP_FLIP, 4);
      int[] rows = stream.next();
      float[] expected = Batches.gather(data, rows);
      SplittableRandom draws = BatchStream.augmentationRandom(2, 0);
      for (int i = 0; i < rows.length; i++) {
        if (rows[i] < 4) {
          Augmentation.CROP_FLIP.apply(expected, i, 1, 4, 4, draws);
        }
      }
      float[] got = stream.images(m, rows).toFloatArray();
      assertThat(got).containsExactly(expected).isNotEqualTo(Batches.gather(data, rows));
      for (int i = 0; i < rows.length; i++) {
        if (rows[i] >= 4) {
          assertThat(java.util.Arrays.copyOfRange(got, i * 16, (i + 1) * 16)).as("row %d", rows[i])
              .containsExactly(java.util.Arrays.copyOfRange(data.pixels(), rows[i] * 16, (rows[i] + 1) * 16));
        }
      }
    }
  }

  @Test
  void imagesTakesOnlyTheBatchJustDrawn() {
    Dataset data = ramps(4);
    try (NDManager m = NDManager.newBaseManager()) {
      BatchStream stream = new BatchStream(data, 2, 1, false, Augmentation.CROP_FLIP);
      int[] first = stream.next();
      stream.next();
      assertThatThrownBy(() -> stream.images(m, first)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> stream.images(m, first.clone())).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void policiesParseByIdAndAnUnknownOneListsThem() {
    assertThat(Augmentation.parse("none")).isEqualTo(Augmentation.NONE);
    assertThat(Augmentation.parse("crop-flip")).isEqualTo(Augmentation.CROP_FLIP);
    assertThatThrownBy(() -> Augmentation.parse("rotate"))
        .isInstanceOf(LetheException.class)
        .hasMessage("unknown value 'rotate' for augmentation: use none or crop-flip");
  }

  @Test
  void unaugmentedConfigJsonIsUnchangedAndCropFlipIsKeyedAndRoundTrips() throws Exception {
    ObjectMapper json = new ObjectMapper();
    // the exact text of an unaugmented config before augmentation existed: it keys the model cache
    String before = "{\"epochs\":40,\"batchSize\":128,\"lr\":0.02,\"momentum\":0.9,\"weightDecay\":5.0E-4,"
        + "\"schedule\":\"cosine\"}";
    TrainConfig plain = new TrainConfig(40, 128, 0.02, 0.9, 5e-4, LrSchedule.COSINE, 0, Augmentation.NONE);
    assertThat(json.writeValueAsString(plain)).isEqualTo(before);
    assertThat(json.readValue(before, TrainConfig.class)).isEqualTo(plain);
    TrainConfig augmented = new TrainConfig(40, 128, 0.02, 0.9, 5e-4, LrSchedule.COSINE, 0, Augmentation.CROP_FLIP);
    String text = json.writeValueAsString(augmented);
    assertThat(text).isEqualTo(before.replace("}", ",\"augment\":\"crop-flip\"}"));
    assertThat(json.readValue(text, TrainConfig.class)).isEqualTo(augmented);
    assertThat(augmented.withEpochs(3).augment()).isEqualTo(Augmentation.CROP_FLIP);
    assertThatThrownBy(() -> json.readValue(before.replace("}", ",\"augment\":\"rotate\"}"), TrainConfig.class))
        .hasRootCauseInstanceOf(LetheException.class);
  }

  @Test
  void augmentedTrainingIsReproducibleAndDiffersFromPlainTraining() {
    Dataset data = TinyData.separable("tiny", 24, 1, 3);
    TrainConfig plain = new TrainConfig(2, 8, 0.05, 0.9, 5e-4, LrSchedule.COSINE);
    TrainConfig augmented = new TrainConfig(2, 8, 0.05, 0.9, 5e-4, LrSchedule.COSINE, 0, Augmentation.CROP_FLIP);
    try (Network a = Training.trainFresh(TinyData.mlp(8), data, augmented, 1, "a", Progress.silent());
        Network b = Training.trainFresh(TinyData.mlp(8), data, augmented, 1, "b", Progress.silent());
        Network c = Training.trainFresh(TinyData.mlp(8), data, plain, 1, "c", Progress.silent())) {
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
      assertThat(TinyData.paramBytes(c)).isNotEqualTo(TinyData.paramBytes(a));
    }
  }
}
