/**
 * Per-example audits over ensembles: statistics of the margins (log-odds of the true class, {@link
 * dev.lethe.audit.perexample.Margins}) that many models give each example, asking whether an unlearned
 * model's behaviour on each deleted example is distributed like that of models that never saw it. KLoM,
 * U-LiRA and the NeurIPS 2023 forget quality compare per-example samples of audited and retrained models
 * ({@link dev.lethe.audit.perexample.PairedMargins}); offline LiRA and RMIA attack a single model against
 * reference models ({@link dev.lethe.audit.perexample.AttackMargins}). Each is a {@link
 * dev.lethe.audit.perexample.MarginAudit}, pure functions of arrays, and each class names the reference code it
 * follows and where it departs from it.
 *
 * <p>A package of their own, apart from the single-model audit statistics of {@code dev.lethe.audit}: they
 * read margins of many models rather than one model's logits, share their own helpers (NumPy's order
 * statistics, ROC summaries, input checks), and never need a network or a task.
 *
 * <p>May use: the root package ({@code LetheException}) only; no other Lethe package.
 */
package dev.lethe.audit.perexample;
