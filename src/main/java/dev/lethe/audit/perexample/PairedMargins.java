package dev.lethe.audit.perexample;

import java.util.Arrays;

/**
 * Per example, two samples of margins: {@code candidate[i]} from the models under audit (e.g. each shadow
 * original after unlearning method X) and {@code reference[i]} from the gold standard (the exact retrains;
 * for a forgotten example, models that never trained on it), with the group each example belongs to. The
 * samples of one example may differ in size, and so may those of different examples. KLoM summarises
 * every group; U-LiRA and forget quality read the {@link Group#FORGET} examples.
 */
public record PairedMargins(double[][] candidate, double[][] reference, Group[] groups) {
  /** Which part of the data an example belongs to; {@link #key} names it in metric names. */
  public enum Group {
    /** Trained on, then forgotten by the audited models; never trained on by the retrained ones. */
    FORGET("forget"),
    /** Trained on by both. */
    RETAIN("retain"),
    /** Held out from both (the validation split). */
    VALIDATION("val");

    /** The group's name inside metric names, e.g. {@code klom_val_p95}. */
    public final String key;

    Group(String key) {
      this.key = key;
    }
  }

  /** Checks that the three arrays describe the same examples. */
  public PairedMargins {
    if (candidate.length != reference.length || candidate.length != groups.length) {
      throw new IllegalArgumentException(candidate.length + " candidate rows, " + reference.length
          + " reference rows and " + groups.length + " groups: they must describe the same examples");
    }
  }

  /** Margins of forget examples only. */
  public static PairedMargins forget(double[][] candidate, double[][] reference) {
    Group[] groups = new Group[candidate.length];
    Arrays.fill(groups, Group.FORGET);
    return new PairedMargins(candidate, reference, groups);
  }

  /** The indices of the examples in {@code group}, ascending. */
  public int[] rows(Group group) {
    int[] rows = new int[groups.length];
    int n = 0;
    for (int i = 0; i < groups.length; i++) {
      if (groups[i] == group) {
        rows[n++] = i;
      }
    }
    return Arrays.copyOf(rows, n);
  }

  /** The candidate and reference samples of the examples in {@code rows}, in that order. */
  PairedMargins select(int[] rows) {
    double[][] c = new double[rows.length][];
    double[][] r = new double[rows.length][];
    Group[] g = new Group[rows.length];
    for (int i = 0; i < rows.length; i++) {
      c[i] = candidate[rows[i]];
      r[i] = reference[rows[i]];
      g[i] = groups[rows[i]];
    }
    return new PairedMargins(c, r, g);
  }
}
