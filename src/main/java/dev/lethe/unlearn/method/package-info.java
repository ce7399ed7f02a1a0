/**
 * One class per unlearning method, each with its options record and its update rule, and nothing else. A
 * method class never uses another: a step two methods share belongs in {@code unlearn.blocks}.
 *
 * <p>May use: {@code unlearn}, {@code unlearn.blocks}, {@code train}, {@code model}, {@code data}.
 */
package dev.lethe.unlearn.method;
