package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.model.Architecture;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import dev.lethe.train.Batches;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.train.TinyData;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grouped network of {@link GroupedThroughput} is G independent members: started from its own slices, two
 * ordinary networks give the same logits and, after the same two SGD steps on the same batches, the same
 * parameters (BatchNorm statistics included) as the slices of the grouped one.
 */
class GroupedThroughputTest {
  private static final int MEMBERS = 2;
  private static final float TOLERANCE = 1e-5f;
  private static final Dataset DATA = TinyData.separable("grouped", 32, 1, 11);
  private static final TrainConfig CONFIG = new TrainConfig(1, 8, 0.1, 0.9, 5e-4, LrSchedule.CONSTANT);
  private static final long SEED = 21;

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "cnn-nobn"})
  void twoGroupedStepsAreTwoStepsOfEachMemberOnItsOwnBatches(String architecture) {
    ModelSpec member = new ModelSpec(architecture, 1, 8, 8, 3, 3);
    try (Network group = Network.create(Architecture.grouped(member, MEMBERS), SEED);
        Network first = Network.create(member, 1);
        Network second = Network.create(member, 2)) {
      List<Network> singles = List.of(first, second);
      for (int g = 0; g < MEMBERS; g++) {
        copySlice(group, g, singles.get(g));
      }
      float[][] before = {flat(first), flat(second)};
      assertLogitsMatchSliceWise(group, singles);

      Schedule schedule = new Schedule(2, 4, 8, CONFIG.lr(), LrSchedule.CONSTANT);
      double groupedLoss = GroupedThroughput.train(
          group, GroupedThroughput.streams(DATA, CONFIG, MEMBERS, SEED), schedule, CONFIG);
      double summedLoss = 0;
      var streams = GroupedThroughput.streams(DATA, CONFIG, MEMBERS, SEED);
      for (int g = 0; g < MEMBERS; g++) {
        summedLoss += Training.run(singles.get(g), streams.get(g), schedule, CONFIG, SEED + g, "member",
            Progress.silent());
      }

      assertThat(groupedLoss).isCloseTo(summedLoss, within(1e-5));
      for (int g = 0; g < MEMBERS; g++) {
        // the steps moved every member well beyond the tolerance, so equal slices are not equal starts
        float[] after = flat(singles.get(g));
        float[] start = before[g];
        double moved = IntStream.range(0, after.length).mapToDouble(i -> Math.abs(after[i] - start[i])).max()
            .orElseThrow();
        assertThat(moved).isGreaterThan(1e-2);
        assertSlicesEqual(group, g, singles.get(g));
      }
    }
  }

  @Test
  void theGroupedNetworkHasGroupedConvsAndAGroupedConvHead() {
    try (Network group = Network.create(Architecture.grouped(TinyData.cnn(3), MEMBERS), SEED)) {
      assertThat(group.architecture().name()).isEqualTo("cnn-grouped2");
      assertThat(group.architecture().channels()).isEqualTo(2);
      assertThat(group.classes()).isEqualTo(6);
      // conv 1: 2x3 filters over 1 channel each; conv 2: 2x6 over 3 each; head: 2x3 over a 6x2x2 map each
      assertThat(group.parameters().stream().map(p -> p.getValue().getArray().getShape().toString()).toList())
          .containsExactly("(6, 1, 3, 3)", "(6)", "(6)", "(6)", "(6)", "(12, 3, 3, 3)", "(12)", "(12)", "(12)",
              "(12)", "(6, 6, 2, 2)", "(6)");
    }
  }

  @Test
  void measureCountsEveryMembersImagesOnBothSides() {
    GroupedThroughput.Result r = GroupedThroughput.measure(TinyData.cnn(2), MEMBERS, DATA, CONFIG, 1, 2, SEED);
    assertThat(r.members()).isEqualTo(MEMBERS);
    assertThat(r.repeats()).isEqualTo(1);
    assertThat(r.trainStepsPerRepeat()).isEqualTo(2);
    assertThat(r.batchSize()).isEqualTo(8);
    assertThat(r.oneByOneImagesPerSecond()).isPositive().isFinite();
    assertThat(r.groupedImagesPerSecond()).isPositive().isFinite();
    assertThat(r.speedup()).isEqualTo(r.groupedImagesPerSecond() / r.oneByOneImagesPerSecond());
  }

  @Test
  void onlyTheCnnsGroupAndNotWithClipping() {
    assertThatThrownBy(() -> Architecture.grouped(TinyData.mlp(4), MEMBERS))
        .isInstanceOf(LetheException.class)
        .hasMessage("only cnn and cnn-nobn train as one grouped network (grouped convolutions), not mlp:"
            + " pick --model cnn");
    assertThatThrownBy(() -> Architecture.grouped(TinyData.ownCnn(), MEMBERS))
        .isInstanceOf(LetheException.class)
        .hasMessage("network tiny-own is your own: only the built-in cnn and cnn-nobn train as one grouped network");
    assertThatThrownBy(() -> Architecture.grouped(TinyData.cnn(3), 1))
        .isInstanceOf(LetheException.class)
        .hasMessage("a grouped network needs at least 2 members, got 1");
    TrainConfig clipped = new TrainConfig(1, 8, 0.1, 0.9, 5e-4, LrSchedule.CONSTANT, 1.0);
    assertThatThrownBy(() -> GroupedThroughput.measure(TinyData.cnn(3), MEMBERS, DATA, clipped, 1, 1, SEED))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("omit --clip with --group");
  }

  /** Member g reads rows [8g, 8g + 8): its logits are columns [3g, 3g + 3) of the grouped eval-mode logits. */
  private static void assertLogitsMatchSliceWise(Network group, List<Network> singles) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList images = new NDList();
      for (int g = 0; g < MEMBERS; g++) {
        images.add(Batches.images(m, DATA, IntStream.range(8 * g, 8 * g + 8).toArray()));
      }
      float[] grouped = group.forward(NDArrays.concat(images, 1), false).toFloatArray();
      for (int g = 0; g < MEMBERS; g++) {
        float[] own = singles.get(g).forward(images.get(g), false).toFloatArray();
        float[] slice = new float[own.length];
        for (int n = 0; n < 8; n++) {
          System.arraycopy(grouped, n * 3 * MEMBERS + 3 * g, slice, n * 3, 3);
        }
        assertThat(slice).as("member %d's logits", g).containsExactly(own, within(TOLERANCE));
      }
    }
  }

  /** Overwrites every parameter of {@code single} with the g-th axis-0 chunk of the grouped one. */
  private static void copySlice(Network group, int g, Network single) {
    List<Pair<String, Parameter>> grouped = group.parameters();
    List<Pair<String, Parameter>> own = single.parameters();
    assertThat(grouped).hasSameSizeAs(own);
    try (NDManager m = single.manager().newSubManager()) {
      for (int i = 0; i < own.size(); i++) {
        NDArray target = own.get(i).getValue().getArray();
        m.create(slice(grouped.get(i).getValue(), g, target.size()), target.getShape()).copyTo(target);
      }
    }
  }

  private static void assertSlicesEqual(Network group, int g, Network single) {
    List<Pair<String, Parameter>> grouped = group.parameters();
    List<Pair<String, Parameter>> own = single.parameters();
    for (int i = 0; i < own.size(); i++) {
      NDArray target = own.get(i).getValue().getArray();
      assertThat(slice(grouped.get(i).getValue(), g, target.size()))
          .as("member %d's %s", g, own.get(i).getKey())
          .containsExactly(target.toFloatArray(), within(TOLERANCE));
    }
  }

  /** The g-th of {@link #MEMBERS} equal chunks along axis 0, which must hold {@code size} values. */
  private static float[] slice(Parameter grouped, int g, long size) {
    float[] all = grouped.getArray().toFloatArray();
    assertThat((long) all.length).as(grouped.getName()).isEqualTo(MEMBERS * size);
    return Arrays.copyOfRange(all, (int) (g * size), (int) ((g + 1) * size));
  }

  private static float[] flat(Network network) {
    return network.parameters().stream().map(p -> p.getValue().getArray().toFloatArray())
        .reduce(new float[0], GroupedThroughputTest::concat);
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
