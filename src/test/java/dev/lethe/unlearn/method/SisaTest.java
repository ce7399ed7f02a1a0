package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.Splits;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Committee;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SisaTest extends TinyClassTaskTest {
  private static final long SEED = 7;
  /** Two shards of three slices: about 8 of the 48 pool images per slice. */
  private static final Sisa.Options TWO_BY_THREE = new Sisa.Options(2, 3, Committee.Aggregation.VOTE);

  private static Sisa sisa(Sisa.Options options, Path dir) {
    return new Sisa(options, TRAINING, dir);
  }

  /** The pool ids SISA with {@code options} places in {@code shard}'s slice {@code slice}. */
  private static int[] idsIn(Sisa.Options options, int shard, int slice) {
    Sisa s = sisa(options, null);
    Dataset pool = CLASS.pool();
    List<Integer> out = new ArrayList<>();
    for (int row = 0; row < pool.size(); row++) {
      int[] place = s.place(Sisa.placeKey(SEED, pool.id(row)));
      if (place[0] == shard && place[1] == slice) {
        out.add(pool.id(row));
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static ForgetTask forgetIds(int... ids) {
    return forgetIds(CLASS.pool(), ids);
  }

  /** The task forgetting the samples with {@code ids} from {@code pool} (the tiny pool or what is left of it). */
  private static ForgetTask forgetIds(Dataset pool, int... ids) {
    Splits tiny = TinyData.splits(3);
    return ForgetTask.ofRows(ForgetSpec.ids(ids), new Splits(pool, tiny.validation(), tiny.test()), rowsOf(pool, ids),
        new int[0], SEED);
  }

  private static int[] rowsOf(Dataset pool, int[] ids) {
    return IntStream.range(0, pool.size()).filter(r -> Arrays.stream(ids).anyMatch(id -> id == pool.id(r))).toArray();
  }

  private static long slicesTrained(Sisa sisa) {
    return sisa.trainingTotals().get(Sisa.SLICES_TRAINED);
  }

  private static long imagesTrained(Sisa sisa) {
    return sisa.trainingTotals().get(Sisa.IMAGES_TRAINED);
  }

  /** How many pool samples SISA with {@code options} places in {@code shard}'s slices 0..{@code slice}. */
  private static int upTo(Sisa.Options options, int shard, int slice) {
    int n = 0;
    for (int s = 0; s <= slice; s++) {
      n += idsIn(options, shard, s).length;
    }
    return n;
  }

  /** Deleting {@code task.forget()} and training from scratch without it give the same bits. */
  private static void assertExact(Sisa.Options options, ForgetTask task, int retrainedSlices) {
    Sisa deleting = sisa(options, null);
    deleting.prepare(original, task, SEED, Progress.silent());
    long trainedOnPool = slicesTrained(deleting);
    assertThat(trainedOnPool).isEqualTo((long) options.shards() * options.slices());
    Sisa scratch = sisa(options, null);
    try (Network deleted = deleting.unlearn(original, task, SEED, Progress.silent());
        Network fromScratch = scratch.train(original.architecture(), task.retain(), SEED, Progress.silent())) {
      assertThat(deleted.architecture().name()).isEqualTo("cnn-committee" + options.shards() + "-"
          + options.aggregation().id());
      assertThat(slicesTrained(deleting) - trainedOnPool).isEqualTo(retrainedSlices);
      assertThat(slicesTrained(scratch)).isEqualTo((long) options.shards() * options.slices());
      assertThat(TinyData.paramBytes(deleted)).isEqualTo(TinyData.paramBytes(fromScratch));
      assertThat(TinyData.logitBits(deleted, CLASS.pool())).isEqualTo(TinyData.logitBits(fromScratch, CLASS.pool()));
    }
  }

  @Test
  void placementSpreadsThePoolOverEveryShardAndSlice() {
    int total = 0;
    for (int k = 0; k < 2; k++) {
      for (int s = 0; s < 3; s++) {
        int n = idsIn(TWO_BY_THREE, k, s).length;
        assertThat(n).as("shard %d slice %d", k, s).isPositive();
        total += n;
      }
    }
    assertThat(total).isEqualTo(48);
  }

  @Test
  void deletingFromTheLastSliceOfOneShardRetrainsThatSliceOnlyAndIsExact() {
    int[] last = idsIn(TWO_BY_THREE, 1, 2);
    assertExact(TWO_BY_THREE, forgetIds(last[0], last[last.length - 1]), 1);
  }

  @Test
  void deletingFromTheFirstSliceOfOneShardRetrainsThatShardAndIsExact() {
    assertExact(TWO_BY_THREE, forgetIds(idsIn(TWO_BY_THREE, 0, 0)[0]), 3);
  }

  @Test
  void deletingAClassRetrainsEverythingAndIsExact() {
    assertExact(TWO_BY_THREE.withAggregation(Committee.Aggregation.SOFTMAX), CLASS, 6);
  }

  @Test
  void slicesFollowTheOfficialEpochSchedule() {
    // a = 2E/(R+1) and slice s gets floor((s+1)a) - floor(s a): E = 5, R = 3 gives 2, 3, 2 (7 in all)
    assertThat(Stream.of(0, 1, 2).map(s -> Sisa.epochs(5, 3, s))).containsExactly(2, 3, 2);
    assertThat(Stream.of(0, 1, 2, 3).map(s -> Sisa.epochs(20, 4, s))).containsExactly(8, 8, 8, 8);
    assertThat(Sisa.epochs(40, 1, 0)).isEqualTo(40);
  }

  @Test
  void checkpointsOnDiskAreFoundByTheHashOfTheirDataByAnotherInstance(@TempDir Path dir) throws Exception {
    int[] last = idsIn(TWO_BY_THREE, 0, 2);
    ForgetTask task = forgetIds(last[0]);
    Sisa first = sisa(TWO_BY_THREE, dir);
    first.prepare(original, task, SEED, Progress.silent());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("sisa-"))).hasSize(6);
    }
    Sisa second = sisa(TWO_BY_THREE, dir);
    second.prepare(original, task, SEED, Progress.silent());
    assertThat(slicesTrained(second)).isZero();
    try (Network a = first.unlearn(original, task, SEED, Progress.silent());
        Network b = second.unlearn(original, task, SEED, Progress.silent())) {
      assertThat(slicesTrained(second)).isEqualTo(1);
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
    }
    // the deletion's retrained slice is kept (once) for a later request; a rerun of it still retrains it
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("sisa-"))).hasSize(7);
    }
    Sisa third = sisa(TWO_BY_THREE, dir);
    third.unlearn(original, task, SEED, Progress.silent()).close();
    assertThat(slicesTrained(third)).isEqualTo(1);
    // another seed is another SISA: nothing is found
    Sisa other = sisa(TWO_BY_THREE, dir);
    other.prepare(original, task, SEED + 1, Progress.silent());
    assertThat(slicesTrained(other)).isEqualTo(6);
  }

  /**
   * Three deletion requests, one sample each, every one served by a new instance from what the previous left in
   * the checkpoint directory, as the benchmark's request chain does: shard 1 slice 2, then shard 0 slice 1, then
   * shard 1 slice 0. Each request's pool is the previous retain set, whose slices are all stored (nothing to
   * prepare); each retrains its shard from the affected slice on: 1, 2 and 3 (shard, slice) steps. After each,
   * the committee is bit-identical to SISA trained from scratch without every sample deleted so far, and it loads
   * back from a checkpoint with {@link Sisa#unlearnedArchitecture}.
   */
  @Test
  void sequentialRequestsResumeFromThePreviousRequestsCheckpointsAndStayExact(@TempDir Path dir) {
    int a = idsIn(TWO_BY_THREE, 1, 2)[0];
    int b = idsIn(TWO_BY_THREE, 0, 1)[0];
    int c = idsIn(TWO_BY_THREE, 1, 0)[0];
    int shard0 = upTo(TWO_BY_THREE, 0, 2);
    int shard1 = upTo(TWO_BY_THREE, 1, 2);
    // epochs per slice for E = 5, R = 3: 2, 3, 2
    long[][] expected = {
        {1, 2L * (shard1 - 1)},
        {2, 3L * (upTo(TWO_BY_THREE, 0, 1) - 1) + 2L * (shard0 - 1)},
        {3, 2L * (idsIn(TWO_BY_THREE, 1, 0).length - 1) + 3L * (upTo(TWO_BY_THREE, 1, 1) - 1) + 2L * (shard1 - 2)}};
    int[][] requests = {{a}, {b}, {c}};
    Dataset pool = CLASS.pool();
    List<Integer> gone = new ArrayList<>();
    for (int i = 0; i < requests.length; i++) {
      ForgetTask step = forgetIds(pool, requests[i]);
      Sisa serving = sisa(TWO_BY_THREE, dir);
      serving.prepare(original, step, SEED, Progress.silent());
      assertThat(slicesTrained(serving)).as("request %d's preparation", i + 1).isEqualTo(i == 0 ? 6 : 0);
      long preparedSlices = slicesTrained(serving);
      long preparedImages = imagesTrained(serving);
      gone.add(requests[i][0]);
      Path saved = dir.resolve("committee-" + (i + 1));
      try (Network served = serving.unlearn(original, step, SEED, Progress.silent());
          Network fromScratch = sisa(TWO_BY_THREE, null).train(original.architecture(),
              forgetIds(gone.stream().mapToInt(Integer::intValue).toArray()).retain(), SEED, Progress.silent())) {
        assertThat(slicesTrained(serving) - preparedSlices).as("request %d's slices", i + 1).isEqualTo(expected[i][0]);
        assertThat(imagesTrained(serving) - preparedImages).as("request %d's images", i + 1).isEqualTo(expected[i][1]);
        assertThat(TinyData.paramBytes(served)).isEqualTo(TinyData.paramBytes(fromScratch));
        Checkpoints.save(served, saved, null);
        try (Network loaded = Checkpoints.load(saved, serving.unlearnedArchitecture(original.architecture()))) {
          assertThat(TinyData.logitBits(loaded, pool)).isEqualTo(TinyData.logitBits(fromScratch, pool));
        }
      }
      pool = step.retain();
    }
  }

  @Test
  void moreShardsThanSamplesIsAOneLineErrorBeforeAnyTraining() {
    Sisa tooMany = sisa(new Sisa.Options(49, 1, Committee.Aggregation.VOTE), null);
    assertThatThrownBy(() -> tooMany.unlearn(original, CLASS, SEED))
        .isInstanceOf(LetheException.class)
        .hasMessage("sisa.shards is 49 but the training data holds 48 samples: use at most 48 shards");
    assertThat(slicesTrained(tooMany)).isZero();
    Sisa empty = sisa(new Sisa.Options(40, 1, Committee.Aggregation.VOTE), null);
    assertThatThrownBy(() -> empty.unlearn(original, CLASS, SEED))
        .isInstanceOf(LetheException.class)
        .hasMessageStartingWith("sisa: shard ")
        .hasMessageEndingWith(" of 40 receives none of the 48 samples (samples are hashed to shards by id); use fewer"
            + " shards");
    assertThat(slicesTrained(empty)).isZero();
  }
}
