package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input gets exit status 2, one line on stderr that says what is wrong, and leaves no
 * result or checkpoint behind.
 */
class BadInputTest {
  @TempDir static Path tmp;

  record Outcome(int status, String err) {}

  static Outcome run(String... args) {
    StringWriter err = new StringWriter();
    int status = Main.execute(new PrintWriter(err, true), args);
    return new Outcome(status, err.toString());
  }

  /** Small and fast: the failing check happens before any training unless the case is about training. */
  static String[] bench(String out, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "bench", "--train-size", "300", "--val-size", "0", "--test-size", "100", "--epochs", "1",
        "--width", "4", "--store", tmp.resolve("store").toString(), "--out", out));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  static Stream<Arguments> badBenchArguments() {
    return Stream.of(
        Arguments.of("unknown model", new String[] {"--model", "vgg"}, "unknown model 'vgg'"),
        Arguments.of("unknown method", new String[] {"--methods", "ga,nosuch"}, "unknown method 'nosuch'"),
        Arguments.of("unknown class", new String[] {"--forget", "class:Sneakers2"}, "Sneakers2"),
        Arguments.of("class index out of range", new String[] {"--forget", "class:12"}, "12"),
        Arguments.of("unknown param key", new String[] {"--param", "ga.speed=2"}, "ga.speed"),
        Arguments.of("non-numeric param", new String[] {"--param", "ga.lr=fast"}, "ga.lr"),
        Arguments.of("malformed param", new String[] {"--param", "galr"}, "method.key=value"),
        Arguments.of("repeated param", new String[] {"--param", "ga.lr=0.1", "--param", "ga.lr=0.2"},
            "--param ga.lr is given twice (0.1 and 0.2): pass each key once"),
        Arguments.of("retrain param", new String[] {"--param", "retrain.epochs=2"}, "--epochs"),
        Arguments.of("fraction zero", new String[] {"--forget", "random:0.0"}, "random"),
        Arguments.of("fraction one", new String[] {"--forget", "random:1.0"}, "random"),
        Arguments.of("count above pool", new String[] {"--forget", "random:5000"}, "5000"),
        Arguments.of("empty ids file", new String[] {"--forget", "ids:" + emptyIds()}, "empty"),
        Arguments.of("missing data", new String[] {"--data-dir", "/nonexistent/fm"}, "dataset-fashion-mnist"),
        Arguments.of("unknown dataset", new String[] {"--dataset", "imagenet"}, "imagenet"),
        Arguments.of("zero seeds", new String[] {"--seeds", "0"}, "--seeds"),
        Arguments.of("zero clip", new String[] {"--clip", "0"}, "--clip must be positive; omit it"),
        Arguments.of("negative clip", new String[] {"--clip", "-1"}, "--clip must be positive; omit it"),
        Arguments.of("zero attack budget", new String[] {"--param", "amun.epsilon=0"}, "amun.epsilon"),
        Arguments.of("negative attack budget", new String[] {"--param", "amun-a.epsilon=-0.1"}, "amun-a.epsilon"),
        Arguments.of("zero attack steps", new String[] {"--param", "amun.attackSteps=0"}, "amun.attackSteps"),
        Arguments.of("unknown bs attack", new String[] {"--param", "bs.attack=cw"}, "bs.attack must be one of"),
        Arguments.of("manif-smc k zero", new String[] {"--param", "manif-smc.k=0"}, "manif-smc.k"),
        Arguments.of("unknown flag", new String[] {"--frobnicate"}, "--frobnicate"));
  }

  private static String emptyIds() {
    try {
      Path p = tmp.resolve("empty-ids.txt");
      Files.writeString(p, "# nothing here\n\n");
      return p.toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBenchArguments")
  void badBenchInputExitsTwoWithOneLineAndWritesNothing(String name, String[] extra, String mentions) {
    Path out = tmp.resolve("out-" + name.replace(' ', '-'));
    Outcome o = run(bench(out.toString(), extra));
    assertThat(o.status()).as(o.err()).isEqualTo(2);
    assertThat(o.err().strip().lines()).as(o.err()).hasSize(1);
    assertThat(o.err()).startsWith("lethe: ").contains(mentions);
    assertThat(out.resolve("results.jsonl")).doesNotExist();
  }

  static Stream<Arguments> badTuneArguments() {
    return Stream.of(
        Arguments.of("unknown grid key", new String[] {"--methods", "ga", "--grid", "ga.speed=1,2"}, "ga.speed"),
        Arguments.of("empty grid value", new String[] {"--methods", "ga", "--grid", "ga.lr=1e-3,"}, "empty value"),
        Arguments.of("grid too large", new String[] {"--methods", "ga", "--grid", "ga.lr=1,2,3,4,5,6,7,8",
            "--grid", "ga.epochs=1,2,3,4,5,6,7,8,9"}, "--max-configs"),
        Arguments.of("mask sparsity one", new String[] {"--methods", "salun", "--grid", "salun.sparsity=0.5,1.0"}, "(0, 1)"),
        Arguments.of("grid for an unlisted method", new String[] {"--methods", "ga", "--grid", "rl.lr=0.1"}, "not among"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTuneArguments")
  void badTuneInputExitsTwoWithOneLineAndWritesNothing(String name, String[] extra, String mentions) {
    Path out = tmp.resolve("tune-" + name.replace(' ', '-'));
    List<String> args = new ArrayList<>(List.of("tune", "--store", tmp.resolve("store").toString(),
        "--out", out.toString(), "--recipes", tmp.resolve("recipes-" + name.replace(' ', '-')).toString()));
    args.addAll(List.of(extra));
    Outcome o = run(args.toArray(String[]::new));
    assertThat(o.status()).as(o.err()).isEqualTo(2);
    assertThat(o.err().strip().lines()).as(o.err()).hasSize(1);
    assertThat(o.err()).contains(mentions);
    assertThat(out).doesNotExist();
    assertThat(tmp.resolve("recipes-" + name.replace(' ', '-'))).doesNotExist();
  }

  @Test
  void outputDirectoryThatIsAFileIsRejected() throws Exception {
    Path file = tmp.resolve("a-file");
    Files.writeString(file, "x");
    Outcome o = run(bench(file.toString(), "--methods", "original"));
    assertThat(o.status()).isEqualTo(2);
    assertThat(o.err()).contains("is a file");
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void divergingTrainingStopsWithTheStepAndSavesNoCheckpoint() {
    Path save = tmp.resolve("diverged");
    Outcome o = run("train", "--train-size", "300", "--val-size", "0", "--test-size", "100",
        "--epochs", "1", "--width", "4", "--lr", "1e12", "--store", tmp.resolve("store-nan").toString(),
        "--save", save.toString());
    assertThat(o.status()).as(o.err()).isEqualTo(2);
    assertThat(o.err()).contains("diverged").contains("step").contains("lower the learning rate");
    assertThat(save).doesNotExist();
  }

  @Test
  void trainRejectsANonPositiveClipBeforeTraining() {
    Path save = tmp.resolve("clip-zero");
    Outcome o = run("train", "--train-size", "300", "--val-size", "0", "--test-size", "100", "--epochs", "1",
        "--width", "4", "--clip", "0", "--store", tmp.resolve("store-clip").toString(), "--save", save.toString());
    assertThat(o.status()).as(o.err()).isEqualTo(2);
    assertThat(o.err().strip()).isEqualTo("lethe: --clip must be positive; omit it to train without clipping");
    assertThat(save).doesNotExist();
    assertThat(tmp.resolve("store-clip")).doesNotExist();
  }

  @Test
  void forgetOnAMissingCheckpointIsAOneLineError() {
    Outcome o = run("forget", "--model", tmp.resolve("nope").toString(), "--forget", "random:0.1", "--method", "ga");
    assertThat(o.status()).isEqualTo(2);
    assertThat(o.err()).contains("no checkpoint");
  }

  @Test
  void trwOnARandomForgetSpecIsAOneLineError() {
    Path trained = tmp.resolve("trained-for-trw");
    Outcome t = run("train", "--train-size", "300", "--val-size", "0", "--test-size", "100", "--epochs", "1",
        "--width", "4", "--store", tmp.resolve("store-trw").toString(), "--save", trained.toString());
    assertThat(t.status()).as(t.err()).isZero();
    Path save = tmp.resolve("trw-unlearned");
    Outcome o = run("forget", "--model", trained.toString(), "--forget", "random:0.1", "--method", "trw",
        "--save", save.toString());
    assertThat(o.status()).as(o.err()).isEqualTo(2);
    assertThat(o.err().strip()).isEqualTo(
        "lethe: trw unlearns a whole class: use --forget class:NAME (got random:0.1)");
    assertThat(save).doesNotExist();
  }
}
