package dev.lethe.spark;

import dev.lethe.LetheException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * What Lethe's ensemble tasks need from a Spark configuration, checked and completed before the context starts
 * (issue #11, "Where it runs"). Each ensemble member must be trained in a JVM of its own with one PyTorch thread,
 * as the local {@code --workers} processes are ({@link dev.lethe.experiment.EnsembleWorkers}): DJL's gradient
 * collector and torch's RNG are per process, and members are keyed by the thread count that trained them. So:
 *
 * <ul>
 *   <li>one task slot per executor JVM: {@code spark.task.cpus} = {@code spark.executor.cores} (both 1 when
 *       neither is set); a conf that would run two tasks in one executor is refused;
 *   <li>every executor runs {@value #EXECUTOR_JAVA_OPTIONS}, appended to {@code spark.executor.extraJavaOptions}
 *       (the last {@code -D} wins), and gets the environment {@code ./lethe} sets ({@link #ENVIRONMENT}: passive
 *       OpenMP, oneDNN capped at AVX, the jemalloc preload) from this driver's, or the launcher's defaults. The
 *       launcher's direct-memory cap (DJL's heap-to-native copies otherwise saw-tooth the resident memory) is
 *       below what Spark's executor demands of Netty by default ({@code spark.network.maxRemoteBlockSizeFetchToMem},
 *       200 MB), so that is lowered to {@value #FETCH_TO_MEMORY} unless set: tasks exchange only a few lines
 *       of text, and a larger remote block would go to disk;
 *   <li>Spark's local mode, which runs every task inside the driver JVM, is refused: use {@code
 *       local-cluster[N,1,MB]} on one machine, or a cluster's master;
 *   <li>a standalone master ({@code spark://host:port}) that does not accept a connection is refused at once,
 *       instead of after Spark's minute of registration retries.
 * </ul>
 */
public final class SparkSettings {
  /** The Java options of every executor JVM: one intra-op and inter-op thread, offline, direct memory capped. */
  public static final String EXECUTOR_JAVA_OPTIONS = "-Dai.djl.pytorch.num_threads=1 "
      + "-Dai.djl.pytorch.num_interop_threads=1 -Dai.djl.offline=true -XX:MaxDirectMemorySize=64m";

  /** Remote blocks above this size are fetched to disk: below the executors' direct-memory cap, as Spark requires. */
  static final String FETCH_TO_MEMORY = "32m";

  /**
   * The environment the executors get from the driver's, with the launcher's default where the driver has none
   * (none for the jemalloc preload, whose path is the executor host's business).
   */
  static final Map<String, String> ENVIRONMENT = Map.of("OMP_WAIT_POLICY", "PASSIVE", "DNNL_MAX_CPU_ISA", "AVX",
      "LD_PRELOAD", "");

  private static final Pattern LOCAL = Pattern.compile("local(\\[.*])?");

  /** How long the reachability check of a standalone master waits for a connection. */
  private static final int CONNECT_MILLIS = 5000;

  private SparkSettings() {}

  /**
   * {@code conf} (spark-submit's, or a caller's) checked and completed for Lethe's ensemble tasks, as the class
   * comment says; the application is named {@code lethe} unless it has a name.
   *
   * @throws LetheException if no master is set, the master is local mode or an unreachable standalone master, or
   *     the conf gives an executor more than one task slot
   */
  public static SparkConf forLethe(SparkConf conf) {
    String master = conf.get("spark.master", null);
    if (master == null) {
      throw new LetheException("no Spark master is set: run lethe-spark with spark-submit --master URL (or -Dspark.master=URL)");
    }
    if (LOCAL.matcher(master).matches()) {
      throw new LetheException("Spark master " + master + " runs every task inside this driver JVM, but each ensemble "
          + "member trains in a JVM of its own with one thread: use local-cluster[N,1,1024] on one machine, or a "
          + "cluster's master");
    }
    if (master.startsWith("spark://")) {
      requireReachable(master);
    }
    String cores = conf.get("spark.executor.cores", null);
    String taskCpus = conf.get("spark.task.cpus", null);
    if (cores == null) {
      cores = taskCpus == null ? "1" : taskCpus;
      conf.set("spark.executor.cores", cores);
    }
    if (taskCpus == null) {
      conf.set("spark.task.cpus", cores);
    } else if (!taskCpus.equals(cores)) {
      throw new LetheException("spark.task.cpus=" + taskCpus + " with spark.executor.cores=" + cores + " runs several "
          + "tasks in one executor JVM, but each ensemble member trains in a JVM of its own: set spark.task.cpus to "
          + "spark.executor.cores (one task slot per executor), or leave both unset (1 each)");
    }
    String options = conf.get("spark.executor.extraJavaOptions", "");
    conf.set("spark.executor.extraJavaOptions", (options.isBlank() ? "" : options + " ") + EXECUTOR_JAVA_OPTIONS);
    for (Map.Entry<String, String> variable : ENVIRONMENT.entrySet()) {
      String key = "spark.executorEnv." + variable.getKey();
      String value = System.getenv().getOrDefault(variable.getKey(), variable.getValue());
      if (!conf.contains(key) && !value.isEmpty()) {
        conf.set(key, value);
      }
    }
    if (!conf.contains("spark.network.maxRemoteBlockSizeFetchToMem")) {
      conf.set("spark.network.maxRemoteBlockSizeFetchToMem", FETCH_TO_MEMORY);
    }
    if (!conf.contains("spark.app.name")) {
      conf.setAppName("lethe");
    }
    return conf;
  }

  /** Refuses a standalone master none of whose addresses accepts a connection. */
  private static void requireReachable(String master) {
    String failure = null;
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      int colon = hostPort.lastIndexOf(':');
      if (colon < 0) {
        throw new LetheException("Spark master " + master + " names no port: pass spark://HOST:PORT");
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(hostPort.substring(0, colon),
            Integer.parseInt(hostPort.substring(colon + 1))), CONNECT_MILLIS);
        return;
      } catch (IOException | IllegalArgumentException e) {
        failure = e.getMessage();
      }
    }
    throw new LetheException("Spark master " + master + " is unreachable (" + failure + "): start it, or pass the "
        + "--master of a running cluster");
  }
}
