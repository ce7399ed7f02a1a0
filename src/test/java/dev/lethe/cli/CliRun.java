package dev.lethe.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process and captures its exit status, standard output and error lines. */
final class CliRun {
  private CliRun() {}

  /** What one command line returned and printed. */
  record Outcome(int status, String out, String err) {}

  /** Runs {@code args}; synchronized because it swaps {@code System.out}. */
  static synchronized Outcome run(String... args) {
    StringWriter err = new StringWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int status = Main.execute(new PrintWriter(err, true), args);
      return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(saved);
    }
  }
}
