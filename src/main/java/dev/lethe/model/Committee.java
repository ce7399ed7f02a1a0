package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import dev.lethe.Choice;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Several networks of one architecture answering as one: a {@link Network} whose features block runs every member
 * on the batch and aggregates their outputs into one row of log-probabilities per image, and whose head is the
 * identity. Its logits are what an audit reads: the aggregate's log-probabilities, whose argmax is the committee's
 * decision. It is the model of an ensemble method such as SISA (Bourtoule et al., S&amp;P 2021), whose shard models
 * vote or average.
 */
public final class Committee {
  private Committee() {}

  /** How the members' outputs become the committee's. */
  public enum Aggregation implements Choice {
    /**
     * Majority vote of the members' argmax labels; the logit of class k is {@code ln((n_k + 1/K) / (S + 1))} for
     * n_k of the S members voting k: the vote shares with one pseudo-vote spread over the K classes, finite and
     * summing to 1 under softmax, their argmax the majority (ties to the lower class).
     */
    VOTE,
    /** The mean of the members' softmax outputs; its logarithm, computed stably, is the logit. */
    SOFTMAX
  }

  /**
   * A new network holding copies of {@code members}' parameters (BatchNorm statistics included); the members stay
   * the caller's. All members must have one architecture.
   */
  public static Network of(List<Network> members, Aggregation aggregation) {
    Architecture member = members.get(0).architecture();
    for (Network m : members) {
      if (!m.architecture().equals(member)) {
        throw new IllegalArgumentException("committee members differ: " + m.architecture() + " vs " + member);
      }
    }
    CustomArchitecture architecture = architecture(member, members.size(), aggregation);
    Network committee = Network.create(architecture, 0);
    try {
      List<Pair<String, Parameter>> to = committee.parameters();
      int next = 0;
      for (Network m : members) {
        for (Pair<String, Parameter> p : m.parameters()) {
          NDArray from = p.getValue().getArray();
          NDArray into = to.get(next++).getValue().getArray();
          if (!from.getShape().equals(into.getShape())) {
            throw new IllegalStateException("committee layout differs at " + p.getKey());
          }
          from.copyTo(into);
        }
      }
      return committee;
    } catch (RuntimeException e) {
      committee.close();
      throw e;
    }
  }

  /**
   * The architecture of a committee of {@code size} members of architecture {@code member} answering by
   * {@code aggregation}: what {@link #of} builds, and what a stored committee loads with.
   */
  public static CustomArchitecture architecture(Architecture member, int size, Aggregation aggregation) {
    return Architecture.custom(
        member.name() + "-committee" + size + "-" + aggregation.id(),
        new Shape(member.channels(), member.height(), member.width()), member.classes(),
        () -> {
          List<Block> branches = new ArrayList<>();
          for (int s = 0; s < size; s++) {
            Block[] parts = Network.blocks(member);
            branches.add(new SequentialBlock().add(parts[0]).add(parts[1]));
          }
          return new ParallelBlock(aggregate(aggregation, size, member.classes()), branches);
        },
        k -> Blocks.identityBlock());
  }

  private static Function<List<NDList>, NDList> aggregate(Aggregation aggregation, int size, int classes) {
    return outputs -> {
      NDList each = new NDList();
      for (NDList out : outputs) {
        NDArray logits = out.singletonOrThrow();
        each.add(aggregation == Aggregation.VOTE ? logits.argMax(1).oneHot(classes) : logits.logSoftmax(1));
      }
      NDArray stacked = NDArrays.stack(each);
      if (aggregation == Aggregation.VOTE) {
        return new NDList(stacked.sum(new int[] {0}).add(1f / classes).div((float) (size + 1)).log());
      }
      // ln mean_s p_s = logsumexp_s(ln p_s) - ln S, without the underflow of averaging exact float zeros
      NDArray max = stacked.max(new int[] {0}, true);
      return new NDList(stacked.sub(max).exp().sum(new int[] {0}).log().add(max.squeeze(0))
          .sub((float) Math.log(size)));
    };
  }
}
