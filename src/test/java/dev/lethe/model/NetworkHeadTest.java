package dev.lethe.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lethe.LetheException;
import dev.lethe.data.Dataset;
import dev.lethe.train.Batches;
import dev.lethe.train.Prediction;
import dev.lethe.train.TinyData;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkHeadTest {
  private static final Dataset DATA = TinyData.separable("tiny", 16, 1, 3);

  private static ModelSpec withClasses(ModelSpec s, int classes) {
    return new ModelSpec(s.architecture(), s.channels(), s.height(), s.width(), classes, s.baseWidth());
  }

  /** The largest absolute difference between the first {@code k} logits of {@code a} and those of {@code b}. */
  private static double maxLeadingLogitDifference(Network a, Network b, int k) {
    float[][] la = Prediction.logits(a, DATA);
    float[][] lb = Prediction.logits(b, DATA);
    double max = 0;
    for (int i = 0; i < la.length; i++) {
      for (int j = 0; j < k; j++) {
        max = Math.max(max, Math.abs(la[i][j] - lb[i][j]));
      }
    }
    return max;
  }

  /** Eval-mode embeddings of all of {@link #DATA}. */
  private static float[] embeddings(Network net) {
    int[] rows = new int[DATA.size()];
    Arrays.setAll(rows, i -> i);
    try (NDManager m = net.manager().newSubManager()) {
      return net.embed(Batches.images(m, DATA, rows), false).toFloatArray();
    }
  }

  private static Parameter last(Network net, int fromEnd) {
    List<Parameter> p = net.trainableParameters();
    return p.get(p.size() - fromEnd);
  }

  @Test
  void widenedHeadKeepsTheOriginalLogitsBitwiseAndTheFreshShadowRow() {
    for (ModelSpec spec : List.of(TinyData.cnn(4), TinyData.mlp(8))) {
      try (Network net = Network.create(spec, 5)) {
        NetworkTest.trainOneStep(net); // non-trivial BatchNorm statistics and head
        byte[] before = TinyData.paramBytes(net);
        try (Network wide = net.resizedHead(4, 9); Network fresh = Network.create(withClasses(spec, 4), 9)) {
          assertThat(wide.architecture()).isEqualTo(withClasses(spec, 4));
          assertThat(Prediction.logits(wide, DATA)[0]).hasSize(4);
          // The features and the K old head rows are bitwise equal, so the first K logits are the same
          // function; libtorch's GEMM picks a different kernel for 4 output columns than for 3, which
          // changes the last bits of the dot products (measured: up to 2.4e-7), so logits match to 1e-5.
          assertThat(embeddings(wide)).as(spec.architecture()).isEqualTo(embeddings(net));
          assertThat(maxLeadingLogitDifference(wide, net, 3)).as(spec.architecture()).isLessThan(1e-5);
          // head weight (4 x d) and bias (4): old rows copied, the shadow row is the seed's fresh init
          float[] w = TinyData.values(last(wide, 2));
          float[] oldW = TinyData.values(last(net, 2));
          float[] freshW = TinyData.values(last(fresh, 2));
          int d = oldW.length / 3;
          assertThat(Arrays.copyOf(w, 3 * d)).isEqualTo(oldW);
          assertThat(Arrays.copyOfRange(w, 3 * d, 4 * d)).isEqualTo(Arrays.copyOfRange(freshW, 3 * d, 4 * d))
              .isNotEqualTo(new float[d]);
          assertThat(Arrays.copyOf(TinyData.values(last(wide, 1)), 3)).isEqualTo(TinyData.values(last(net, 1)));
          assertThat(TinyData.paramBytes(net)).isEqualTo(before);
        }
      }
    }
  }

  @Test
  void pruningTheWidenedHeadRestoresTheOriginalSpecAndParameters() {
    try (Network net = Network.create(TinyData.cnn(4), 5)) {
      NetworkTest.trainOneStep(net);
      try (Network wide = net.resizedHead(5, 1); Network pruned = wide.resizedHead(3, 2)) {
        assertThat(pruned.architecture()).isEqualTo(net.architecture());
        assertThat(pruned.layoutSignature()).isEqualTo(net.layoutSignature());
        assertThat(TinyData.paramBytes(pruned)).isEqualTo(TinyData.paramBytes(net));
        assertThat(TinyData.logitBits(pruned, DATA)).isEqualTo(TinyData.logitBits(net, DATA));
      }
    }
  }

  @Test
  void pruningKeepsTheLeadingRowsOfATrainedWideHead() {
    try (Network wide = Network.create(withClasses(TinyData.mlp(8), 4), 5)) {
      NetworkTest.trainOneStep(wide);
      try (Network pruned = wide.resizedHead(3, 0)) {
        assertThat(embeddings(pruned)).isEqualTo(embeddings(wide));
        float[] w = TinyData.values(last(wide, 2));
        assertThat(TinyData.values(last(pruned, 2))).isEqualTo(Arrays.copyOf(w, w.length / 4 * 3));
        assertThat(TinyData.values(last(pruned, 1))).isEqualTo(Arrays.copyOf(TinyData.values(last(wide, 1)), 3));
        assertThat(maxLeadingLogitDifference(pruned, wide, 3)).isLessThan(1e-5);
      }
    }
  }

  @Test
  void resizedNetworksAreIndependentCopies() {
    try (Network net = Network.create(TinyData.cnn(4), 5);
        Network same = net.resizedHead(3, 0);
        Network wide = net.resizedHead(4, 0)) {
      assertThat(TinyData.paramBytes(same)).isEqualTo(TinyData.paramBytes(net));
      byte[] before = TinyData.paramBytes(net);
      NetworkTest.trainOneStep(wide);
      NetworkTest.trainOneStep(same);
      assertThat(TinyData.paramBytes(net)).isEqualTo(before);
    }
  }

  @Test
  void fewerThanTwoClassesIsRejected() {
    try (Network net = Network.create(TinyData.mlp(4), 5)) {
      assertThatThrownBy(() -> net.resizedHead(1, 0))
          .isInstanceOf(LetheException.class)
          .hasMessageContaining("at least 2 classes");
    }
  }
}
