package dev.lethe.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.model.Architecture;
import dev.lethe.model.Network;
import dev.lethe.train.BatchStream;
import dev.lethe.train.Batches;
import dev.lethe.train.Losses;
import dev.lethe.train.Optimization;
import dev.lethe.train.Progress;
import dev.lethe.train.Schedule;
import dev.lethe.train.TrainConfig;
import dev.lethe.train.Training;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures whether training G ensemble members as one grouped network ({@link Architecture#grouped}) is faster
 * on this machine than training them one after another (issue #11), so the ensemble groups its members only if
 * it pays. Member g of the grouped network reads its own batch stream, seeded {@code seed + g}, and the loss is
 * the sum over members of each one's mean cross-entropy: the members share no parameter, so the gradients
 * separate and one SGD step on the grouped network is one step of each member. The same steps run on G
 * separate networks one by one and on the grouped one; as in {@link Throughput}, one warm-up repeat, then the
 * median over timed repeats, back to back in one process (the two alternate which goes first), so the ratio
 * means something on a shared machine. The grouped network is initialised on its own (DJL scales the
 * initialisation by the grouped fan-out), which changes no timing.
 */
public final class GroupedThroughput {
  private GroupedThroughput() {}

  /**
   * Medians over the timed repeats and the resident set size after them.
   *
   * @param members networks trained together
   * @param oneByOneImagesPerSecond {@code members x steps x batch} images over the time the members' own
   *     networks took, one after another
   * @param groupedImagesPerSecond the same images over the time the grouped network took
   * @param residentMiB resident memory after the runs
   * @param repeats timed repeats
   * @param trainStepsPerRepeat steps of every member per repeat
   * @param batchSize images per step of every member
   */
  public record Result(int members, double oneByOneImagesPerSecond, double groupedImagesPerSecond,
      long residentMiB, int repeats, int trainStepsPerRepeat, int batchSize) {
    /** Grouped over one-by-one images/s: above 1 when grouping pays. */
    public double speedup() {
      return groupedImagesPerSecond / oneByOneImagesPerSecond;
    }
  }

  /**
   * Times {@code repeats} runs of {@code steps} training steps of {@code members} copies of {@code member} on
   * {@code data}, one network after another and as one grouped network.
   *
   * @throws LetheException for a member other than cnn or cnn-nobn, fewer than 2 members, or a clipped config
   *     (spectral clipping would bound a grouped layer, all members at once, not each member's)
   */
  public static Result measure(
      Architecture member, int members, Dataset data, TrainConfig config, int repeats, int steps, long seed) {
    if (config.clip() > 0) {
      throw new LetheException("--clip does not apply to a grouped network (it would clip all members' layers"
          + " together): omit --clip with --group");
    }
    Architecture grouped = Architecture.grouped(member, members);
    double[] oneByOne = new double[repeats];
    double[] together = new double[repeats];
    double images = (double) members * steps * config.batchSize();
    List<Network> singles = new ArrayList<>();
    try (Network group = Network.create(grouped, seed)) {
      for (int g = 0; g < members; g++) {
        singles.add(Network.create(member, seed + g));
      }
      List<BatchStream> singleStreams = streams(data, config, members, seed);
      List<BatchStream> groupStreams = streams(data, config, members, seed);
      Schedule schedule = Throughput.schedule(singleStreams.get(0), config, steps, config.batchSize());
      Schedule groupSchedule = Throughput.schedule(groupStreams.get(0), config, steps, members * config.batchSize());
      Runnable oneAfterAnother = () -> {
        for (int g = 0; g < members; g++) {
          Training.run(singles.get(g), singleStreams.get(g), schedule, config, seed + g, "member " + g,
              Progress.silent());
        }
      };
      Runnable asOne = () -> train(group, groupStreams, groupSchedule, config);
      for (int r = -1; r < repeats; r++) {
        boolean groupFirst = (r & 1) == 1;
        double first = seconds(groupFirst ? asOne : oneAfterAnother);
        double second = seconds(groupFirst ? oneAfterAnother : asOne);
        if (r >= 0) {
          oneByOne[r] = images / (groupFirst ? second : first);
          together[r] = images / (groupFirst ? first : second);
        }
      }
    } finally {
      singles.forEach(Network::close);
    }
    return new Result(members, Throughput.median(oneByOne), Throughput.median(together), Progress.residentMiB(),
        repeats, steps, config.batchSize());
  }

  /** One shuffled (and, as the config says, augmented) batch stream per member; member g's seeded {@code seed + g}. */
  static List<BatchStream> streams(Dataset data, TrainConfig config, int members, long seed) {
    List<BatchStream> out = new ArrayList<>();
    for (int g = 0; g < members; g++) {
      out.add(new BatchStream(data, config.batchSize(), seed + g, true, config.augment()));
    }
    return out;
  }

  /**
   * Runs {@code schedule} on the grouped network {@code group} with the config's momentum and weight decay: each
   * step, member g's batch is the next of {@code streams.get(g)}.
   *
   * @return the last step's loss, the sum of the members' losses
   */
  static double train(Network group, List<BatchStream> streams, Schedule schedule, TrainConfig config) {
    return Optimization.run(group, config.momentum(), config.weightDecay(), schedule,
        (step, t) -> summedCrossEntropy(group, step, streams), "grouped training", Progress.silent());
  }

  /**
   * The sum over members of each member's mean cross-entropy on its next batch. Member g's images are the g-th
   * block of C input channels and its logits the g-th block of K outputs, so reshaping the N x GK logits to NG x K rows puts
   * member g's logits for image n at row nG + g, as stacking the labels to N x G and flattening puts its label.
   * Dividing the sum by N (not NG) gives every member the gradient of its own mean.
   */
  private static NDArray summedCrossEntropy(Network group, NDManager step, List<BatchStream> streams) {
    NDList images = new NDList();
    NDList labels = new NDList();
    for (BatchStream stream : streams) {
      int[] rows = stream.next();
      images.add(stream.images(step, rows));
      labels.add(Batches.labels(step, stream.data(), rows));
    }
    NDArray logits = group.forward(NDArrays.concat(images, 1), true);
    long batch = logits.getShape().get(0);
    NDArray rows = logits.reshape(batch * streams.size(), logits.getShape().get(1) / streams.size());
    return Losses.crossEntropyPerSample(rows, NDArrays.stack(labels, 1).reshape(-1)).sum().div(batch);
  }

  private static double seconds(Runnable run) {
    long start = System.nanoTime();
    run.run();
    return (System.nanoTime() - start) / 1e9;
  }
}
