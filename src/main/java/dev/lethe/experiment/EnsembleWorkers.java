package dev.lethe.experiment;

import dev.lethe.LetheException;
import dev.lethe.experiment.Ensemble.Member;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Computes an {@link Ensemble}'s missing members in parallel worker processes ({@code --workers N}): each worker
 * is a child JVM started like this one (same java binary, class path and JVM options) with ONE PyTorch intra-op
 * and inter-op thread, since DJL's gradient collector and torch's RNG are per process, running the hidden
 * {@code lethe worker} verb ({@link #serve}). The parent sends it the ensemble's description (experiment, store,
 * target set, size, seed) and then one member at a time on its stdin; the worker rebuilds the same experiment
 * and ensemble, computes the member into the shared store (the store locks per artifact, so different members
 * are written side by side and the same one is computed once) and answers on its stdout. The parent then loads
 * every member from the store as before.
 *
 * <p>The ensemble must be {@link Experiment#trainedWith} one thread: members are keyed by the thread count that
 * trained them, so a member a worker computes is the member a one-thread process would compute in-process, bit
 * for bit, and never mistaken for one trained with more threads. The job, member and answer lines are {@link
 * EnsembleJob}'s, which the {@code lethe-spark} module's tasks compute with too. Scheduling is greedy: an idle
 * worker takes the first member that is ready, shadow originals first because every twin waits for its original. A killed or
 * failed worker loses only the member it was computing (nothing is half-written: checkpoints and outputs are
 * renamed into place); the others finish theirs, and the run fails with one line naming the member and the
 * worker's last stderr line. A rerun computes only what is still missing.
 */
public final class EnsembleWorkers implements EnsembleExecutor {
  /** The hidden CLI verb a worker runs ({@code dev.lethe.cli.WorkerCommand}), which calls {@link #serve}. */
  public static final String VERB = "worker";

  /** The CLI's main class; the worker runs it with {@link #VERB}. */
  private static final String MAIN = "dev.lethe.cli.Main";

  /** What starts each protocol line on a worker's stdout (anything else a library prints there is ignored). */
  private static final String PROTOCOL = "lethe-worker ";

  private final int workers;

  private EnsembleWorkers(int workers) {
    this.workers = workers;
  }

  /**
   * Checks a worker count ({@code --workers}) before anything is trained or written.
   *
   * @throws LetheException if {@code workers} is below 1
   */
  public static void checkWorkers(int workers) {
    if (workers < 1) {
      throw new LetheException("--workers must be at least 1, got " + workers + ": pass the number of worker processes"
          + " that train ensemble members in parallel (1 trains them in this process)");
    }
  }

  /**
   * Where {@code --workers N} computes an ensemble's missing members: in {@code workers} worker processes of one
   * thread when it is above 1, in this process ({@link EnsembleExecutor#IN_PROCESS}) when it is 1.
   *
   * @throws LetheException if {@code workers} is below 1
   */
  public static EnsembleExecutor executor(int workers) {
    checkWorkers(workers);
    return workers == 1 ? IN_PROCESS : new EnsembleWorkers(workers);
  }

  @Override
  public Experiment membersOf(Experiment experiment) {
    return experiment.trainedWith(1);
  }

  @Override
  public List<Finished> compute(Ensemble ensemble, List<Member> wanted, Consumer<String> progress) {
    return compute(ensemble, wanted, workers, progress);
  }

  /**
   * Computes every member of {@code wanted} that is not {@link Ensemble#stored} with {@code workers} worker
   * processes, printing one line per finished member to {@code progress}, and returns what the workers did,
   * in the order they finished. Nothing is started when nothing is missing.
   *
   * @throws LetheException if a worker fails or is killed, naming the member and its last stderr line
   * @throws IllegalArgumentException if the ensemble's members are not keyed as trained with one thread
   */
  public static List<Finished> compute(Ensemble ensemble, List<Member> wanted, int workers, Consumer<String> progress) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    String job = EnsembleJob.of(ensemble);
    List<Member> missing = ensemble.missing(wanted);
    if (missing.isEmpty()) {
      return List.of();
    }
    return new Run(ensemble, job, missing, Math.min(workers, missing.size()), progress).run();
  }

  /** The command that starts a worker: this JVM's binary, options and class path, one thread, offline. */
  static List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-Dai.djl.pytorch.num_threads=") && !arg.startsWith("-Dai.djl.pytorch.num_interop_threads=")
          && !arg.startsWith("-Dai.djl.offline=") && !arg.startsWith("-agentlib:jdwp")) {
        cmd.add(arg);
      }
    }
    cmd.add("-Dai.djl.pytorch.num_threads=1");
    cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN);
    cmd.add(VERB);
    return cmd;
  }

  /**
   * The worker's side: reads the job line, rebuilds the experiment and ensemble ({@link EnsembleJob#rebuild}),
   * then computes each member line read from {@code in} until it ends ({@link EnsembleJob#compute}), answering
   * on {@code out}. A twin whose method diverges is answered as such; any other failure ends the worker.
   */
  public static void serve(BufferedReader in, PrintStream out) throws IOException {
    String first = in.readLine();
    if (first == null) {
      return;
    }
    Ensemble ensemble = EnsembleJob.rebuild(first);
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      out.println(PROTOCOL + EnsembleJob.compute(ensemble, line));
      out.flush();
    }
  }

  /** One worker process seen from the parent. */
  private static final class Worker {
    final int index;
    final Process process;
    final BufferedWriter stdin;
    volatile String lastStderr;
    Member current;
    boolean open = true;
    boolean alive = true;

    Worker(int index, Process process) {
      this.index = index;
      this.process = process;
      this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    }

    void send(String line) throws IOException {
      stdin.write(line);
      stdin.newLine();
      stdin.flush();
    }

    void close() {
      if (open) {
        open = false;
        try {
          stdin.close();
        } catch (IOException e) {
          // a worker that already exited has nothing left to read; its exit is reported by its reader
        }
      }
    }
  }

  /** What a worker's reader threads report: a protocol line, or its exit (after all its output was read). */
  private record Event(Worker worker, String answer, int exit) {}

  /** One parallel computation of missing members. */
  private static final class Run {
    private final Ensemble ensemble;
    private final String job;
    private final List<Member> pending;
    private final Set<Member> unfinished;
    private final int total;
    private final int size;
    private final Consumer<String> progress;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Worker> workers = new ArrayList<>();
    private final List<Finished> finished = new ArrayList<>();
    private String failure;

    Run(Ensemble ensemble, String job, List<Member> missing, int size, Consumer<String> progress) {
      this.ensemble = ensemble;
      this.job = job;
      this.pending = new ArrayList<>(missing);
      this.unfinished = new HashSet<>(missing);
      this.total = missing.size();
      this.size = size;
      this.progress = progress;
    }

    List<Finished> run() {
      Thread stopWorkers = new Thread(this::destroyAll);
      Runtime.getRuntime().addShutdownHook(stopWorkers);
      try {
        for (int i = 1; i <= size; i++) {
          Worker w = start(i);
          try {
            w.send(job);
          } catch (IOException e) {
            fail(w, null, "its input closed: " + e.getMessage());
          }
        }
        progress.accept("computing " + total + " ensemble member(s) in " + size + " worker process(es) of one thread");
        loop();
      } finally {
        destroyAll();
        try {
          Runtime.getRuntime().removeShutdownHook(stopWorkers);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down: the hook runs anyway
        }
      }
      if (failure != null) {
        throw new LetheException(failure);
      }
      if (!unfinished.isEmpty()) {
        throw new IllegalStateException("workers ended with members left unscheduled: " + unfinished);
      }
      return finished;
    }

    private Worker start(int index) {
      ProcessBuilder pb = new ProcessBuilder(command());
      Process process;
      try {
        process = pb.start();
      } catch (IOException e) {
        throw new LetheException("cannot start worker process " + pb.command().get(0) + ": " + e.getMessage(), e);
      }
      Worker w = new Worker(index, process);
      workers.add(w);
      Thread err = new Thread(() -> {
        try (BufferedReader r = process.errorReader(StandardCharsets.UTF_8)) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (!line.isBlank()) {
              w.lastStderr = line.strip();
            }
          }
        } catch (IOException e) {
          // the process is gone; what it wrote last is kept
        }
      }, "lethe-worker-" + index + "-stderr");
      err.setDaemon(true);
      err.start();
      Thread out = new Thread(() -> {
        try (BufferedReader r = process.inputReader(StandardCharsets.UTF_8)) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.startsWith(PROTOCOL)) {
              events.add(new Event(w, line.substring(PROTOCOL.length()), 0));
            }
          }
        } catch (IOException e) {
          // a broken pipe ends the worker's output like its exit does
        }
        int exit;
        try {
          exit = process.waitFor();
          err.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          exit = -1;
        }
        events.add(new Event(w, null, exit));
      }, "lethe-worker-" + index + "-stdout");
      out.setDaemon(true);
      out.start();
      return w;
    }

    private void loop() {
      while (true) {
        if (failure == null) {
          dispatch();
        }
        for (Worker w : workers) {
          if (w.current == null && (failure != null || pending.isEmpty())) {
            w.close(); // nothing left for it: it exits after its last answer
          }
        }
        if (workers.stream().noneMatch(w -> w.alive)) {
          return;
        }
        Event e;
        try {
          e = events.take();
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new LetheException("interrupted while the ensemble workers ran");
        }
        if (e.answer() != null) {
          finish(e.worker(), e.answer());
        } else {
          e.worker().alive = false;
          if (e.worker().current != null || e.exit() != 0) {
            fail(e.worker(), e.worker().current, exitText(e.exit()));
          }
        }
      }
    }

    /** Hands every idle worker the first ready member. */
    private void dispatch() {
      for (Worker w : workers) {
        if (!w.alive || !w.open || w.current != null) {
          continue;
        }
        Member next = pending.stream().filter(this::ready).findFirst().orElse(null);
        if (next == null) {
          return;
        }
        pending.remove(next);
        w.current = next;
        try {
          w.send(EnsembleJob.line(next));
        } catch (IOException e) {
          fail(w, next, "its input closed: " + e.getMessage());
          return;
        }
      }
    }

    /** A twin is ready once its shadow original is stored; every other member at once. */
    private boolean ready(Member m) {
      return !m.role().equals(Member.TWIN) || !unfinished.contains(Member.of(Member.ORIGINAL, m.shadow()));
    }

    private void finish(Worker w, String answer) {
      Finished f = EnsembleJob.finished(ensemble, answer, w.index);
      w.current = null;
      unfinished.remove(f.member());
      finished.add(f);
      progress.accept(EnsembleJob.progressLine("worker " + w.index, f, finished.size(), total));
    }

    /** Records the first failure; the other workers finish their current member and stop. */
    private void fail(Worker w, Member member, String how) {
      if (failure == null) {
        String last = w.lastStderr;
        failure = "ensemble worker " + w.index + " " + how + (member == null ? "" : " while computing " + member)
            + ": " + (last == null ? "it printed nothing" : last)
            + "; the members finished are stored, rerun to compute the rest";
      }
      w.current = null;
    }

    private static String exitText(int exit) {
      return exit > 128 ? "was killed (signal " + (exit - 128) + ")" : "exited with status " + exit;
    }

    private void destroyAll() {
      for (Worker w : workers) {
        w.process.destroyForcibly();
      }
    }
  }
}
