package dev.lethe.cli;

import dev.lethe.LetheException;
import dev.lethe.experiment.EnsembleWorkers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code lethe worker} (hidden): one worker process of {@code --workers N}, started by {@link EnsembleWorkers}
 * with one thread; it reads its job and the members to compute on stdin and answers on stdout. Not for people.
 */
@Command(name = EnsembleWorkers.VERB, hidden = true,
    description = "Internal: computes ensemble members sent on stdin (started by --workers).")
public final class WorkerCommand implements Callable<Integer> {
  @Override
  public Integer call() throws IOException {
    try {
      EnsembleWorkers.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out);
      return 0;
    } catch (LetheException e) {
      throw e;
    } catch (RuntimeException | IOException e) {
      // the parent reports the last stderr line: make it the cause, after the trace
      e.printStackTrace();
      System.err.println("lethe worker: " + e);
      return 1;
    }
  }
}
