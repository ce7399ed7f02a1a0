package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.audit.AuditResult;
import dev.lethe.audit.ClassificationMetrics;
import dev.lethe.audit.Softmax;
import dev.lethe.experiment.Json;
import dev.lethe.data.CifarBinaryReader;
import dev.lethe.data.Dataset;
import dev.lethe.data.DatasetLoader;
import dev.lethe.data.IdxImages;
import dev.lethe.data.IdxReader;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Architecture;
import dev.lethe.model.Network;
import dev.lethe.train.Prediction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lethe eval}: a saved model's predictions on any IDX image file, such as a triggered or corrupted
 * copy of the test set: the accuracy when labels are given, the histogram of predicted classes and the mean
 * max-softmax probability, all in eval mode.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Predict an IDX image file (gz or raw) with a checkpoint, in eval mode: accuracy if --labels "
        + "is given, the histogram of predicted classes and the mean max-softmax probability.")
public final class EvalCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Checkpoint directory (written by train or forget).")
  Path model;

  @Option(names = "--images", required = true, paramLabel = "FILE",
      description = "IDX images file (magic 2051), gzipped or raw, of the model's input size.")
  Path images;

  @Option(names = "--labels", paramLabel = "FILE",
      description = "IDX labels file (magic 2049) with one label per image: prints the accuracy.")
  Path labels;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Option(names = "--threads", description = "PyTorch intra-op threads (default: all cores).")
  Integer threads;

  /** Known class names of the datasets whose names are fixed; CIFAR-100's are read from its files. */
  private static final Map<String, List<String>> CLASS_NAMES = Map.of(
      DatasetLoader.FASHION_MNIST, DatasetLoader.FASHION_MNIST_CLASSES,
      DatasetLoader.CIFAR10, CifarBinaryReader.CIFAR10_CLASSES);

  @Override
  public Integer call() {
    Threads.apply(threads);
    JsonNode meta = Checkpoints.metadata(model);
    IdxImages idx = IdxReader.readImages(images);
    int[] truth = labels == null ? null : IdxReader.readLabels(labels);
    if (truth != null && truth.length != idx.count()) {
      throw new LetheException("labels file " + labels + " holds " + truth.length + " labels but images file "
          + images + " holds " + idx.count() + " images: pass the labels of these images");
    }
    try (Network net = Checkpoints.load(model)) {
      Architecture spec = net.architecture();
      // IDX image files are greyscale: one channel
      if (spec.channels() != 1 || spec.height() != idx.rows() || spec.width() != idx.cols()) {
        throw new LetheException("images file " + images + " holds 1x" + idx.rows() + "x" + idx.cols()
            + " images but model " + model + " takes " + spec.channels() + "x" + spec.height() + "x" + spec.width()
            + " input: pass images of the model's input size");
      }
      if (truth != null) {
        for (int i = 0; i < truth.length; i++) {
          if (truth[i] >= spec.classes()) {
            throw new LetheException("labels file " + labels + ": label " + truth[i] + " at index " + i
                + " is outside the model's " + spec.classes() + " classes 0.." + (spec.classes() - 1));
          }
        }
      }
      List<String> names = classNames(meta, spec.classes());
      int[] ids = new int[idx.count()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = i;
      }
      // Without labels the dataset carries placeholder zeros; only the prediction reads it.
      Dataset data = new Dataset(images.toString(), 1, idx.rows(), idx.cols(), idx.pixels(),
          truth != null ? truth : new int[idx.count()], ids, names);
      float[][] logits = Prediction.logits(net, data);
      System.out.print(report(names, logits, truth));
    }
    return 0;
  }

  private String report(List<String> names, float[][] logits, int[] truth) {
    int[] predicted = ClassificationMetrics.predictions(logits);
    int[] histogram = new int[names.size()];
    int undecided = 0;
    for (int p : predicted) {
      if (p < 0) {
        undecided++;
      } else {
        histogram[p]++;
      }
    }
    double sumMax = 0;
    for (float[] row : Softmax.probabilities(logits)) {
      float max = Float.NEGATIVE_INFINITY;
      for (float p : row) {
        max = Math.max(max, p);
      }
      sumMax += max;
    }
    double meanMax = sumMax / logits.length;
    double accuracy = truth == null ? Double.NaN : ClassificationMetrics.accuracyPercent(logits, truth);
    int n = logits.length;
    if (json) {
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("model", model.toString());
      out.put("images", images.toString());
      if (labels != null) {
        out.put("labels", labels.toString());
      }
      out.put("count", n);
      Map<String, Double> metrics = new LinkedHashMap<>();
      if (truth != null) {
        metrics.put("accuracy", accuracy);
      }
      metrics.put("mean_max_probability", meanMax);
      AuditResult.putMetrics(out, metrics);
      ArrayNode classes = out.putArray("predicted");
      for (int c = 0; c < histogram.length; c++) {
        classes.addObject().put("class", c).put("name", names.get(c)).put("count", histogram[c]);
      }
      out.put("undecided", undecided);
      return out.toPrettyString() + "\n";
    }
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "%s on %s: %d images%n", model, images, n));
    if (truth != null) {
      text.append(String.format(Locale.ROOT, "accuracy: %.2f%% (labels %s)%n", accuracy, labels));
    }
    text.append(String.format(Locale.ROOT, "mean max-softmax probability: %.4f%n", meanMax));
    text.append("predicted classes:\n");
    for (int c = 0; c < histogram.length; c++) {
      text.append(String.format(Locale.ROOT, "  %3d %-16s %7d %6.2f%%%n", c, names.get(c), histogram[c],
          100.0 * histogram[c] / n));
    }
    if (undecided > 0) {
      text.append(String.format(Locale.ROOT, "  %d images have only NaN logits (no prediction)%n", undecided));
    }
    return text.toString();
  }

  /** The class names of the model's dataset when they are known and fit, else the class indices. */
  private static List<String> classNames(JsonNode meta, int classes) {
    List<String> known = CLASS_NAMES.get(meta.path("experiment").path("dataset").asText(""));
    if (known != null && known.size() == classes) {
      return known;
    }
    List<String> indices = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      indices.add(Integer.toString(c));
    }
    return indices;
  }
}
