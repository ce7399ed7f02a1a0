/**
 * Benchmark grids: the runner of scenarios × methods × seeds ({@link dev.lethe.bench.BenchmarkRunner},
 * {@link dev.lethe.bench.ScenarioRun}), the resumable {@link dev.lethe.bench.ResultLog} (JSON lines, cells
 * keyed by content hash), where a grid's cells are computed ({@link dev.lethe.bench.CellExecutor}: here, or by a
 * cluster's executors from a {@link dev.lethe.bench.CellJob}'s text), the tuner and the recipes it writes,
 * throughput measurement, and the lock on an output directory.
 *
 * <p>May use: {@code report}, {@code experiment}, {@code audit}, {@code unlearn}, {@code train}, {@code
 * model}, {@code data}.
 */
package dev.lethe.bench;
