/**
 * Lethe: machine unlearning on the JVM. The packages read as the data flow, and each may use only the ones
 * before it: {@code data} → {@code model} → {@code train} → {@code unlearn} (with {@code unlearn.blocks} and
 * {@code unlearn.method}) and {@code audit} → {@code experiment} → {@code report} → {@code bench} →
 * {@code cli} ({@code LayeringTest} checks it). This package holds only what every layer shares:
 * {@link dev.lethe.LetheException} (bad user input, one line), {@link dev.lethe.Doc} and {@link
 * dev.lethe.Choice} (the enums users pick by name); it uses no other Lethe package.
 */
package dev.lethe;
