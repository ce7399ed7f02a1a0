package dev.lethe.audit.perexample;

import java.util.Map;

/**
 * A distributional audit over per-example margin samples: it reads margins (see {@link Margins}) of many
 * models, never the models themselves, and reports named summary metrics, each with its one definition.
 * {@code I} is what the audit reads: {@link PairedMargins} (per example, the audited models' margins beside
 * the retrained models') for KLoM, U-LiRA and forget quality, or the attack inputs of LiRA and RMIA
 * (a target model's margins on members and non-members beside reference models that never trained on them).
 *
 * @param <I> the audit's input
 * @param <R> its result: per-example detail and the summary metrics
 */
public interface MarginAudit<I, R extends MarginAudit.Result> {
  /** Each metric name this audit can report, with its one definition. */
  Map<String, String> definitions();

  /**
   * Audits {@code input}.
   *
   * @throws dev.lethe.LetheException if an example has fewer margins than the audit needs, or a margin is
   *     not finite
   */
  R audit(I input);

  /** What an audit found: its per-example values and their summary. */
  interface Result {
    /** The summary metrics, named as in {@link MarginAudit#definitions()}. */
    Map<String, Double> metrics();
  }
}
