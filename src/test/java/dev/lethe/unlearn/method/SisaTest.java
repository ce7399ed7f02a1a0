package dev.lethe.unlearn.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.model.Committee;
import dev.lethe.model.Network;
import dev.lethe.train.Progress;
import dev.lethe.train.TinyData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    return ForgetTask.ofRows(ForgetSpec.ids(ids), TinyData.splits(3), rowsOf(ids), new int[0], SEED);
  }

  private static int[] rowsOf(int[] ids) {
    Dataset pool = CLASS.pool();
    return java.util.stream.IntStream.range(0, pool.size())
        .filter(r -> java.util.Arrays.stream(ids).anyMatch(id -> id == pool.id(r))).toArray();
  }

  /** Deleting {@code task.forget()} and training from scratch without it give the same bits. */
  private static void assertExact(Sisa.Options options, ForgetTask task, int retrainedSlices) {
    Sisa deleting = sisa(options, null);
    deleting.prepare(original, task, SEED, Progress.silent());
    int trainedOnPool = deleting.slicesTrained();
    assertThat(trainedOnPool).isEqualTo(options.shards() * options.slices());
    Sisa scratch = sisa(options, null);
    try (Network deleted = deleting.unlearn(original, task, SEED, Progress.silent());
        Network fromScratch = scratch.train(original.architecture(), task.retain(), SEED, Progress.silent())) {
      assertThat(deleted.architecture().name()).isEqualTo("cnn-committee" + options.shards() + "-"
          + options.aggregation().id());
      assertThat(deleting.slicesTrained() - trainedOnPool).isEqualTo(retrainedSlices);
      assertThat(scratch.slicesTrained()).isEqualTo(options.shards() * options.slices());
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
    assertThat(second.slicesTrained()).isZero();
    try (Network a = first.unlearn(original, task, SEED, Progress.silent());
        Network b = second.unlearn(original, task, SEED, Progress.silent())) {
      assertThat(second.slicesTrained()).isEqualTo(1);
      assertThat(TinyData.paramBytes(b)).isEqualTo(TinyData.paramBytes(a));
    }
    // a deletion's own slices are not kept: the next request starts from the pool's checkpoints again
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("sisa-"))).hasSize(6);
    }
    // another seed is another SISA: nothing is found
    Sisa other = sisa(TWO_BY_THREE, dir);
    other.prepare(original, task, SEED + 1, Progress.silent());
    assertThat(other.slicesTrained()).isEqualTo(6);
  }

  @Test
  void moreShardsThanSamplesIsAOneLineErrorBeforeAnyTraining() {
    Sisa tooMany = sisa(new Sisa.Options(49, 1, Committee.Aggregation.VOTE), null);
    assertThatThrownBy(() -> tooMany.unlearn(original, CLASS, SEED))
        .isInstanceOf(LetheException.class)
        .hasMessage("sisa.shards is 49 but the training data holds 48 samples: use at most 48 shards");
    assertThat(tooMany.slicesTrained()).isZero();
    Sisa empty = sisa(new Sisa.Options(40, 1, Committee.Aggregation.VOTE), null);
    assertThatThrownBy(() -> empty.unlearn(original, CLASS, SEED))
        .isInstanceOf(LetheException.class)
        .hasMessageStartingWith("sisa: shard ")
        .hasMessageEndingWith(" of 40 receives none of the 48 samples (samples are hashed to shards by id); use fewer"
            + " shards");
    assertThat(empty.slicesTrained()).isZero();
  }
}
