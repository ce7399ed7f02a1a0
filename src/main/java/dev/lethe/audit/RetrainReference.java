package dev.lethe.audit;

import dev.lethe.data.ForgetTask;

/**
 * The retrained reference RT of one forget task, as every candidate of that task is audited against it: its
 * logits on the task's splits and its own audit (against itself: divergences 0, Avg Gap 0), computed once.
 *
 * @param logits RT's logits on the task's forget, retain and test sets
 * @param result RT's audit
 */
public record RetrainReference(SplitLogits logits, AuditResult result) {
  /** RT on {@code task}, given its logits: audits it once against itself. */
  public static RetrainReference of(SplitLogits logits, ForgetTask task) {
    return new RetrainReference(logits, Audit.measure(logits, task, logits).withAvgGap(0));
  }
}
