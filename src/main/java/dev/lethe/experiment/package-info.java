/**
 * One experiment (dataset × split × model × training recipe: {@link dev.lethe.experiment.Experiment}, whose
 * Javadoc is Lethe's whole Java API: train, forget, unlearn, one audit call) and what it keeps: the
 * content-addressed {@link dev.lethe.experiment.ArtifactStore} of trained models, their {@link
 * dev.lethe.experiment.Provenance}, the per-example outputs saved beside them ({@link
 * dev.lethe.experiment.ModelOutputs}), the shadow {@link dev.lethe.experiment.Ensemble} behind the per-example audits,
 * the worker processes that compute its members in parallel ({@link dev.lethe.experiment.EnsembleWorkers}) and their
 * wiring ({@link dev.lethe.experiment.EnsembleAudit}), and the JSON helpers every later stage writes with ({@link
 * dev.lethe.experiment.Json}).
 *
 * <p>May use: {@code audit}, {@code unlearn}, {@code train}, {@code model}, {@code data}.
 */
package dev.lethe.experiment;
