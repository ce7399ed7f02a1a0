/**
 * Lethe on Apache Spark (issue #11, "Where it runs"), an opt-in module outside the default build: the {@code lethe}
 * command line as a Spark driver ({@link dev.lethe.spark.SparkLethe}) whose ensemble members ({@link
 * dev.lethe.spark.SparkEnsembleExecutor}) and bench cells ({@link dev.lethe.spark.SparkCellExecutor}) are Spark
 * tasks ({@link dev.lethe.spark.LetheTask}) on executors of one task slot and one PyTorch thread ({@link
 * dev.lethe.spark.SparkSettings}), computed by the core's own code ({@link dev.lethe.experiment.EnsembleJob},
 * {@link dev.lethe.bench.CellJob}) into a store (and output directory) every executor shares.
 *
 * <p>May use: everything in {@code dev.lethe}; Spark is {@code provided} (the cluster's).
 */
package dev.lethe.spark;
