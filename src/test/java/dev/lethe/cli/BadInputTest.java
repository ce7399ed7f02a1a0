package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.data.TestData;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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
        Arguments.of("unknown augmentation", new String[] {"--augment", "rotate"},
            "lethe: unknown value 'rotate' for --augment: use none or crop-flip"),
        Arguments.of("zero attack budget", new String[] {"--param", "amun.epsilon=0"}, "amun.epsilon"),
        Arguments.of("negative attack budget", new String[] {"--param", "amun-a.epsilon=-0.1"}, "amun-a.epsilon"),
        Arguments.of("zero attack steps", new String[] {"--param", "amun.attackSteps=0"}, "amun.attackSteps"),
        Arguments.of("unknown bs attack", new String[] {"--param", "bs.attack=cw"},
            "lethe: unknown value 'cw' for bs.attack: use fgsm or pgd"),
        Arguments.of("unknown salun mask mode", new String[] {"--param", "salun.maskMode=foo"},
            "lethe: unknown value 'foo' for salun.maskMode: use grad_only or hard_freeze"),
        Arguments.of("unknown schedule", new String[] {"--schedule", "warmup"},
            "lethe: unknown value 'warmup' for --schedule: use cosine, step or constant"),
        Arguments.of("short and dotted key at once", new String[] {"--param", "ft.lr=0.1", "--param", "ft.sgd.lr=0.2"},
            "lethe: parameter ft.sgd.lr is given twice (lr=0.1 and sgd.lr=0.2): pass it once"),
        Arguments.of("manif-smc k zero", new String[] {"--param", "manif-smc.k=0"}, "manif-smc.k"),
        Arguments.of("laf zero temperature", new String[] {"--param", "laf.temperature=0"},
            "lethe: laf.temperature must be a positive number, got 0.0"),
        Arguments.of("unknown laf remain vae", new String[] {"--param", "laf.remainVae=all"},
            "lethe: unknown value 'all' for laf.remainVae: use pool or retain"),
        Arguments.of("oracle-matching without models", new String[] {"--param", "oracle-matching.models=0"},
            "oracle-matching.models"),
        Arguments.of("dmm without decay", new String[] {"--param", "dmm.gamma=0"}, "dmm.gamma"),
        Arguments.of("dmm nothing to match", new String[] {"--param", "dmm.retainMultiplier=0",
            "--param", "dmm.forgetMultiplier=0"}, "nothing to fine-tune on"),
        Arguments.of("ensemble too small", new String[] {"--audit", "strong", "--ensemble", "4"},
            "forget quality needs at least 3 unlearned and retrained models per forget example"),
        Arguments.of("odd ensemble", new String[] {"--audit", "strong", "--ensemble", "7"}, "even --ensemble of at least 6"),
        Arguments.of("unknown audit level", new String[] {"--audit", "weak"}, "--audit weak is not a level"),
        Arguments.of("ensemble without strong audit", new String[] {"--ensemble", "8"}, "add --audit strong"),
        Arguments.of("zero workers", new String[] {"--audit", "strong", "--workers", "0"},
            "lethe: --workers must be at least 1, got 0: pass the number of worker processes"),
        Arguments.of("negative workers", new String[] {"--workers", "-2"}, "--workers must be at least 1, got -2"),
        Arguments.of("workers without strong audit", new String[] {"--workers", "2"},
            "--workers trains the ensemble of --audit strong: add --audit strong, or drop --workers"),
        Arguments.of("target set above pool", new String[] {"--audit", "strong", "--forget", "random:5000"},
            "asks for 5000 samples but the training pool has 300"),
        Arguments.of("backdoor larger than the other classes", new String[] {"--forget", "backdoor:290"},
            "poisons 290 images, but the training pool of 300 holds"),
        Arguments.of("label flip of the whole pool", new String[] {"--forget", "labelflip:300"},
            "at least one must stay clean"),
        Arguments.of("trigger larger than the image", new String[] {"--forget", "backdoor:5,size=28"},
            "does not fit 28x28 images"),
        Arguments.of("unknown backdoor option", new String[] {"--forget", "backdoor:5,colour=red"},
            "unknown option 'colour'"),
        Arguments.of("worst fraction above one", new String[] {"--forget", "worst:1.5"}, "worst"),
        Arguments.of("worst set of the whole pool", new String[] {"--forget", "worst:300"},
            "selects 300 of the 300 samples"),
        Arguments.of("more requests than forget samples", new String[] {"--forget", "random:5", "--requests", "6"},
            "--requests 6 does not fit forget spec random:5 of 5 samples"),
        Arguments.of("zero requests", new String[] {"--requests", "0"}, "--requests 0: pass at least 1"),
        Arguments.of("requests of a class", new String[] {"--forget", "class:Sandal", "--requests", "2"},
            "forgets whole classes, which is one request"),
        Arguments.of("requests with the strong audit", new String[] {"--requests", "2", "--audit", "strong"},
            "is not supported yet"),
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
        Arguments.of("unknown grid choice",
            new String[] {"--methods", "salun", "--grid", "salun.maskMode=hard_freeze,foo"},
            "unknown value 'foo' for salun.maskMode: use grad_only or hard_freeze"),
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

  private static Path tinyData;

  /** A tiny Fashion-MNIST directory: 60 training and 30 test images. */
  static synchronized Path tinyData() {
    try {
      if (tinyData == null) {
        tinyData = TestData.tinyFashionMnist(tmp.resolve("tiny-fm"), 60, 30);
      }
      return tinyData;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String idLines(String name, Object... lines) {
    try {
      List<String> text = new ArrayList<>();
      for (Object line : lines) {
        text.add(line.toString());
      }
      return Files.write(tmp.resolve(name), text).toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object[] range(int from, int to) {
    return IntStream.range(from, to).boxed().toArray();
  }

  static Stream<Arguments> badIdFiles() {
    return Stream.of(
        Arguments.of("duplicate pool id", new String[] {"--pool-ids", idLines("dup.txt", 4, 5, 4), "--val-size", "0"},
            "line 3: id 4 is listed twice"),
        Arguments.of("pool id outside the training file",
            new String[] {"--pool-ids", idLines("outside.txt", 1, 60), "--val-size", "0"},
            "line 2: id 60 is not in the training file fashion-mnist/train of 60 samples"),
        Arguments.of("too few rows left for validation",
            new String[] {"--pool-ids", idLines("most.txt", range(0, 55)), "--val-size", "10"},
            "the validation split needs 10 samples but only 5 of the 60"),
        Arguments.of("test id outside the test file",
            new String[] {"--train-size", "40", "--val-size", "0", "--test-ids", idLines("test.txt", 0, 30)},
            "line 2: id 30 is not in the test file fashion-mnist/test of 30 samples"),
        Arguments.of("validation ids in the pool",
            new String[] {"--pool-ids", idLines("pool40.txt", range(0, 40)), "--val-ids", idLines("val.txt", 45, 39)},
            "line 2: id 39 is also in the pool"),
        Arguments.of("non-integer id", new String[] {"--pool-ids", idLines("word.txt", 1, "x"), "--val-size", "0"},
            "line 2: 'x' is not an integer id"),
        Arguments.of("empty id file", new String[] {"--pool-ids", idLines("none.txt", "# none"), "--val-size", "0"},
            "is empty: it lists no ids"),
        Arguments.of("size disagreeing with the ids",
            new String[] {"--pool-ids", idLines("three.txt", 1, 2, 3), "--train-size", "40", "--val-size", "0"},
            "--train-size 40 disagrees with the 3 ids of --pool-ids"),
        Arguments.of("missing id file", new String[] {"--pool-ids", tmp.resolve("absent.txt").toString()},
            "not found"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badIdFiles")
  void badIdFilesExitTwoWithOneLineAndWriteNothing(String name, String[] ids, String mentions) {
    String slug = name.replace(' ', '-');
    Path save = tmp.resolve("ids-save-" + slug);
    Path store = tmp.resolve("ids-store-" + slug);
    Path out = tmp.resolve("ids-split-" + slug);
    List<String> train = new ArrayList<>(List.of("train", "--data-dir", tinyData().toString(), "--model", "mlp",
        "--width", "4", "--epochs", "1", "--store", store.toString(), "--save", save.toString()));
    train.addAll(List.of(ids));
    List<String> split = new ArrayList<>(List.of("split", "--data-dir", tinyData().toString(), "--out", out.toString()));
    split.addAll(List.of(ids));
    for (List<String> args : List.of(train, split)) {
      Outcome o = run(args.toArray(String[]::new));
      assertThat(o.status()).as(o.err()).isEqualTo(2);
      assertThat(o.err().strip().lines()).as(o.err()).hasSize(1);
      assertThat(o.err()).startsWith("lethe: ").contains(mentions);
    }
    assertThat(save).doesNotExist();
    assertThat(store).doesNotExist();
    assertThat(out).doesNotExist();
  }

  @Test
  void splitIntoAFileIsRejectedAndLeavesItAlone() throws Exception {
    Path file = Files.writeString(tmp.resolve("split-target"), "x");
    Outcome o = run("split", "--data-dir", tinyData().toString(), "--train-size", "40", "--val-size", "0",
        "--out", file.toString());
    assertThat(o.status()).isEqualTo(2);
    assertThat(o.err().strip()).isEqualTo("lethe: --out " + file + " is a file: pass a directory for the id files");
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  static Stream<Arguments> badEvalInputs() throws Exception {
    Path images = Files.write(tmp.resolve("eval-28.idx.gz"),
        TestData.gzip(TestData.idxImages(0x803, 5, 28, 28, TestData.pattern(5 * 784, 1))));
    Path small = Files.write(tmp.resolve("eval-10.idx"), TestData.idxImages(0x803, 5, 10, 10, TestData.pattern(500, 1)));
    Path fourLabels = Files.write(tmp.resolve("eval-4-labels.idx"), TestData.idxLabels(0x801, 4, new byte[] {1, 2, 3, 4}));
    Path bigLabel = Files.write(tmp.resolve("eval-label-12.idx"), TestData.idxLabels(0x801, 5, new byte[] {1, 2, 12, 4, 5}));
    Path grey = tmp.resolve("eval-grey");
    Path colour = tmp.resolve("eval-colour");
    try (Network a = Network.create(new ModelSpec("mlp", 1, 28, 28, 10, 4), 1);
        Network b = Network.create(new ModelSpec("mlp", 3, 28, 28, 10, 4), 1)) {
      Checkpoints.save(a, grey, null);
      Checkpoints.save(b, colour, null);
    }
    return Stream.of(
        Arguments.of("other image size", new String[] {"--model", grey.toString(), "--images", small.toString()},
            "holds 1x10x10 images but model " + grey + " takes 1x28x28 input"),
        Arguments.of("other channels", new String[] {"--model", colour.toString(), "--images", images.toString()},
            "holds 1x28x28 images but model " + colour + " takes 3x28x28 input"),
        Arguments.of("labels of another length", new String[] {"--model", grey.toString(), "--images",
            images.toString(), "--labels", fourLabels.toString()}, "holds 4 labels but images file"),
        Arguments.of("label outside the classes", new String[] {"--model", grey.toString(), "--images",
            images.toString(), "--labels", bigLabel.toString()}, "label 12 at index 2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEvalInputs")
  void badEvalInputExitsTwoWithOneLine(String name, String[] args, String mentions) {
    List<String> all = new ArrayList<>(List.of("eval"));
    all.addAll(List.of(args));
    Outcome o = run(all.toArray(String[]::new));
    assertThat(o.status()).as(o.err()).isEqualTo(2);
    assertThat(o.err().strip().lines()).as(o.err()).hasSize(1);
    assertThat(o.err()).startsWith("lethe: ").contains(mentions);
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
  void throughputGroupsAtLeastTwoUnclippedCnnsAndSaysSoOnOneLine() {
    String[] tiny = {"--data-dir", tinyData().toString(), "--train-size", "40", "--val-size", "0", "--test-size", "10",
        "--repeats", "1", "--steps", "1"};
    Map<List<String>, String> cases = Map.of(
        List.of("--group", "1"),
        "lethe: --group must be at least 2 (members trained as one network), got 1: omit it to measure one network",
        List.of("--group", "2", "--model", "mlp"),
        "lethe: only cnn and cnn-nobn train as one grouped network (grouped convolutions), not mlp: pick --model cnn",
        List.of("--group", "2", "--clip", "1"),
        "lethe: --clip does not apply to a grouped network (it would clip all members' layers together): omit --clip"
            + " with --group");
    cases.forEach((extra, message) -> {
      List<String> args = new ArrayList<>(List.of("throughput"));
      args.addAll(List.of(tiny));
      args.addAll(extra);
      Outcome o = run(args.toArray(String[]::new));
      assertThat(o.status()).as(o.err()).isEqualTo(2);
      assertThat(o.err().strip()).isEqualTo(message);
    });
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

  @Test
  void modhifiOnARandomSpecAndSisaWithTooManyShardsOrForeignIdsAreOneLineErrors() throws Exception {
    Path trained = tmp.resolve("trained-for-issue-12");
    Path store = tmp.resolve("store-issue-12");
    Outcome t = run("train", "--train-size", "300", "--val-size", "0", "--test-size", "100", "--epochs", "1",
        "--width", "4", "--store", store.toString(), "--save", trained.toString());
    assertThat(t.status()).as(t.err()).isZero();
    Path save = tmp.resolve("issue-12-unlearned");
    Outcome modhifi = run("forget", "--model", trained.toString(), "--forget", "random:0.1", "--method", "modhifi-u",
        "--store", store.toString(), "--save", save.toString());
    assertThat(modhifi.status()).as(modhifi.err()).isEqualTo(2);
    assertThat(modhifi.err().strip()).isEqualTo("lethe: modhifi-u unlearns whole classes from the class's images"
        + " alone: use --forget class:NAME (got random:0.1)");
    Outcome shards = run("forget", "--model", trained.toString(), "--forget", "random:0.1", "--method", "sisa",
        "--param", "sisa.shards=301", "--store", store.toString(), "--save", save.toString());
    assertThat(shards.status()).as(shards.err()).isEqualTo(2);
    assertThat(shards.err().strip())
        .isEqualTo("lethe: sisa.shards is 301 but the training data holds 300 samples: use at most 300 shards");
    Path ids = tmp.resolve("foreign-ids.txt");
    Files.writeString(ids, "59999\n");
    Outcome foreign = run("forget", "--model", trained.toString(), "--forget", "ids:" + ids, "--method", "sisa",
        "--store", store.toString(), "--save", save.toString());
    assertThat(foreign.status()).as(foreign.err()).isEqualTo(2);
    assertThat(foreign.err().strip()).startsWith("lethe: ").contains("59999").doesNotContain("\n");
    assertThat(save).doesNotExist();
    assertThat(store.resolve("sisa")).doesNotExist();
  }
}
