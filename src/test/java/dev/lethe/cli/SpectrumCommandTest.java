package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.experiment.Json;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Layers;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Network;
import dev.lethe.model.PowerQr;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpectrumCommandTest {
  @TempDir static Path tmp;
  static Path cnn;
  static Path resnet;


  @BeforeAll
  static void checkpoints() {
    cnn = tmp.resolve("cnn");
    resnet = tmp.resolve("resnet");
    try (Network a = Network.create(new ModelSpec("cnn", 1, 8, 8, 3, 4), 1);
        Network b = Network.create(new ModelSpec("resnet18", 3, 8, 8, 3, 2), 1)) {
      Checkpoints.save(a, cnn, null);
      Checkpoints.save(b, resnet, null);
    }
  }

  static CliRun.Outcome run(String... args) {
    return CliRun.run(args);
  }

  @Test
  void printsEveryLayerWithItsInputAndTheBound() {
    CliRun.Outcome o = run("spectrum", cnn.toString(), "--top", "2", "--iterations", "50");
    assertThat(o.status()).as(o.err()).isZero();
    assertThat(o.out()).contains("01SequentialBlock_01Conv2d").contains("conv 3x3 s1 p1").contains("1x8x8")
        .contains("01SequentialBlock_02BatchNorm").contains("batchnorm").contains("4x8x8")
        .contains("01SequentialBlock_05Conv2d").contains("4x4x4")
        .contains("02Linear").contains("linear").contains("32")
        .contains("Lipschitz upper bound").contains("a bound");
  }

  @Test
  void jsonMatchesPowerQrAndTheBoundIsTheProduct() throws Exception {
    CliRun.Outcome o = run("spectrum", cnn.toString(), "--json", "--top", "3", "--iterations", "60", "--seed", "4");
    assertThat(o.status()).as(o.err()).isZero();
    JsonNode json = Json.MAPPER.readTree(o.out());
    assertThat(json.get("layers")).hasSize(5);
    double product = 1;
    try (Network net = Checkpoints.load(cnn)) {
      var layers = Layers.of(net);
      for (int i = 0; i < layers.size(); i++) {
        JsonNode l = json.get("layers").get(i);
        assertThat(l.get("name").asText()).isEqualTo(layers.get(i).name());
        if (layers.get(i) instanceof Layers.Affine a) {
          double[] expected = PowerQr.top(a, 3, 60, 4).values();
          assertThat(l.get("singular_values")).hasSize(3);
          for (int k = 0; k < 3; k++) {
            assertThat(l.get("singular_values").get(k).asDouble()).isEqualTo(expected[k]);
          }
          product *= expected[0];
        } else {
          // a fresh BatchNorm: gamma 1, running variance 1, eps 1e-5
          assertThat(l.get("spectral_norm").asDouble()).isCloseTo(1 / Math.sqrt(1 + 1e-5), within(1e-6));
          product *= l.get("spectral_norm").asDouble();
        }
      }
    }
    assertThat(json.get("lipschitz_upper_bound").asDouble()).isCloseTo(product, within(1e-9 * product));
  }

  @Test
  void residualUnitsAddTheirBranchesInTheBound() throws Exception {
    CliRun.Outcome o = run("spectrum", resnet.toString(), "--json", "--top", "1", "--iterations", "20");
    assertThat(o.status()).as(o.err()).isZero();
    JsonNode json = Json.MAPPER.readTree(o.out());
    // stem conv + BN, 8 units of 2 conv + 2 BN, 3 projections of conv + BN, the head
    assertThat(json.get("layers")).hasSize(2 + 8 * 4 + 3 * 2 + 1);
    double product = 1;
    for (JsonNode l : json.get("layers")) {
      product *= l.has("spectral_norm")
          ? l.get("spectral_norm").asDouble() : l.get("singular_values").get(0).asDouble();
    }
    double bound = json.get("lipschitz_upper_bound").asDouble();
    assertThat(bound).isFinite().isPositive().isNotCloseTo(product, withinPercentage(1));
  }

  @Test
  void badInputIsOneLineAndExitTwo() throws Exception {
    CliRun.Outcome tooMany = run("spectrum", cnn.toString(), "--top", "4");
    assertThat(tooMany.status()).isEqualTo(2);
    assertThat(tooMany.err().strip().lines()).hasSize(1);
    assertThat(tooMany.err()).contains("02Linear").contains("1 to 3");
    assertThat(tooMany.out()).isEmpty();

    CliRun.Outcome zero = run("spectrum", cnn.toString(), "--top", "0");
    assertThat(zero.status()).isEqualTo(2);
    assertThat(zero.err()).contains("--top");

    CliRun.Outcome iterations = run("spectrum", cnn.toString(), "--iterations", "0");
    assertThat(iterations.status()).isEqualTo(2);
    assertThat(iterations.err()).contains("--iterations");

    CliRun.Outcome missing = run("spectrum", tmp.resolve("nope").toString());
    assertThat(missing.status()).isEqualTo(2);
    assertThat(missing.err().strip().lines()).hasSize(1);
    assertThat(missing.err()).contains("no checkpoint");

    Path broken = tmp.resolve("broken");
    Files.createDirectories(broken);
    Files.copy(cnn.resolve("model.params"), broken.resolve("model.params"));
    Files.writeString(broken.resolve("model.json"), "{ not json");
    CliRun.Outcome malformed = run("spectrum", broken.toString());
    assertThat(malformed.status()).isEqualTo(2);
    assertThat(malformed.err().strip().lines()).hasSize(1);
    assertThat(malformed.err()).contains("malformed");

    CliRun.Outcome noModel = run("spectrum");
    assertThat(noModel.status()).isEqualTo(2);
    assertThat(noModel.err()).contains("MODEL");
  }
}
