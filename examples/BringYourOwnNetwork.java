import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import dev.lethe.audit.AuditResult;
import dev.lethe.data.Dataset;
import dev.lethe.data.ForgetSpec;
import dev.lethe.data.ForgetTask;
import dev.lethe.data.SplitConfig;
import dev.lethe.data.TrainTest;
import dev.lethe.experiment.ArtifactStore;
import dev.lethe.experiment.Experiment;
import dev.lethe.model.Architecture;
import dev.lethe.model.Network;
import dev.lethe.train.TrainConfig;
import dev.lethe.unlearn.Unlearner;
import dev.lethe.unlearn.method.SfrOn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Lethe from Java, end to end: your own data and your own DJL network, forget a list of sample ids, unlearn them
 * with SFR-on, audit the result against the model retrained without them. Runs on synthetic 8x8 images in seconds:
 *
 * <pre>
 *   ./lethe methods &gt; /dev/null   # builds target/classes and target/classpath.txt
 *   DNNL_MAX_CPU_ISA=AVX java -Dai.djl.offline=true -cp "target/classes:$(cat target/classpath.txt)" \
 *       examples/BringYourOwnNetwork.java [STORE_DIR]
 * </pre>
 *
 * (the AVX cap and the offline flag are the launcher's: see BENCHMARKS.md). It prints the audit of the unlearned
 * model as JSON, the {@code metrics} object of a results row.
 */
public final class BringYourOwnNetwork {
  private static final List<String> CLASSES = List.of("top", "middle", "bottom");

  private BringYourOwnNetwork() {}

  public static void main(String[] args) throws Exception {
    Path store = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("lethe-example");
    System.out.println(run(store).toJson());
  }

  /** The whole round trip; the artifact store keeps the trained original and the retrained reference. */
  public static AuditResult run(Path store) {
    TrainTest data = new TrainTest(images("bands/train", 240, 1), images("bands/test", 60, 2));
    Architecture net = Architecture.custom("small-cnn", new Shape(1, 8, 8), CLASSES.size(),
        () -> new SequentialBlock()
            .add(Conv2d.builder().setFilters(8).setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).build())
            .add(Activation.reluBlock())
            .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
            .add(Blocks.batchFlattenBlock()),
        classes -> Linear.builder().setUnits(classes).build());

    // the whole training file is the pool (no validation split: nothing is tuned here), the whole test file the test split
    Experiment exp = Experiment.of(data, net, new SplitConfig(240, 0, 0, 0), TrainConfig.DEFAULT.withEpochs(30),
        new ArtifactStore(store));
    ForgetTask task = exp.task(ForgetSpec.ids(3, 14, 15, 92, 65, 35, 89, 79, 32, 38), 1);
    Unlearner sfr = exp.method("sfr-on", SfrOn.Options.defaults().withSgd(s -> s.withEpochs(2).withBatchSize(16)));
    try (Network original = exp.original(1); Network unlearned = sfr.unlearn(original, task, 1)) {
      return exp.audit(unlearned, task);
    }
  }

  /** {@code n} noisy 8x8 images of three classes: a bright band in the top, middle or bottom rows. */
  private static Dataset images(String name, int n, long seed) {
    Random random = new Random(seed);
    float[][] images = new float[n][64];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % CLASSES.size();
      for (int p = 0; p < 64; p++) {
        boolean band = p / 8 / 3 == labels[i];
        images[i][p] = (float) Math.min(1, 0.4 * random.nextDouble() + (band ? 0.5 : 0));
      }
    }
    return Dataset.of(name, images, labels, CLASSES, 1, 8, 8);
  }
}
