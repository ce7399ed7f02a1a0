/**
 * The one optimisation loop ({@link dev.lethe.train.Optimization}) and what it runs: the update rules
 * ({@link dev.lethe.train.SgdOptimizer}, {@link dev.lethe.train.AdamOptimizer}), learning-rate schedules,
 * batches and augmentation, losses, parameter masks, spectral clipping, the training recipe of an original
 * ({@link dev.lethe.train.TrainConfig}, {@link dev.lethe.train.Training}) and eval-mode prediction ({@link
 * dev.lethe.train.Prediction}).
 *
 * <p>May use: {@code model}, {@code data}.
 */
package dev.lethe.train;
