package dev.lethe.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process and captures its exit status, standard output, error lines and notes. */
final class CliRun {
  private CliRun() {}

  /**
   * What one command line returned and printed.
   *
   * @param err the error lines (a {@code LetheException}'s one line, usage errors)
   * @param notes what it printed on {@code System.err}: notes, progress, the line that names the recipe
   */
  record Outcome(int status, String out, String err, String notes) {}

  /** Runs {@code args}; synchronized because it swaps {@code System.out} and {@code System.err}. */
  static synchronized Outcome run(String... args) {
    StringWriter err = new StringWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream notes = new ByteArrayOutputStream();
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(notes, true, StandardCharsets.UTF_8));
    try {
      int status = Main.execute(new PrintWriter(err, true), args);
      return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(),
          notes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }
}
