package dev.lethe.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.LetheException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** {@link SparkSettings} and the driver's bad input, without starting Spark. */
class SparkSettingsTest {
  private static SparkConf conf(String master) {
    return new SparkConf(false).setMaster(master);
  }

  @Test
  void anExecutorGetsOneSlotOneThreadAndTheLaunchersEnvironment() {
    SparkConf c = SparkSettings.forLethe(conf("yarn").set("spark.executor.extraJavaOptions", "-Dmine=1"));
    assertThat(c.get("spark.executor.cores")).isEqualTo("1");
    assertThat(c.get("spark.task.cpus")).isEqualTo("1");
    assertThat(c.get("spark.executor.extraJavaOptions")).isEqualTo("-Dmine=1 -Dai.djl.pytorch.num_threads=1 "
        + "-Dai.djl.pytorch.num_interop_threads=1 -Dai.djl.offline=true -XX:MaxDirectMemorySize=64m");
    assertThat(c.get("spark.network.maxRemoteBlockSizeFetchToMem")).isEqualTo("32m");
    // this JVM's environment (the pom's test environment), passed on
    assertThat(c.get("spark.executorEnv.OMP_WAIT_POLICY")).isEqualTo("PASSIVE");
    assertThat(c.get("spark.executorEnv.DNNL_MAX_CPU_ISA")).isEqualTo("AVX");
    assertThat(c.get("spark.app.name")).isEqualTo("lethe");

    // executors of 4 cores run one task of 4 cpus; a value the user set is kept
    SparkConf four = SparkSettings.forLethe(conf("yarn").set("spark.executor.cores", "4")
        .set("spark.executorEnv.DNNL_MAX_CPU_ISA", "AVX2").setAppName("mine"));
    assertThat(four.get("spark.task.cpus")).isEqualTo("4");
    assertThat(four.get("spark.executorEnv.DNNL_MAX_CPU_ISA")).isEqualTo("AVX2");
    assertThat(four.get("spark.executor.extraJavaOptions")).isEqualTo(SparkSettings.EXECUTOR_JAVA_OPTIONS);
    assertThat(four.get("spark.app.name")).isEqualTo("mine");
  }

  @Test
  void aConfThatWouldRunTwoMembersInOneJvmOrNoneIsRefusedInOneLine() {
    assertThatThrownBy(() -> SparkSettings.forLethe(new SparkConf(false))).isInstanceOf(LetheException.class)
        .hasMessage("no Spark master is set: run lethe-spark with spark-submit --master URL (or -Dspark.master=URL)");
    for (String local : new String[] {"local", "local[2]", "local[*]"}) {
      assertThatThrownBy(() -> SparkSettings.forLethe(conf(local))).isInstanceOf(LetheException.class)
          .hasMessage("Spark master " + local + " runs every task inside this driver JVM, but each ensemble member "
              + "trains in a JVM of its own with one thread: use local-cluster[N,1,1024] on one machine, or a "
              + "cluster's master");
    }
    assertThatThrownBy(() -> SparkSettings.forLethe(conf("yarn").set("spark.executor.cores", "2")
        .set("spark.task.cpus", "1"))).isInstanceOf(LetheException.class)
        .hasMessage("spark.task.cpus=1 with spark.executor.cores=2 runs several tasks in one executor JVM, but each "
            + "ensemble member trains in a JVM of its own: set spark.task.cpus to spark.executor.cores (one task slot "
            + "per executor), or leave both unset (1 each)");
    assertThatThrownBy(() -> SparkSettings.forLethe(conf("spark://127.0.0.1"))).isInstanceOf(LetheException.class)
        .hasMessage("Spark master spark://127.0.0.1 names no port: pass spark://HOST:PORT");
  }

  @Test
  void anUnreachableStandaloneMasterIsSaidAtOnce() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    String master = "spark://127.0.0.1:" + port;
    assertThatThrownBy(() -> SparkSettings.forLethe(conf(master))).isInstanceOf(LetheException.class)
        .hasMessage("Spark master " + master + " is unreachable (Connection refused): start it, or pass the --master "
            + "of a running cluster");
    try (ServerSocket listening = new ServerSocket(0)) {
      String up = "spark://127.0.0.1:" + port + ",127.0.0.1:" + listening.getLocalPort();
      assertThat(SparkSettings.forLethe(conf(up)).get("spark.master")).isEqualTo(up);
    }
  }

  @Test
  void theDriverRefusesLocalWorkersAndNamesAFailedTasksLetheReason() {
    StringWriter err = new StringWriter();
    int status = SparkLethe.execute(new PrintWriter(err, true), () -> {
      throw new AssertionError("no context is needed to refuse --workers");
    }, "bench", "--audit", "strong", "--workers", "2");
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("lethe: --workers starts local worker processes, but here the cluster's "
        + "executors compute the ensemble members: drop --workers\n");

    assertThat(LetheTask.reason("Job aborted due to stage failure: Task 0 in stage 1.0 failed 4 times, most "
        + "recent failure: Lost task 0.3 in stage 1.0 (TID 7) (127.0.0.1 executor 0): dev.lethe.LetheException: shadow 0 "
        + "original: it broke\n\tat dev.lethe.spark.LetheTask.call(LetheTask.java:1)"))
        .isEqualTo("shadow 0 original: it broke");
    assertThat(LetheTask.reason("Job aborted due to stage failure: ExecutorLostFailure (executor 1 exited)\n"
        + "more")).isEqualTo("Job aborted due to stage failure: ExecutorLostFailure (executor 1 exited)");
  }
}
