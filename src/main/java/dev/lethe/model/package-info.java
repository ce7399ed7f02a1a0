/**
 * Networks: what they are built from ({@link dev.lethe.model.Architecture}: the built-in {@link
 * dev.lethe.model.ModelSpec}, built by {@link dev.lethe.model.Architectures}, or a network of your own, {@link
 * dev.lethe.model.CustomArchitecture}), {@link dev.lethe.model.Network} (a DJL block with a features/head split,
 * deep copy, parameter access, the parts methods read), checkpoints, and the spectra of weight matrices ({@link
 * dev.lethe.model.PowerQr}).
 *
 * <p>May use: {@code data} (image shapes only).
 */
package dev.lethe.model;
