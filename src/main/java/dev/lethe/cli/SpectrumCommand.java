package dev.lethe.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.experiment.Json;
import dev.lethe.model.Checkpoints;
import dev.lethe.model.Layers;
import dev.lethe.model.Network;
import dev.lethe.model.PowerQr;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lethe spectrum}: the top singular values of every conv and linear layer of a checkpoint, each the
 * exact linear operator at its real input size (PowerQR of FastClip, Ebrahimpour-Boroojeny et al., AISTATS
 * 2024), the spectral norm of every BatchNorm layer, and the Lipschitz upper bound they give.
 */
@Command(name = "spectrum", mixinStandardHelpOptions = true,
    description = "Top singular values of every conv and linear layer of a checkpoint (PowerQR), the spectral "
        + "norm of every BatchNorm layer, and the upper bound on the network's Lipschitz constant they give.")
public final class SpectrumCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "Checkpoint directory (written by train or forget).")
  Path model;

  @Option(names = "--top", paramLabel = "K", defaultValue = "3",
      description = "Singular values per layer (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "" + PowerQr.DEFAULT_ITERATIONS,
      description = "PowerQR iterations from a random start (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the random start (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Option(names = "--threads", description = "PyTorch intra-op threads (default: all cores).")
  Integer threads;

  /** One measured layer: its singular values (conv, linear) or its single spectral norm (BatchNorm). */
  private record Row(Layers.Layer layer, double[] values) {}

  @Override
  public Integer call() {
    Threads.apply(threads);
    if (top < 1) {
      throw new LetheException("--top must be at least 1, got " + top);
    }
    if (iterations < 1) {
      throw new LetheException("--iterations must be at least 1, got " + iterations);
    }
    try (Network net = Checkpoints.load(model)) {
      List<Row> rows = new ArrayList<>();
      Map<String, Double> norms = new LinkedHashMap<>();
      for (Layers.Layer layer : Layers.of(net)) {
        double[] values = layer instanceof Layers.Affine a
            ? PowerQr.top(a, top, iterations, seed).values()
            : new double[] {((Layers.Norm) layer).spectralNorm()};
        rows.add(new Row(layer, values));
        norms.put(layer.name(), values[0]);
      }
      double bound = Layers.lipschitzBound(net, norms);
      System.out.print(json ? json(net, rows, bound) : table(net, rows, bound));
    }
    return 0;
  }

  private String table(Network net, List<Row> rows, double bound) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%s: %s, PowerQR with %d iterations from seed %d%n",
        model, net.architecture().name(), iterations, seed));
    out.append(String.format(Locale.ROOT, "%-40s %-16s %-14s %s%n", "layer", "kind", "input", "singular values"));
    for (Row row : rows) {
      StringBuilder values = new StringBuilder();
      for (double v : row.values()) {
        values.append(String.format(Locale.ROOT, "%.4f ", v));
      }
      if (row.layer() instanceof Layers.Norm) {
        values.append("(max |gamma| / sqrt(running var + eps))");
      }
      out.append(String.format(Locale.ROOT, "%-40s %-16s %-14s %s%n", row.layer().name(), row.layer().kind(),
          shape(row.layer()), values.toString().strip()));
    }
    out.append(String.format(Locale.ROOT,
        "Lipschitz upper bound (eval mode): %.4f, the product of the layer norms along the network "
            + "(summed over residual branches); a bound, not the constant itself%n", bound));
    return out.toString();
  }

  private String json(Network net, List<Row> rows, double bound) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("model", model.toString());
    out.put("architecture", net.architecture().name());
    out.put("iterations", iterations);
    out.put("seed", seed);
    out.put("top", top);
    ArrayNode layers = out.putArray("layers");
    for (Row row : rows) {
      ObjectNode l = layers.addObject();
      l.put("name", row.layer().name());
      l.put("kind", row.layer().kind());
      ArrayNode input = l.putArray("input");
      for (long d : row.layer().input().slice(1).getShape()) {
        input.add(d);
      }
      if (row.layer() instanceof Layers.Norm) {
        l.put("spectral_norm", row.values()[0]);
      } else {
        ArrayNode values = l.putArray("singular_values");
        for (double v : row.values()) {
          values.add(v);
        }
      }
    }
    out.put("lipschitz_upper_bound", bound);
    return out.toPrettyString() + "\n";
  }

  private static String shape(Layers.Layer layer) {
    StringBuilder s = new StringBuilder();
    for (long d : layer.input().slice(1).getShape()) {
      s.append(s.length() == 0 ? "" : "x").append(d);
    }
    return s.toString();
  }
}
