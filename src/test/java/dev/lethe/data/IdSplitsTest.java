package dev.lethe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.LetheException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Splits fixed by id files ({@code --pool-ids}, {@code --val-ids}, {@code --test-ids}) and their identity. */
class IdSplitsTest {
  private static final TrainTest DATA =
      new TrainTest(TestData.synthetic("train", 200, 0), TestData.synthetic("test", 80, 0));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path write(String name, int... ids) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int id : ids) {
      lines.add(Integer.toString(id));
    }
    return Files.write(dir.resolve(name), lines);
  }

  private static IdFile ids(Path file) {
    return IdFile.of(file, "id file");
  }

  @Test
  void idFilesOfTheDefaultSplitReplayItExactly() throws IOException {
    Splits drawn = Splits.of(DATA, new SplitConfig(120, 30, 25, 7));
    IdFile pool = ids(write("pool.txt", drawn.pool().ids()));
    IdFile validation = ids(write("val.txt", drawn.validation().ids()));
    IdFile test = ids(write("test.txt", drawn.test().ids()));

    // the split seed no longer matters once every split is fixed
    Splits replayed = Splits.of(DATA, new SplitConfig(120, 30, 25, 99, pool, validation, test));

    assertThat(replayed.pool().contentHash()).isEqualTo(drawn.pool().contentHash());
    assertThat(replayed.validation().contentHash()).isEqualTo(drawn.validation().contentHash());
    assertThat(replayed.test().contentHash()).isEqualTo(drawn.test().contentHash());
  }

  @Test
  void aFixedPoolIsExactlyItsIdsWhateverTheSeed() throws IOException {
    IdFile pool = ids(write("pool.txt", 9, 3, 150, 0, 77));

    Splits a = Splits.of(DATA, new SplitConfig(5, 40, 0, 1, pool, null, null));
    Splits b = Splits.of(DATA, new SplitConfig(5, 40, 0, 2, pool, null, null));

    assertThat(a.pool().ids()).containsExactly(0, 3, 9, 77, 150);
    assertThat(b.pool().contentHash()).isEqualTo(a.pool().contentHash());
    assertThat(a.pool().label(4)).isEqualTo(DATA.train().label(150));
  }

  @Test
  void theValidationOfAFixedPoolIsDrawnFromTheOtherRowsBySplitSeed() throws IOException {
    int[] first = IntStream.range(0, 150).toArray();
    IdFile pool = ids(write("pool.txt", first));

    Splits a = Splits.of(DATA, new SplitConfig(150, 50, 0, 1, pool, null, null));
    Splits again = Splits.of(DATA, new SplitConfig(150, 50, 0, 1, pool, null, null));
    Splits other = Splits.of(DATA, new SplitConfig(150, 20, 0, 2, pool, null, null));

    // 50 of the 50 rows left: exactly ids 150..199
    assertThat(a.validation().ids()).containsExactly(IntStream.range(150, 200).toArray());
    assertThat(again.validation().ids()).containsExactly(a.validation().ids());
    assertThat(other.validation().size()).isEqualTo(20);
    assertThat(Arrays.stream(other.validation().ids()).allMatch(id -> id >= 150)).isTrue();
  }

  @Test
  void aFixedValidationSplitKeepsThePoolDrawOutOfIt() throws IOException {
    IdFile validation = ids(write("val.txt", IntStream.range(0, 100).toArray()));

    Splits splits = Splits.of(DATA, new SplitConfig(100, 100, 0, 4, null, validation, null));

    assertThat(splits.pool().ids()).containsExactly(IntStream.range(100, 200).toArray());
  }

  @Test
  void differentIdFilesGiveDifferentPoolsAndSplitJson() throws Exception {
    IdFile a = ids(write("a.txt", 1, 2, 3));
    IdFile b = ids(write("b.txt", 1, 2, 4));

    SplitConfig ca = new SplitConfig(3, 0, 0, 0, a, null, null);
    SplitConfig cb = new SplitConfig(3, 0, 0, 0, b, null, null);

    assertThat(Splits.of(DATA, ca).pool().contentHash()).isNotEqualTo(Splits.of(DATA, cb).pool().contentHash());
    assertThat(JSON.writeValueAsString(ca)).isNotEqualTo(JSON.writeValueAsString(cb));
  }

  @Test
  void aDrawnSplitKeepsItsJsonAndIdFilesRoundTripThroughJson() throws Exception {
    assertThat(JSON.writeValueAsString(new SplitConfig(8000, 1000, 2000, 0)))
        .isEqualTo("{\"trainSize\":8000,\"validationSize\":1000,\"testSize\":2000,\"seed\":0}");

    IdFile pool = ids(write("pool.txt", 5, 6));
    SplitConfig config = new SplitConfig(2, 3, 0, 1, pool, null, null);
    SplitConfig back = JSON.treeToValue(JSON.valueToTree(config), SplitConfig.class);

    assertThat(back).isEqualTo(config);
    assertThat(back.poolIds().path()).isEqualTo(dir.resolve("pool.txt").toAbsolutePath().toString());
  }

  @Test
  void anIdFileIsRecordedByCountAndTheHashOfItsSortedIds() throws IOException {
    IdFile file = ids(write("ids.txt", 30, 10, 20));

    assertThat(file.count()).isEqualTo(3);
    assertThat(file.sha256()).isEqualTo(IdFile.hashOf(new int[] {10, 20, 30}));
    // the forget-ids hash of a task uses the same definition
    ForgetTask task = ForgetTask.derive(ForgetSpec.parse("ids:" + write("forget.txt", 20, 10)),
        Splits.of(DATA, new SplitConfig(200, 0, 0, 0)), 1);
    assertThat(task.forgetIdsHash()).isEqualTo(IdFile.hashOf(new int[] {10, 20}));
  }

  @Test
  void aChangedIdFileIsRefused() throws IOException {
    Path file = write("pool.txt", 1, 2, 3);
    IdFile pool = ids(file);
    write("pool.txt", 1, 2, 4);

    assertThatThrownBy(() -> Splits.of(DATA, new SplitConfig(3, 0, 0, 0, pool, null, null)))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("--pool-ids file " + file.toAbsolutePath())
        .hasMessageContaining("has changed since this split was recorded")
        .hasMessageContaining("restore the file");
  }

  @Test
  void aSizeThatDisagreesWithItsIdFileIsRefused() throws IOException {
    IdFile pool = ids(write("pool.txt", 1, 2, 3));

    assertThatThrownBy(() -> new SplitConfig(8000, 0, 0, 0, pool, null, null))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("--train-size 8000 disagrees with the 3 ids of --pool-ids");
  }

  @Test
  void idsOutsideTheirFileAreNamedWithTheirLine() throws IOException {
    IdFile pool = ids(write("pool.txt", 4, 200));
    IdFile test = ids(write("test.txt", 79, 80));

    assertThatThrownBy(() -> Splits.of(DATA, new SplitConfig(2, 0, 0, 0, pool, null, null)))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("line 2: id 200 is not in the training file train of 200 samples");
    assertThatThrownBy(() -> Splits.of(DATA, new SplitConfig(10, 0, 2, 0, null, null, test)))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("--test-ids file")
        .hasMessageContaining("line 2: id 80 is not in the test file test of 80 samples");
  }

  @Test
  void validationIdsInThePoolAreRefused() throws IOException {
    IdFile pool = ids(write("pool.txt", 1, 2, 3));
    IdFile validation = ids(write("val.txt", 7, 3));

    assertThatThrownBy(() -> Splits.of(DATA, new SplitConfig(3, 2, 0, 0, pool, validation, null)))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("--val-ids file")
        .hasMessageContaining("line 2: id 3 is also in the pool");
  }

  @Test
  void tooFewRowsLeftForTheDrawnSplitSayHowMany() throws IOException {
    IdFile pool = ids(write("pool.txt", IntStream.range(0, 195).toArray()));
    IdFile validation = ids(write("val.txt", IntStream.range(0, 195).toArray()));

    assertThatThrownBy(() -> Splits.of(DATA, new SplitConfig(195, 10, 0, 0, pool, null, null)))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("the validation split needs 10 samples but only 5 of the 200");
    assertThatThrownBy(() -> Splits.of(DATA, new SplitConfig(10, 195, 0, 0, null, validation, null)))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("the training pool needs 10 samples but only 5 of the 200");
  }

  @Test
  void malformedIdFilesAreNamedWithTheirLine() throws IOException {
    Path duplicate = Files.write(dir.resolve("dup.txt"), List.of("# pool", "4", "5", "4"));
    Path word = Files.write(dir.resolve("word.txt"), List.of("4", "five"));
    Path empty = Files.write(dir.resolve("empty.txt"), List.of("# nothing", ""));

    assertThatThrownBy(() -> IdFile.of(duplicate, "--pool-ids file"))
        .hasMessage("--pool-ids file " + duplicate + " line 4: id 4 is listed twice; list each id once");
    assertThatThrownBy(() -> IdFile.of(word, "--pool-ids file"))
        .hasMessageContaining("line 2: 'five' is not an integer id");
    assertThatThrownBy(() -> IdFile.of(empty, "--pool-ids file"))
        .hasMessageContaining(empty + " is empty: it lists no ids");
    assertThat(Arrays.asList(duplicate, word, empty)).allMatch(Files::exists);
  }
}
