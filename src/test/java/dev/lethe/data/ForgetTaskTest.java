package dev.lethe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForgetTaskTest {
  private static final TrainTest DATA =
      new TrainTest(TestData.synthetic("train", 100, 0), TestData.synthetic("test", 50, 0));
  private static final Splits SPLITS = Splits.of(DATA, new SplitConfig(60, 20, 0, 5));

  @TempDir Path dir;

  private Path idFile(String... lines) throws IOException {
    return Files.write(dir.resolve("ids.txt"), List.of(lines), StandardCharsets.UTF_8);
  }

  /** Checks forget ∪ retain == pool, disjoint, both in pool order, rows intact, ids and hash consistent. */
  private static void assertPartitionsThePool(ForgetTask task) throws NoSuchAlgorithmException {
    Dataset pool = task.pool();
    assertThat(pool).isSameAs(SPLITS.pool());
    assertThat(task.validation()).isSameAs(SPLITS.validation());
    assertThat(task.forget().size() + task.retain().size()).isEqualTo(pool.size());
    assertThat(task.forget().size()).isPositive();
    assertThat(task.retain().size()).isPositive();

    int[] poolIds = pool.ids();
    int[] merged = IntStream.concat(Arrays.stream(task.forget().ids()), Arrays.stream(task.retain().ids()))
        .sorted().toArray();
    int[] sortedPool = poolIds.clone();
    Arrays.sort(sortedPool);
    assertThat(merged).containsExactly(sortedPool);

    for (Dataset part : List.of(task.forget(), task.retain())) {
      int previous = -1;
      for (int row = 0; row < part.size(); row++) {
        int poolRow = indexOf(poolIds, part.id(row));
        assertThat(poolRow).isGreaterThan(previous);
        previous = poolRow;
        assertThat(part.label(row)).isEqualTo(pool.label(poolRow));
        assertThat(Arrays.copyOfRange(part.pixels(), row * 4, row * 4 + 4))
            .containsExactly(Arrays.copyOfRange(pool.pixels(), poolRow * 4, poolRow * 4 + 4));
      }
    }

    int[] expectedIds = task.forget().ids();
    Arrays.sort(expectedIds);
    assertThat(task.forgetIds()).containsExactly(expectedIds);
    ByteBuffer bytes = ByteBuffer.allocate(4 * expectedIds.length);
    for (int id : expectedIds) {
      bytes.putInt(id);
    }
    String expectedHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
    assertThat(task.forgetIdsHash()).isEqualTo(expectedHash);
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    throw new AssertionError(value + " not found");
  }

  @Test
  void randomFractionTakesTheRoundedShareOfThePool() throws Exception {
    ForgetTask task = ForgetTask.derive(ForgetSpec.parse("random:0.1"), SPLITS, 11);

    assertThat(task.forget().size()).isEqualTo(6);
    assertPartitionsThePool(task);
    assertThat(task.spec()).isEqualTo(new ForgetSpec.RandomFraction(0.1));
    assertThat(task.forgetClasses()).isEmpty();
    assertThat(task.test()).isSameAs(SPLITS.test());
    assertThat(task.testForgotten().size()).isZero();
    assertThat(ForgetTask.derive(ForgetSpec.parse("random:0.125"), SPLITS, 11).forget().size()).isEqualTo(8);
  }

  @Test
  void randomCountTakesExactlyThatMany() throws Exception {
    ForgetTask task = ForgetTask.derive(ForgetSpec.parse("random:17"), SPLITS, 11);

    assertThat(task.forget().size()).isEqualTo(17);
    assertThat(task.retain().size()).isEqualTo(43);
    assertPartitionsThePool(task);
    assertThat(task.testForgotten().size()).isZero();
  }

  @Test
  void randomChoiceIsDeterministicBySeed() {
    ForgetSpec spec = ForgetSpec.parse("random:0.2");
    ForgetTask a = ForgetTask.derive(spec, SPLITS, 1);
    ForgetTask b = ForgetTask.derive(spec, SPLITS, 1);
    ForgetTask c = ForgetTask.derive(spec, SPLITS, 2);

    assertThat(a.forgetIds()).containsExactly(b.forgetIds());
    assertThat(a.forgetIdsHash()).isEqualTo(b.forgetIdsHash());
    assertThat(a.forget().contentHash()).isEqualTo(b.forget().contentHash());
    assertThat(c.forgetIds()).isNotEqualTo(a.forgetIds());
    assertThat(c.forgetIdsHash()).isNotEqualTo(a.forgetIdsHash());
  }

  @Test
  void classSpecForgetsTheWholeClassAndMovesItOutOfTheTestSplit() throws Exception {
    ForgetTask byName = ForgetTask.derive(ForgetSpec.parse("class:c3"), SPLITS, 1);
    ForgetTask byIndex = ForgetTask.derive(ForgetSpec.parse("class:3"), SPLITS, 99);

    assertPartitionsThePool(byName);
    assertThat(byName.forgetClasses()).containsExactly(3);
    assertThat(byName.forget().labels()).containsOnly(3);
    assertThat(byName.forget().size()).isEqualTo(SPLITS.pool().rowsOfClass(3).length);
    assertThat(byName.retain().labels()).doesNotContain(3);
    assertThat(byName.test().labels()).doesNotContain(3);
    assertThat(byName.testForgotten().labels()).containsOnly(3).hasSize(5);
    assertThat(byName.test().size() + byName.testForgotten().size()).isEqualTo(SPLITS.test().size());
    assertThat(byName.testForgotten().ids()).containsExactly(3, 13, 23, 33, 43);
    assertThat(byIndex.forgetIds()).containsExactly(byName.forgetIds());
    assertThat(byIndex.test().ids()).containsExactly(byName.test().ids());
  }

  @Test
  void heldOutAsValidationPutsTheValidationSplitInTheTestSplitsRole() {
    ForgetTask random = ForgetTask.derive(ForgetSpec.parse("random:0.25"), SPLITS, 3);
    ForgetTask view = random.heldOutAsValidation();
    assertThat(view.test()).isSameAs(SPLITS.validation());
    assertThat(view.testForgotten().size()).isZero();
    assertThat(view.forget()).isSameAs(random.forget());
    assertThat(view.retain()).isSameAs(random.retain());
    assertThat(view.validation()).isSameAs(SPLITS.validation());
    assertThat(view.forgetIdsHash()).isEqualTo(random.forgetIdsHash());
    assertThat(view.spec()).isEqualTo(random.spec());
    assertThat(random.test()).isSameAs(SPLITS.test());

    ForgetTask byClass = ForgetTask.derive(ForgetSpec.parse("class:c3"), SPLITS, 1).heldOutAsValidation();
    int[] validationIds = SPLITS.validation().ids();
    int[] threes = Arrays.stream(validationIds).filter(id -> id % 10 == 3).toArray();
    int[] others = Arrays.stream(validationIds).filter(id -> id % 10 != 3).toArray();
    assertThat(threes).isNotEmpty();
    assertThat(byClass.testForgotten().ids()).containsExactly(threes);
    assertThat(byClass.testForgotten().labels()).containsOnly(3);
    assertThat(byClass.test().ids()).containsExactly(others);
    assertThat(byClass.forgetClasses()).containsExactly(3);
    assertThat(byClass.heldOutIsValidation()).isTrue();
    assertThat(random.heldOutIsValidation()).isFalse();
    assertThat(Arrays.stream(byClass.rows().testForgotten()).map(r -> SPLITS.validation().id(r)).toArray())
        .as("held-out rows index the validation split").containsExactly(threes);
    assertThat(Arrays.stream(byClass.rows().test()).map(r -> SPLITS.validation().id(r)).toArray()).containsExactly(others);
    assertThat(byClass.rows().retain()).isEqualTo(ForgetTask.derive(ForgetSpec.parse("class:c3"), SPLITS, 1).rows().retain());
    assertThat(view.heldOutAsValidation()).isSameAs(view);
  }

  @Test
  void idFileForgetsTheListedIdsSkippingCommentsAndBlankLines() throws Exception {
    int[] pool = SPLITS.pool().ids();
    Path file = idFile("# forget these", String.valueOf(pool[40]), "", "  " + pool[3] + "  ", "   # indented comment",
        String.valueOf(pool[17]));

    ForgetTask task = ForgetTask.derive(ForgetSpec.parse("ids:" + file), SPLITS, 1);

    assertPartitionsThePool(task);
    assertThat(task.forgetIds()).containsExactly(pool[3], pool[17], pool[40]);
    assertThat(task.forget().ids()).containsExactly(pool[3], pool[17], pool[40]);
    assertThat(task.forgetClasses()).isEmpty();
    assertThat(task.testForgotten().size()).isZero();
  }

  @Test
  void forgetIdsAndClassesAreCopies() {
    ForgetTask task = ForgetTask.derive(ForgetSpec.parse("class:4"), SPLITS, 1);
    int first = task.forgetIds()[0];

    task.forgetIds()[0] = -7;
    task.forgetClasses()[0] = -7;

    assertThat(task.forgetIds()[0]).isEqualTo(first);
    assertThat(task.forgetClasses()).containsExactly(4);
  }

  @Test
  void fractionThatRoundsToZeroIsAnError() {
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.parse("random:0.005"), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("selects 0 of the 60 samples");
  }

  @Test
  void fractionThatRoundsToTheWholePoolIsAnError() {
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.parse("random:0.995"), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("whole training pool (60 samples)");
  }

  @Test
  void countLargerThanThePoolIsAnError() {
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.parse("random:61"), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("asks for 61 samples but the training pool has 60");
  }

  @Test
  void countEqualToThePoolIsAnError() {
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.parse("random:60"), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("leaving nothing to retain");
  }

  @Test
  void classAbsentFromThePoolIsAnError() {
    int[] labels = new int[30];
    Arrays.fill(labels, 15, 30, 1);
    TrainTest noNines = new TrainTest(TestData.withLabels("train", labels, 0), TestData.synthetic("test", 10, 0));
    Splits splits = Splits.of(noNines, new SplitConfig(20, 0, 0, 1));

    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.parse("class:c9"), splits, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("class 9 (c9) has no samples in the training pool of 20");
  }

  @Test
  void classThatIsTheWholePoolIsAnError() {
    TrainTest oneClass = new TrainTest(TestData.withLabels("train", new int[12], 0), TestData.synthetic("test", 10, 0));
    Splits splits = Splits.of(oneClass, new SplitConfig(10, 0, 0, 1));

    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.parse("class:0"), splits, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("whole training pool (10 samples)");
  }

  @Test
  void unknownClassListsTheValidOnes() {
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.parse("class:Sandal"), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("unknown class 'Sandal'")
        .hasMessageContaining("9=c9");
  }

  @Test
  void nonNumericIdNamesTheLine() throws IOException {
    Path file = idFile("# header", String.valueOf(SPLITS.pool().id(0)), "twelve");

    assertThatThrownBy(() -> ForgetTask.derive(new ForgetSpec.IdList(file), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("line 3: 'twelve' is not an integer id");
  }

  @Test
  void idOutsideThePoolIsExplained() throws IOException {
    int validationId = SPLITS.validation().id(0);
    Path file = idFile(String.valueOf(SPLITS.pool().id(0)), String.valueOf(validationId));

    assertThatThrownBy(() -> ForgetTask.derive(new ForgetSpec.IdList(file), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("line 2: id " + validationId + " is not in the training pool")
        .hasMessageContaining("ids are stable indices into the training file and must be in the training pool");
  }

  @Test
  void duplicatedIdIsNamed() throws IOException {
    int id = SPLITS.pool().id(5);
    Path file = idFile(String.valueOf(id), String.valueOf(SPLITS.pool().id(6)), " " + id);

    assertThatThrownBy(() -> ForgetTask.derive(new ForgetSpec.IdList(file), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("line 3: id " + id + " is listed twice");
  }

  @Test
  void missingIdFileIsNamed() {
    Path missing = dir.resolve("absent.txt");

    assertThatThrownBy(() -> ForgetTask.derive(new ForgetSpec.IdList(missing), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void unreadableIdFileIsAnError() throws IOException {
    Path binary = Files.write(dir.resolve("binary.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x31});

    assertThatThrownBy(() -> ForgetTask.derive(new ForgetSpec.IdList(binary), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("cannot read forget id file " + binary);
    assertThatThrownBy(() -> ForgetTask.derive(new ForgetSpec.IdList(dir), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("cannot read forget id file " + dir);
  }

  @Test
  void idFileWithoutIdsIsAnEmptyForgetSet() throws IOException {
    Path file = idFile("# nothing to forget", "", "   ");

    assertThatThrownBy(() -> ForgetTask.derive(new ForgetSpec.IdList(file), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("lists no ids");
  }

  @Test
  void idFileListingTheWholePoolIsAnError() throws IOException {
    String[] lines = Arrays.stream(SPLITS.pool().ids()).mapToObj(String::valueOf).toArray(String[]::new);
    Path file = idFile(lines);

    assertThatThrownBy(() -> ForgetTask.derive(new ForgetSpec.IdList(file), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessageContaining("leaving nothing to retain");
  }

  @Test
  void validationAndTestStayOutOfTheForgetSet() {
    ForgetTask task = ForgetTask.derive(ForgetSpec.parse("random:0.5"), SPLITS, 3);

    assertThat(task.validation().ids()).doesNotContain(task.forgetIds());
    assertThat(task.forget().size()).isEqualTo(30);
  }

  @Test
  void anInMemoryIdListForgetsWhatAnIdFileOfTheSameIdsForgets() throws Exception {
    int[] pool = SPLITS.pool().ids();
    Path file = idFile(String.valueOf(pool[7]), String.valueOf(pool[2]), String.valueOf(pool[30]));
    ForgetTask fromFile = ForgetTask.derive(new ForgetSpec.IdList(file), SPLITS, 1);
    ForgetTask inMemory = ForgetTask.derive(ForgetSpec.ids(pool[30], pool[7], pool[2]), SPLITS, 1);
    assertPartitionsThePool(inMemory);
    assertThat(inMemory.forgetIds()).containsExactly(fromFile.forgetIds());
    // the forget ids hash is what result cells and artifacts are keyed by: an in-memory list joins the file's cells
    assertThat(inMemory.forgetIdsHash()).isEqualTo(fromFile.forgetIdsHash());
    assertThat(inMemory.forget().contentHash()).isEqualTo(fromFile.forget().contentHash());
    assertThat(inMemory.retain().contentHash()).isEqualTo(fromFile.retain().contentHash());
    assertThat(inMemory.rows().forget()).containsExactly(fromFile.rows().forget());
  }

  @Test
  void anInMemoryIdOutsideThePoolIsAOneLineError() {
    int validationId = SPLITS.validation().id(0);
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.ids(SPLITS.pool().id(0), validationId), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessage("forget spec ForgetSpec.ids: id " + validationId + " is not in the training pool; ids are stable"
            + " indices into the training file and must be in the training pool of 60 samples");
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.ids(-1), SPLITS, 1))
        .isInstanceOf(LetheException.class).hasMessageStartingWith("forget spec ForgetSpec.ids: id -1 is not in");
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.ids(SPLITS.pool().ids()), SPLITS, 1))
        .isInstanceOf(LetheException.class).hasMessageContaining("leaving nothing to retain");
  }

  @Test
  void severalClassesForgetTheUnionOfTheirRowsAndLeaveTheTestSplitTogether() throws Exception {
    ForgetTask task = ForgetTask.derive(ForgetSpec.parse("class:5,c2"), SPLITS, 1);
    assertPartitionsThePool(task);
    assertThat(task.forgetClasses()).containsExactly(2, 5);
    int[] expected = IntStream.range(0, SPLITS.pool().size())
        .filter(row -> SPLITS.pool().label(row) == 2 || SPLITS.pool().label(row) == 5).toArray();
    assertThat(task.rows().forget()).containsExactly(expected);
    assertThat(task.retain().labels()).doesNotContain(2, 5);
    assertThat(task.test().labels()).doesNotContain(2, 5);
    assertThat(task.testForgotten().labels()).containsOnly(2, 5);
    assertThat(task.test().size() + task.testForgotten().size()).isEqualTo(SPLITS.test().size());
    assertThat(ForgetTask.derive(ForgetSpec.classes(2, 5), SPLITS, 1).forgetIds()).containsExactly(task.forgetIds());
    assertThatThrownBy(() -> ForgetTask.derive(ForgetSpec.parse("class:5,c5"), SPLITS, 1))
        .isInstanceOf(LetheException.class)
        .hasMessage("forget spec class:5,c5 names class 5 (c5) twice; name each class once");
  }

  @Test
  void aTaskKnowsTheSeedItWasDerivedWith() {
    ForgetTask task = ForgetTask.derive(ForgetSpec.parse("random:0.5"), SPLITS, 42);
    assertThat(task.seed()).isEqualTo(42);
    assertThat(task.heldOutAsValidation().seed()).isEqualTo(42);
  }
}
