package dev.lethe.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.experiment.Ensemble.Member;
import dev.lethe.train.LossDivergedException;
import dev.lethe.train.Progress;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
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
 * for bit, and never mistaken for one trained with more threads. Scheduling is greedy: an idle worker takes the
 * first member that is ready, shadow originals first because every twin waits for its original. A killed or
 * failed worker loses only the member it was computing (nothing is half-written: checkpoints and outputs are
 * renamed into place); the others finish theirs, and the run fails with one line naming the member and the
 * worker's last stderr line. A rerun computes only what is still missing.
 */
public final class EnsembleWorkers {
  /** The hidden CLI verb a worker runs ({@code dev.lethe.cli.WorkerCommand}), which calls {@link #serve}. */
  public static final String VERB = "worker";

  /** The CLI's main class; the worker runs it with {@link #VERB}. */
  private static final String MAIN = "dev.lethe.cli.Main";

  /** What starts each protocol line on a worker's stdout (anything else a library prints there is ignored). */
  private static final String PROTOCOL = "lethe-worker ";

  private EnsembleWorkers() {}

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
   * Trains the shadow originals of {@code ensemble} that are missing with {@code workers} worker processes when
   * {@code workers} is above 1 (its experiment is then {@link Experiment#trainedWith} one thread); with one, the
   * caller's process trains them as it loads them.
   */
  public static void computeOriginals(Ensemble ensemble, int workers, Consumer<String> progress) {
    if (workers > 1) {
      List<Member> originals = new ArrayList<>();
      for (int j = 0; j < ensemble.size(); j++) {
        originals.add(Member.of(Member.ORIGINAL, j));
      }
      compute(ensemble, originals, workers, progress);
    }
  }

  /**
   * One member a worker finished.
   *
   * @param worker which worker (1-based)
   * @param computed false when the worker found it stored whole (another run computed it meanwhile)
   * @param diverged true when it is a twin whose method diverged (then {@link Ensemble#twins} throws for it)
   */
  public record Finished(Member member, int worker, double seconds, boolean computed, boolean diverged) {}

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
    if (ensemble.experiment().threads() != 1) {
      throw new IllegalArgumentException("worker processes train with one thread: pass the ensemble of experiment"
          + ".trainedWith(1), not of " + ensemble.experiment().threads() + " threads");
    }
    List<Member> missing = new ArrayList<>();
    for (Member m : new LinkedHashSet<>(wanted)) {
      if (!ensemble.stored(m)) {
        missing.add(m);
      }
    }
    if (missing.isEmpty()) {
      return List.of();
    }
    return new Run(ensemble, missing, Math.min(workers, missing.size()), progress).run();
  }

  /** The job a worker receives first: everything needed to rebuild the same experiment and ensemble. */
  private static String job(Ensemble ensemble) {
    ForgetTask target = ensemble.target();
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.set("experiment", ensemble.experiment().describe());
    job.put("store", ensemble.experiment().store().root().toAbsolutePath().toString());
    job.put("threads", ensemble.experiment().threads());
    ObjectNode t = job.putObject("target");
    t.put("spec", target.spec().text());
    t.set("rows", Json.MAPPER.valueToTree(target.rows().forget()));
    t.set("classes", Json.MAPPER.valueToTree(target.forgetClasses()));
    t.put("seed", target.seed());
    t.put("ids", target.forgetIdsHash());
    job.put("size", ensemble.size());
    job.put("seed", ensemble.seed());
    return Json.canonicalText(job);
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
   * The worker's side: reads the job line, rebuilds the experiment and ensemble (checking they are the
   * parent's), then computes each member line read from {@code in} until it ends, answering on {@code out}.
   * A twin whose method diverges is answered as such (a finished outcome, as in-process); any other failure
   * ends the worker.
   */
  public static void serve(BufferedReader in, PrintStream out) throws IOException {
    String first = in.readLine();
    if (first == null) {
      return;
    }
    JsonNode job = Json.MAPPER.readTree(first);
    Experiment rebuilt = Experiment.fromMetadata(job, null, new ArtifactStore(Path.of(job.path("store").asText())));
    if (!Json.canonicalText(rebuilt.describe()).equals(Json.canonicalText(job.get("experiment")))) {
      throw new LetheException("this worker rebuilt another experiment than its parent's (" + rebuilt.describe()
          + "): the ensemble's data must load by name from the same files");
    }
    Experiment experiment = rebuilt.trainedWith(job.path("threads").asInt());
    JsonNode t = job.get("target");
    ForgetTask target = ForgetTask.ofRows(ForgetSpec.parse(t.get("spec").asText()), experiment.splits(),
        Json.MAPPER.treeToValue(t.get("rows"), int[].class), Json.MAPPER.treeToValue(t.get("classes"), int[].class),
        t.get("seed").asLong());
    if (!target.forgetIdsHash().equals(t.get("ids").asText())) {
      throw new LetheException("this worker rebuilt another target set than its parent's");
    }
    Ensemble ensemble = new Ensemble(experiment, target, job.get("size").asInt(), job.get("seed").asLong());
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      Member member = Json.MAPPER.readValue(line, Member.class);
      long start = System.nanoTime();
      ObjectNode answer = Json.MAPPER.createObjectNode();
      answer.set("member", Json.MAPPER.valueToTree(member));
      try {
        answer.put("computed", ensemble.compute(member, Progress.silent()));
      } catch (LossDivergedException e) {
        if (!member.role().equals(Member.TWIN)) {
          throw e;
        }
        ObjectNode d = answer.putObject("diverged");
        d.put("what", e.what());
        d.put("step", e.step());
        d.put("steps", e.steps());
        d.put("reason", e.reason());
        answer.put("computed", true);
      }
      answer.put("seconds", (System.nanoTime() - start) / 1e9);
      out.println(PROTOCOL + Json.canonicalText(answer));
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
  private record Event(Worker worker, JsonNode answer, int exit) {}

  /** One parallel computation of missing members. */
  private static final class Run {
    private final Ensemble ensemble;
    private final List<Member> pending;
    private final Set<Member> unfinished;
    private final int total;
    private final int size;
    private final Consumer<String> progress;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Worker> workers = new ArrayList<>();
    private final List<Finished> finished = new ArrayList<>();
    private String failure;

    Run(Ensemble ensemble, List<Member> missing, int size, Consumer<String> progress) {
      this.ensemble = ensemble;
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
        String job = job(ensemble);
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
              events.add(new Event(w, Json.MAPPER.readTree(line.substring(PROTOCOL.length())), 0));
            }
          }
        } catch (IOException | UncheckedIOException e) {
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
          w.send(Json.canonicalText(Json.MAPPER.valueToTree(next)));
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

    private void finish(Worker w, JsonNode answer) {
      Member m;
      try {
        m = Json.MAPPER.treeToValue(answer.get("member"), Member.class);
      } catch (IOException e) {
        throw new IllegalStateException("unreadable worker answer " + answer, e);
      }
      w.current = null;
      unfinished.remove(m);
      JsonNode d = answer.get("diverged");
      if (d != null) {
        ensemble.diverged(m, new LossDivergedException(d.get("what").asText(), d.get("step").asInt(),
            d.get("steps").asInt(), d.get("reason").asText()));
      }
      double seconds = answer.get("seconds").asDouble();
      boolean computed = answer.get("computed").asBoolean();
      finished.add(new Finished(m, w.index, seconds, computed, d != null));
      progress.accept(String.format("worker %d %s %s in %.1f s (%d of %d)", w.index,
          d != null ? "saw diverge" : computed ? "computed" : "found stored", m, seconds, finished.size(), total));
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
