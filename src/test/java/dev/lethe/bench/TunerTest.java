package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.experiment.Json;
import dev.lethe.train.LrSchedule;
import dev.lethe.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunerTest {
  @TempDir Path tmp;

  private BenchConfig config(List<String> methods, long seed, Path recipes) {
    return new BenchConfig("fashion-mnist", null, "cnn", 8, new SplitConfig(1500, 500, 500, 0),
        new TrainConfig(6, 64, 0.05, 0.9, 5e-4, LrSchedule.COSINE), List.of("class:Sandal"), methods, List.of(seed),
        Map.of(), tmp.resolve("store"), tmp.resolve("out"), recipes);
  }

  @Test
  void gridsExpandToTheirCartesianProduct() {
    var points = Tuner.expand(new java.util.LinkedHashMap<>(Map.of("lr", List.of("1", "2"))));
    assertThat(points).hasSize(2);
    var map = new java.util.LinkedHashMap<String, List<String>>();
    map.put("lr", List.of("1", "2", "3"));
    map.put("epochs", List.of("1", "2"));
    assertThat(Tuner.expand(map)).hasSize(6).contains(Map.of("lr", "3", "epochs", "2"));
    assertThat(Tuner.expand(Map.of())).containsExactly(Map.of());
  }

  @Test
  void badGridsAreRejectedBeforeAnyWork() {
    BenchConfig c = config(List.of("ga", "salun"), 1000, tmp.resolve("recipes"));
    assertThatThrownBy(() -> new Tuner(c, List.of("ga.speed=1,2"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("ga.speed");
    assertThatThrownBy(() -> new Tuner(c, List.of("ga.lr=1e-3,"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("empty value");
    assertThatThrownBy(() -> new Tuner(c, List.of("ga.lr"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("method.key=v1,v2");
    assertThatThrownBy(() -> new Tuner(c, List.of("ga.lr=1,2,3", "ga.epochs=1,2,3"), 8, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("--max-configs");
    assertThatThrownBy(() -> new Tuner(c, List.of("salun.sparsity=0.5,1.0"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("(0, 1)");
    assertThatThrownBy(() -> new Tuner(c, List.of("rl.lr=0.1"), 64, false))
        .isInstanceOf(LetheException.class).hasMessageContaining("not among --methods");
    new Tuner(c, List.of("ga.lr=1,2,3", "ga.epochs=1,2,3"), 8, true);
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void gridsTakeShortAndDottedKeysButNotBothForOneField() {
    BenchConfig c = config(List.of("ga", "salun"), 1000, tmp.resolve("recipes"));
    new Tuner(c, List.of("ga.sgd.lr=1e-4,1e-3", "salun.maskMode=grad_only,hard_freeze"), 64, false);
    assertThatThrownBy(() -> new Tuner(c, List.of("ga.lr=1e-4", "ga.sgd.lr=1e-3"), 64, false))
        .isInstanceOf(LetheException.class).hasMessage(
            "parameter ga.sgd.lr is given twice (lr=1e-4 and sgd.lr=1e-3): pass it once");
    assertThatThrownBy(() -> new Tuner(c, List.of("salun.maskMode=soft"), 64, false))
        .isInstanceOf(LetheException.class).hasMessage(
            "unknown value 'soft' for salun.maskMode: use grad_only or hard_freeze");
  }

  @Test
  void tuningPicksTheSmallestGapWritesEveryConfigAndTheBenchUsesTheWinner() throws Exception {
    Path recipes = tmp.resolve("recipes");
    BenchConfig tune = config(List.of("ga"), 1000, recipes);
    List<JsonNode> rows = new Tuner(tune, List.of("ga.lr=1e-5,2e-3"), 64, false).run();
    assertThat(rows).hasSize(4);
    JsonNode gaTiny = rows.stream().filter(r -> r.path("grid_point").path("lr").asText().equals("1e-5")).findFirst().orElseThrow();
    JsonNode gaBig = rows.stream().filter(r -> r.path("grid_point").path("lr").asText().equals("2e-3")).findFirst().orElseThrow();
    assertThat(rows).allSatisfy(r -> assertThat(r.get("held_out").asText()).isEqualTo("validation"));
    assertThat(rows).allSatisfy(r -> assertThat(r.get("sizes").get("test").asInt())
        .as("the held-out split is the validation split without Sandal").isLessThan(500).isGreaterThan(400));
    JsonNode rt = rows.get(0);
    assertThat(rt.get("method").asText()).isEqualTo("retrain");
    JsonNode doNothing = rows.get(1);
    assertThat(doNothing.get("method").asText()).as("the do-nothing bar of the tuning table").isEqualTo("original");
    assertThat(doNothing.get("held_out").asText()).isEqualTo("validation");
    assertThat(doNothing.get("metrics").get("avg_gap").asDouble()).isPositive();
    boolean bigCollapsed = gaBig.get("metrics").get("outputs_finite").asDouble() == 0
        || gaBig.get("metrics").get("test_acc").asDouble() < rt.get("metrics").get("test_acc").asDouble() - 15;
    // one seed, two neighbouring points: the gap decides unless the larger rate collapses
    String expected = bigCollapsed
        || gaTiny.get("metrics").get("avg_gap").asDouble() <= gaBig.get("metrics").get("avg_gap").asDouble()
        ? "1e-5" : "2e-3";
    Recipe recipe = Recipe.read(Recipe.fileFor(recipes, "fashion-mnist", "cnn", "class:Sandal"), "fashion-mnist", "cnn",
        ForgetSpec.parse("class:Sandal"));
    assertThat(recipe.winner("ga")).containsEntry("lr", expected);
    assertThat(recipe.selectedOnValidation()).isTrue();
    assertThat(recipe.json().get("tuning_seeds")).hasSize(1);
    assertThat(recipe.json().get("tuning_seeds").get(0).asLong()).isEqualTo(1000);
    assertThat(recipe.json().get("winners").get("ga").get("edge").get(0).asText())
        .as("either winner is the smallest or the largest rate tried").isEqualTo("lr");
    JsonNode gaWinner = recipe.json().get("winners").get("ga");
    double doNothingGap = doNothing.get("metrics").get("avg_gap").asDouble();
    double winnerGap = (expected.equals("1e-5") ? gaTiny : gaBig).get("metrics").get("avg_gap").asDouble();
    assertThat(gaWinner.get("do_nothing_avg_gap").asDouble()).as("one seed: the do-nothing row's gap")
        .isEqualTo(doNothingGap);
    assertThat(gaWinner.get("beats_do_nothing").asBoolean()).as("one seed: strictly below")
        .isEqualTo(winnerGap < doNothingGap);
    assertThat(recipe.json().get("do_nothing_rule").asText()).isEqualTo(Tuner.DO_NOTHING_RULE);
    assertThat(Files.readString(tmp.resolve("out").resolve("tuning-summary.md")))
        .contains("| original | 1 |").contains("| ga lr=1e-5 | 1 |").contains("| ga lr=2e-3 | 1 |");

    List<JsonNode> again = new Tuner(tune, List.of("ga.lr=1e-5,2e-3"), 64, false).run();
    assertThat(again).hasSize(4);

    // class:5 is Sandal by index: another spec text, the same class, so the class recipe applies by kind
    BenchConfig bench = new BenchConfig("fashion-mnist", null, "cnn", 8, new SplitConfig(1500, 500, 500, 0),
        new TrainConfig(6, 64, 0.05, 0.9, 5e-4, LrSchedule.COSINE), List.of("class:5"), List.of("original", "ga"), List.of(1L),
        Map.of(), tmp.resolve("store"), tmp.resolve("bench"), recipes);
    List<JsonNode> benchRows = new BenchmarkRunner(bench).run();
    JsonNode ga = benchRows.stream().filter(r -> r.get("method").asText().equals("ga")).findFirst().orElseThrow();
    assertThat(ga.get("params").get("lr").asDouble()).isEqualTo(Double.parseDouble(expected));
    assertThat(ga.get("provenance").get("recipe").asText()).isEqualTo("fashion-mnist-cnn-class-Sandal.json");
    assertThat(ga.get("provenance").get("recipe_tuned_for").asText()).isEqualTo("class:Sandal");
    assertThat(ga.get("provenance").get("recipe_selected_on").asText()).isEqualTo("validation");
    assertThat(ga.get("sizes").get("test").asInt()).as("the bench reports on the test split").isGreaterThan(400);
    JsonNode original = benchRows.stream().filter(r -> r.get("method").asText().equals("original")).findFirst().orElseThrow();
    assertThat(original.get("provenance").has("recipe")).as("original has no tuned entry: bare defaults").isFalse();
  }

  @Test
  void severalTuningSeedsAreAllEvaluatedAndTheWinnerIsJudgedOnAll() throws Exception {
    Path recipes = tmp.resolve("recipes2");
    BenchConfig tune = new BenchConfig("fashion-mnist", null, "cnn", 8, new SplitConfig(1500, 500, 500, 0),
        new TrainConfig(6, 64, 0.05, 0.9, 5e-4, LrSchedule.COSINE), List.of("class:Sandal"), List.of("ga"),
        List.of(1000L, 1001L), Map.of(), tmp.resolve("store"), tmp.resolve("out2"), recipes);
    List<List<JsonNode>> run = new java.util.ArrayList<>();
    String err = RecipeTest.stderrOf(() -> run.add(new Tuner(tune, List.of("ga.lr=1e-5,1e-3"), 64, false).run()));
    List<JsonNode> rows = run.get(0);
    assertThat(rows).hasSize(8);
    assertThat(rows.stream().filter(r -> r.get("method").asText().equals("ga")).map(r -> r.get("seed").asLong()))
        .containsExactlyInAnyOrder(1000L, 1000L, 1001L, 1001L);
    JsonNode recipe = Json.MAPPER.readTree(Recipe.fileFor(recipes, "fashion-mnist", "cnn", "class:Sandal").toFile());
    assertThat(recipe.get("tuning_seeds")).hasSize(2);
    JsonNode winner = recipe.get("winners").get("ga");
    assertThat(winner.get("avg_gap_per_seed")).hasSize(2);
    double mean = (winner.get("avg_gap_per_seed").get(0).asDouble() + winner.get("avg_gap_per_seed").get(1).asDouble()) / 2;
    assertThat(winner.get("metrics").get("avg_gap").asDouble()).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-9));
    List<Double> doNothing = rows.stream().filter(x -> x.get("method").asText().equals("original"))
        .map(x -> x.get("metrics").get("avg_gap").asDouble()).toList();
    assertThat(doNothing).as("one do-nothing row per tuning seed").hasSize(2);
    double bar = (doNothing.get(0) + doNothing.get(1)) / 2;
    double spread = Math.abs(doNothing.get(0) - doNothing.get(1)) / Math.sqrt(2); // the sample std of two values
    assertThat(winner.get("do_nothing_avg_gap").asDouble()).isCloseTo(bar, org.assertj.core.data.Offset.offset(1e-9));
    boolean beats = mean < bar - spread;
    assertThat(winner.get("beats_do_nothing").asBoolean()).isEqualTo(beats);
    assertThat(err.contains("lethe: ga: its winner on class:Sandal (lr=")).as("said on stderr iff it does not beat")
        .isEqualTo(!beats);
    Recipe r = Recipe.read(Recipe.fileFor(recipes, "fashion-mnist", "cnn", "class:Sandal"), "fashion-mnist", "cnn",
        ForgetSpec.parse("class:Sandal"));
    assertThatThrownBy(() -> r.checkSeeds(List.of(1L, 1001L))).isInstanceOf(LetheException.class)
        .hasMessageContaining("1001");
  }

  /** A synthetic tuning row: validation accuracy, Avg Gap and whether the outputs were finite. */
  private static JsonNode row(double heldOutAcc, double gap, boolean finite) {
    var row = Json.MAPPER.createObjectNode();
    row.putObject("metrics").put("test_acc", heldOutAcc).put("avg_gap", gap).put("outputs_finite", finite ? 1.0 : 0.0);
    return row;
  }

  /** A candidate on one or more seeds against RT's validation accuracy of 80 on each; {@code acc} per seed. */
  private static Tuner.Candidate point(Map<String, String> point, double[] acc, double... gaps) {
    List<JsonNode> rows = new java.util.ArrayList<>();
    List<Double> rt = new java.util.ArrayList<>();
    for (int i = 0; i < gaps.length; i++) {
      rows.add(row(acc[i], gaps[i], true));
      rt.add(80.0);
    }
    return Tuner.Candidate.of(point, rows, rt);
  }

  private static double[] fine(int seeds) {
    double[] acc = new double[seeds];
    java.util.Arrays.fill(acc, 80);
    return acc;
  }

  @Test
  void aPointThatCollapsesOnAnySeedLosesToOneThatNever() {
    Map<String, List<String>> grid = Map.of("lr", List.of("0.1", "0.2", "0.3"));
    // 0.1 is the best on average but falls 20 points below RT's validation accuracy on the second seed
    Tuner.Candidate lucky = point(Map.of("lr", "0.1"), new double[] {80, 60}, 1, 1);
    Tuner.Candidate steady = point(Map.of("lr", "0.2"), fine(2), 5, 5);
    Tuner.Candidate nan = Tuner.Candidate.of(Map.of("lr", "0.3"),
        List.of(row(80, 0.5, true), row(80, 0.5, false)), List.of(80.0, 80.0));
    assertThat(lucky.collapsedSeeds()).isEqualTo(1);
    assertThat(nan.collapsedSeeds()).as("non-finite outputs collapse whatever the accuracy").isEqualTo(1);
    Tuner.Choice choice = Tuner.select(grid, List.of(lucky, steady, nan));
    assertThat(choice.winner()).isSameAs(steady);
    assertThat(choice.neighbourCollapsed()).isTrue();
    assertThat(choice.score()).isEqualTo(5 + Tuner.NEIGHBOUR_PENALTY);
    assertThat(choice.edge()).isEmpty();
    assertThat(choice.toJson().get("collapsed").asBoolean()).isFalse();
    assertThat(choice.toJson().has("edge")).isFalse();
  }

  @Test
  void amongSafePointsTheMeanPlusStdOfAvgGapWins() {
    Map<String, List<String>> grid = Map.of("lr", List.of("0.1", "0.2", "0.3"));
    Tuner.Candidate erratic = point(Map.of("lr", "0.1"), fine(2), 1, 5); // 3 + sqrt(8) = 5.83
    Tuner.Candidate middle = point(Map.of("lr", "0.2"), fine(2), 9, 9);
    Tuner.Candidate steady = point(Map.of("lr", "0.3"), fine(2), 4, 4.5); // 4.25 + sqrt(0.125) = 4.60
    Tuner.Choice choice = Tuner.select(grid, List.of(erratic, middle, steady));
    assertThat(choice.winner()).isSameAs(steady);
    assertThat(choice.score()).isCloseTo(4.25 + Math.sqrt(0.125), org.assertj.core.data.Offset.offset(1e-12));
    assertThat(choice.neighbourCollapsed()).isFalse();
    assertThat(choice.edge()).containsExactly("lr");
    assertThat(choice.toJson().get("edge").get(0).asText()).isEqualTo("lr");
    assertThat(erratic.gapScore()).isCloseTo(3 + Math.sqrt(8), org.assertj.core.data.Offset.offset(1e-12));
    assertThat(point(Map.of("lr", "0.1"), fine(1), 2.5).gapScore()).as("no spread on one seed").isEqualTo(2.5);
  }

  @Test
  void aPointNextToACollapseNeedsToWinByMoreThanThePenalty() {
    // listed out of order on purpose: neighbours are taken along the numeric order 0.1 < 0.2 < 0.3 < 0.4
    Map<String, List<String>> grid = Map.of("lr", List.of("0.3", "0.1", "0.4", "0.2"));
    Tuner.Candidate p1 = point(Map.of("lr", "0.1"), fine(1), 3.2);
    Tuner.Candidate p3 = point(Map.of("lr", "0.3"), fine(1), 2.0);
    Tuner.Candidate cliff = point(Map.of("lr", "0.4"), new double[] {10}, 0.5);
    Tuner.Candidate safe = point(Map.of("lr", "0.2"), fine(1), 2.5);
    Tuner.Choice choice = Tuner.select(grid, List.of(p3, p1, cliff, safe));
    assertThat(choice.winner()).as("2.0 + 1 next to the cliff loses to a safe 2.5").isSameAs(safe);
    assertThat(choice.score()).isEqualTo(2.5);
    assertThat(choice.edge()).isEmpty();

    Tuner.Candidate worse = point(Map.of("lr", "0.2"), fine(1), 3.5);
    Tuner.Choice close = Tuner.select(grid, List.of(p3, p1, cliff, worse));
    assertThat(close.winner()).as("the penalty is not a veto: 3.0 beats a safe 3.5").isSameAs(p3);
    assertThat(close.neighbourCollapsed()).isTrue();
    assertThat(close.score()).isEqualTo(2.0 + Tuner.NEIGHBOUR_PENALTY);
  }

  @Test
  void neighboursDifferInOneAxisByOneStepAndEdgesAreNumericAxesOnly() {
    Map<String, List<String>> grid = new java.util.LinkedHashMap<>();
    grid.put("lr", List.of("1", "2", "3"));
    grid.put("epochs", List.of("1", "2"));
    grid.put("withLabel", List.of("true", "false"));
    grid.put("eps", List.of("0.3"));
    List<Tuner.Candidate> all = new java.util.ArrayList<>();
    Tuner.Candidate corner = null;
    Tuner.Candidate besideCliff = null;
    for (Map<String, String> p : Tuner.expand(grid)) {
      boolean cliff = p.get("lr").equals("2") && p.get("epochs").equals("2") && p.get("withLabel").equals("true");
      boolean isCorner = p.get("lr").equals("1") && p.get("epochs").equals("1") && p.get("withLabel").equals("true");
      boolean isBeside = p.get("lr").equals("2") && p.get("epochs").equals("1") && p.get("withLabel").equals("true");
      Tuner.Candidate c = point(p, new double[] {cliff ? 0 : 80}, cliff ? 0.1 : isCorner ? 2.2 : isBeside ? 2.0 : 5);
      all.add(c);
      corner = isCorner ? c : corner;
      besideCliff = isBeside ? c : besideCliff;
    }
    Tuner.Choice choice = Tuner.select(grid, all);
    assertThat(choice.winner()).as("the diagonal corner is no neighbour of the cliff; (2, 1) is").isSameAs(corner);
    assertThat(choice.neighbourCollapsed()).isFalse();
    assertThat(choice.score()).isEqualTo(2.2);
    assertThat(choice.edge()).as("a boolean axis and a one-value axis have no edge").containsExactly("lr", "epochs");
    List<Tuner.Candidate> withoutCorner = new java.util.ArrayList<>(all);
    withoutCorner.remove(corner);
    Tuner.Choice next = Tuner.select(grid, withoutCorner);
    assertThat(next.winner()).isSameAs(besideCliff);
    assertThat(next.neighbourCollapsed()).isTrue();
    assertThat(next.score()).isEqualTo(2.0 + Tuner.NEIGHBOUR_PENALTY);
  }

  /** The do-nothing rows of three tuning seeds: Avg Gap 50.5, 49.5, 50, so a mean of 50 and a sample std of 0.5. */
  private static Tuner.DoNothing doNothingOfThreeSeeds() {
    return Tuner.DoNothing.of(List.of(row(90, 50.5, true), row(90, 49.5, true), row(90, 50, true)));
  }

  @Test
  void aWinnerNoBetterThanDoingNothingIsInstalledRecordedAndSaidOnStderr() {
    Map<String, List<String>> grid = Map.of("lr", List.of("1e-4", "1e-3"));
    // 1e-3 forgets (gap 30) but collapses on the second seed, so the safe 1e-4, which does not, wins at 52
    Tuner.Candidate safe = point(Map.of("lr", "1e-4"), fine(3), 53, 51, 52);
    Tuner.Candidate cliff = point(Map.of("lr", "1e-3"), new double[] {80, 50, 80}, 30, 30, 30);
    Tuner.Choice choice = Tuner.select(grid, List.of(safe, cliff));
    assertThat(choice.winner()).as("the selection rule is unchanged").isSameAs(safe);
    Tuner.DoNothing bar = doNothingOfThreeSeeds();
    assertThat(bar.meanGap()).isEqualTo(50.0);
    assertThat(bar.stdGap()).isEqualTo(0.5); // sqrt((0.25 + 0.25 + 0) / 2)
    var entry = choice.toJson();
    String err = RecipeTest.stderrOf(() -> bar.judge("ga", "class:Sandal", choice.winner(), entry));
    assertThat(entry.get("do_nothing_avg_gap").asDouble()).isEqualTo(50.0);
    assertThat(entry.get("beats_do_nothing").asBoolean()).isFalse();
    assertThat(entry.get("params").get("lr").asText()).isEqualTo("1e-4");
    assertThat(err).isEqualTo("lethe: ga: its winner on class:Sandal (lr=1e-4) does not beat doing nothing on"
        + " validation (Avg Gap 52.00 against 50.00 unchanged, std 0.50 over the tuning seeds): installed anyway;"
        + " widen the grid or leave ga out of this scenario" + System.lineSeparator());

    // below the bar's mean but within its spread (49.7 > 50 - 0.5): not shown to unlearn anything either
    Tuner.Candidate within = point(Map.of(), fine(3), 49.7, 49.7, 49.7);
    var withinEntry = Tuner.select(Map.of(), List.of(within)).toJson();
    String withinErr = RecipeTest.stderrOf(() -> bar.judge("laf", "class:Sandal", within, withinEntry));
    assertThat(withinEntry.get("beats_do_nothing").asBoolean()).isFalse();
    assertThat(withinErr).startsWith("lethe: laf: its winner on class:Sandal (its defaults) does not beat doing"
        + " nothing on validation (Avg Gap 49.70 against 50.00 unchanged, std 0.50 over the tuning seeds)");
  }

  @Test
  void aWinnerBelowTheDoNothingBarByMoreThanItsSpreadBeatsIt() {
    Tuner.DoNothing bar = doNothingOfThreeSeeds();
    Tuner.Candidate good = point(Map.of("lr", "0.1"), fine(3), 1, 2, 3);
    var entry = Tuner.select(Map.of("lr", List.of("0.1")), List.of(good)).toJson();
    String err = RecipeTest.stderrOf(() -> bar.judge("rl", "class:Sandal", good, entry));
    assertThat(entry.get("do_nothing_avg_gap").asDouble()).isEqualTo(50.0);
    assertThat(entry.get("beats_do_nothing").asBoolean()).isTrue();
    assertThat(err).isEmpty();
    assertThat(bar.beatenBy(point(Map.of(), fine(3), 49.4, 49.4, 49.4))).isTrue();
    assertThat(bar.beatenBy(point(Map.of(), fine(3), 49.5, 49.5, 49.5))).as("by more than the spread").isFalse();

    Tuner.DoNothing oneSeed = Tuner.DoNothing.of(List.of(row(90, 50, true)));
    assertThat(oneSeed.stdGap()).isZero();
    assertThat(oneSeed.beatenBy(point(Map.of(), fine(1), 49.99))).as("one seed: strictly below").isTrue();
    assertThat(oneSeed.beatenBy(point(Map.of(), fine(1), 50))).isFalse();
    String oneSeedErr = RecipeTest.stderrOf(
        () -> oneSeed.judge("ga", "random:0.1", point(Map.of(), fine(1), 50), Json.MAPPER.createObjectNode()));
    assertThat(oneSeedErr).as("no spread to show on one seed").contains("(Avg Gap 50.00 against 50.00 unchanged):");
  }

  @Test
  void withoutDoNothingRowsThereIsNoBarToRecord() {
    assertThat(Tuner.DoNothing.of(List.of())).as("a log without do-nothing rows").isNull();
    var noGap = Json.MAPPER.createObjectNode();
    noGap.putObject("metrics").put("test_acc", 90.0);
    assertThat(Tuner.DoNothing.of(List.of(row(90, 50, true), noGap))).as("a row without an Avg Gap").isNull();
  }

  /**
   * Tuning never reads a test image: its test split here holds only NaN pixels, with other labels and another
   * size, so any prediction on it is NaN (as the bench-side check below shows), yet tuning writes the same rows
   * and recipes, number for number, as with a clean test split. (A test split of another image shape, on which
   * a prediction would throw, is refused by {@link dev.lethe.data.TrainTest} before any of this runs.)
   */
  @Test
  void tuningReadsNoTestImage() throws Exception {
    var train = dev.lethe.train.TinyData.separable("tiny/train", 120, 1, 7);
    var clean = dev.lethe.train.TinyData.separable("tiny/test", 40, 1, 8);
    int n = 25;
    int[] labels = new int[n];
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (i + 1) % 3;
      ids[i] = i;
    }
    float[] nan = new float[n * 64];
    java.util.Arrays.fill(nan, Float.NaN);
    var poisoned = new dev.lethe.data.Dataset("tiny/test", 1, 8, 8, nan, labels, ids, clean.classNames());

    List<JsonNode> cleanRows = tuneTiny("clean", clean);
    List<JsonNode> poisonedRows = tuneTiny("poisoned", poisoned);
    assertThat(poisonedRows).hasSize(cleanRows.size()).hasSize(2 * (2 + 2 + 4 * 2)); // per spec: RT, the original and 4 points, each on 2 seeds
    for (int i = 0; i < cleanRows.size(); i++) {
      assertThat(withoutTimes(poisonedRows.get(i))).isEqualTo(withoutTimes(cleanRows.get(i)));
    }
    assertThat(poisonedRows).filteredOn(r -> r.get("method").asText().equals("retrain"))
        .allSatisfy(r -> assertThat(r.get("metrics").get("outputs_finite").asDouble()).isEqualTo(1.0));
    for (String forget : List.of("random:0.25", "class:one")) {
      JsonNode a = Json.MAPPER.readTree(Recipe.fileFor(tmp.resolve("clean/recipes"), "tiny", "mlp", forget).toFile());
      JsonNode b = Json.MAPPER.readTree(Recipe.fileFor(tmp.resolve("poisoned/recipes"), "tiny", "mlp", forget).toFile());
      assertThat(a.get("selected_on").asText()).isEqualTo("validation");
      for (String method : List.of("ga", "ft")) {
        JsonNode wa = a.get("winners").get(method).deepCopy();
        JsonNode wb = b.get("winners").get(method).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) wa.get("metrics")).remove(List.of("seconds", "rte"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) wb.get("metrics")).remove(List.of("seconds", "rte"));
        assertThat(wb).as(forget + " " + method).isEqualTo(wa);
      }
    }

    try (var files = Files.walk(tmp.resolve("poisoned/store"))) {
      assertThat(files.filter(f -> f.getFileName().toString().equals(dev.lethe.experiment.ModelOutputs.SIDECAR)))
          .as("tuning stores no per-example outputs, which would hold test-split predictions").isEmpty();
    }
    // the poison is live: the bench, which audits on the test split, sees RT's outputs there as non-finite
    Experiment poisonedExperiment = tinyExperiment(train, poisoned, tmp.resolve("poisoned/store"));
    ForgetTask task = poisonedExperiment.task(ForgetSpec.parse("random:0.25"), 1000);
    try (var original = poisonedExperiment.original(1000, dev.lethe.train.Progress.silent()).network()) {
      ScenarioRun onTest = new ScenarioRun(poisonedExperiment, task, original, dev.lethe.train.Progress.silent());
      assertThat(onTest.retrainMetrics().get("outputs_finite")).isZero();
    }
  }


  /**
   * Computes each tuning scenario as another JVM does: the job rebuilt from its text alone, each line answered as
   * text; counts the lines. Bench cells are not its business.
   */
  private static final class RebuildingExecutor implements CellExecutor {
    final List<String> computed = new java.util.ArrayList<>();

    @Override
    public Experiment cellsOf(Experiment experiment) {
      return experiment;
    }

    @Override
    public void compute(CellJob job, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> f) {
      throw new AssertionError("tune computes no bench cell");
    }

    @Override
    public void tune(TuningJob job, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> f) {
      try (TuningJob there = TuningJob.rebuild(job.text())) {
        for (String line : job.lines()) {
          computed.add(TuningJob.label(line));
          f.accept(CellJob.row(there.answer(line)));
        }
      }
    }
  }

  @Test
  void aTuningJobRebuiltFromItsTextComputesTheLocalRowsAndWinnersAndARerunComputesNothing() throws Exception {
    SplitConfig split = new SplitConfig(100, 30, 50, 0);
    TrainConfig training = new TrainConfig(2, 32, 0.05, 0.9, 5e-4, LrSchedule.COSINE);
    RebuildingExecutor remote = new RebuildingExecutor();
    List<List<JsonNode>> runs = new java.util.ArrayList<>();
    for (String name : List.of("remote", "local")) {
      Path dir = tmp.resolve(name);
      BenchConfig c = new BenchConfig("fashion-mnist", null, "mlp", 16, split, training, List.of("random:20"),
          List.of("ft"), List.of(1000L, 1001L), Map.of(), dir.resolve("store"), dir.resolve("out"),
          dir.resolve("recipes"), 0, 1, dev.lethe.experiment.EnsembleExecutor.IN_PROCESS,
          name.equals("remote") ? remote : CellExecutor.IN_PROCESS);
      runs.add(new Tuner(c, List.of("ft.lr=0.01,0.1", "ft.epochs=1"), 64, false).run());
    }
    assertThat(remote.computed).containsExactly("retrain seed 1000", "original seed 1000", "retrain seed 1001",
        "original seed 1001", "ft lr=0.01 epochs=1 seed 1000", "ft lr=0.01 epochs=1 seed 1001",
        "ft lr=0.1 epochs=1 seed 1000", "ft lr=0.1 epochs=1 seed 1001");
    assertThat(runs.get(0)).hasSize(8);
    for (int i = 0; i < 8; i++) { // as text: a row read back from its answer has other number nodes
      assertThat(withoutTimes(runs.get(0).get(i)).toString()).isEqualTo(withoutTimes(runs.get(1).get(i)).toString());
    }
    JsonNode a = Json.MAPPER.readTree(Recipe.fileFor(tmp.resolve("remote/recipes"), "fashion-mnist", "mlp",
        "random:20").toFile()).get("winners").get("ft").deepCopy();
    JsonNode b = Json.MAPPER.readTree(Recipe.fileFor(tmp.resolve("local/recipes"), "fashion-mnist", "mlp",
        "random:20").toFile()).get("winners").get("ft").deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) a.get("metrics")).remove(List.of("seconds", "rte"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) b.get("metrics")).remove(List.of("seconds", "rte"));
    assertThat(a.toString()).isEqualTo(b.toString());

    remote.computed.clear();
    Path dir = tmp.resolve("remote");
    BenchConfig again = new BenchConfig("fashion-mnist", null, "mlp", 16, split, training, List.of("random:20"),
        List.of("ft"), List.of(1000L, 1001L), Map.of(), dir.resolve("store"), dir.resolve("out"),
        dir.resolve("recipes"), 0, 1, dev.lethe.experiment.EnsembleExecutor.IN_PROCESS, remote);
    assertThat(new Tuner(again, List.of("ft.lr=0.01,0.1", "ft.epochs=1"), 64, false).run()).hasSize(8);
    assertThat(remote.computed).as("every cell is in tuning.jsonl: nothing to compute").isEmpty();

    BenchConfig other = new BenchConfig("fashion-mnist", null, "mlp", 16, split, training, List.of("random:20"),
        List.of("ft"), List.of(1000L), Map.of(), dir.resolve("store"), dir.resolve("other"), dir.resolve("recipes"));
    String line = runs.get(0).get(7).get("cell_key").asText() + " ft lr=0.1 epochs=1 seed 1001";
    try (TuningJob job = new TuningJob(new Tuner(other, List.of("ft.lr=0.01"), 64, false),
        new Experiment("fashion-mnist", null, "mlp", 16, split, training, new ArtifactStore(dir.resolve("store"))),
        dev.lethe.data.ForgetSpec.parse("random:20"), key -> false)) {
      assertThatThrownBy(() -> TuningJob.rebuild(job.text()).compute(line)).isInstanceOf(LetheException.class)
          .hasMessageContaining("tuning cell ft lr=0.1 epochs=1 seed 1001 is not one of fashion-mnist/mlp/random:20");
    }
  }

  private static final SplitConfig TINY_SPLIT = new SplitConfig(80, 30, 0, 0);
  private static final TrainConfig TINY_TRAINING = new TrainConfig(15, 16, 0.05, 0.9, 5e-4, LrSchedule.COSINE);

  private static Experiment tinyExperiment(dev.lethe.data.Dataset train, dev.lethe.data.Dataset test, Path store) {
    return new Experiment("tiny", null, new dev.lethe.data.TrainTest(train, test), "mlp", 16, TINY_SPLIT,
        TINY_TRAINING, new ArtifactStore(store));
  }

  private List<JsonNode> tuneTiny(String name, dev.lethe.data.Dataset test) {
    Path dir = tmp.resolve(name);
    BenchConfig c = new BenchConfig("tiny", null, "mlp", 16, TINY_SPLIT, TINY_TRAINING,
        List.of("random:0.25", "class:one"), List.of("ga", "ft"), List.of(1000L, 1001L), Map.of(),
        dir.resolve("store"), dir.resolve("out"), dir.resolve("recipes"));
    var train = dev.lethe.train.TinyData.separable("tiny/train", 120, 1, 7);
    return new Tuner(c, List.of("ga.lr=1e-4,1e-2", "ft.epochs=1,3"), 64, false)
        .run(tinyExperiment(train, test, dir.resolve("store")));
  }

  /**
   * A row without its wall-clock fields, which differ between two identical runs, and without the experiment's
   * description, which names the test split's content hash.
   */
  private static JsonNode withoutTimes(JsonNode row) {
    var copy = (com.fasterxml.jackson.databind.node.ObjectNode) row.deepCopy();
    copy.remove(List.of("finished_at", "config"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("metrics")).remove(List.of("seconds", "rte"));
    return copy;
  }
}
