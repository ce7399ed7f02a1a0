/**
 * The {@code lethe} command line (picocli): one command class per verb ({@code train}, {@code forget},
 * {@code audit}, {@code bench}, {@code tune}, {@code split}, {@code eval}, {@code methods}, …) and the
 * option groups they share. The only package that uses picocli.
 *
 * <p>May use: every other package.
 */
package dev.lethe.cli;
