/**
 * Networks: the built-in architectures ({@link dev.lethe.model.ModelSpec}, {@link
 * dev.lethe.model.Architectures}), {@link dev.lethe.model.Network} (a DJL block with a features/head split,
 * deep copy, parameter access), checkpoints, and the spectra of weight matrices ({@link
 * dev.lethe.model.PowerQr}).
 *
 * <p>May use: {@code data} (image shapes only).
 */
package dev.lethe.model;
