/**
 * Renders benchmark and tuning result rows for a reader: the Markdown summary ({@link
 * dev.lethe.report.Summary}). It sits below {@code bench} because the benchmark runner and the tuner write
 * their summaries themselves, inside the run that holds the output lock.
 *
 * <p>May use: {@code experiment} and the packages below it; never {@code bench} or {@code cli}.
 */
package dev.lethe.report;
