package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AuditPresetTest {
  private static BenchCommand parse(String... args) {
    BenchCommand command = new BenchCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void thePresetFillsEveryOptionTheUserDidNotGive() {
    ExperimentOptions options = parse("--audit", "strong").experiment;
    assertThat(options.applyAuditPreset()).isEqualTo("--train-size 2000 --width 8 --epochs 30 --batch-size 64");
    assertThat(options.split().trainSize()).isEqualTo(2000);
    assertThat(options.width()).isEqualTo(8);
    assertThat(options.training().epochs()).isEqualTo(30);
    assertThat(options.training().batchSize()).isEqualTo(64);
  }

  @Test
  void theUsersOwnValuesWinAndTheWidthPresetIsTheCnnsOnly() {
    ExperimentOptions options = parse("--audit", "strong", "--epochs", "5", "--model", "mlp").experiment;
    assertThat(options.applyAuditPreset()).isEqualTo("--train-size 2000 --batch-size 64");
    assertThat(options.training().epochs()).isEqualTo(5);
    assertThat(options.width()).isEqualTo(256);
  }

  @Test
  void withoutTheAuditTheDefaultsAreUnchanged() {
    ExperimentOptions options = parse().experiment;
    assertThat(options.training().epochs()).isEqualTo(40);
    assertThat(options.training().batchSize()).isEqualTo(128);
    assertThat(options.split().trainSize()).isEqualTo(8000);
  }
}
