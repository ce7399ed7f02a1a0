/**
 * One experiment (dataset × split × model × training recipe: {@link dev.lethe.experiment.Experiment}, whose
 * Javadoc is Lethe's whole Java API: train, forget, unlearn, one audit call) and what it keeps: the
 * content-addressed {@link dev.lethe.experiment.ArtifactStore} of trained models, their {@link
 * dev.lethe.experiment.Provenance}, the per-example outputs saved beside them ({@link
 * dev.lethe.experiment.ModelOutputs}), the shadow {@link dev.lethe.experiment.Ensemble} behind the per-example audits,
 * where its members are computed ({@link dev.lethe.experiment.EnsembleExecutor}: in process, in parallel worker
 * processes, {@link dev.lethe.experiment.EnsembleWorkers}, or by the {@code lethe-spark} module's Spark tasks, all
 * through {@link dev.lethe.experiment.EnsembleJob}) and the audits' wiring ({@link dev.lethe.experiment.EnsembleAudit}), and the JSON helpers every later stage writes with ({@link
 * dev.lethe.experiment.Json}).
 *
 * <p>May use: {@code audit}, {@code unlearn}, {@code train}, {@code model}, {@code data}.
 */
package dev.lethe.experiment;
