/**
 * The steps several unlearning methods share, each citing the paper it comes from: weight-saliency masks
 * ({@link dev.lethe.unlearn.blocks.Saliency}), input attacks (FGSM, L2 PGD: {@link
 * dev.lethe.unlearn.blocks.Attacks}, {@link dev.lethe.unlearn.blocks.AdversarialExamples}), distillation
 * losses, adaptive forget weights, class similarity and the random-label loop.
 *
 * <p>May use: {@code train}, {@code model}, {@code data}; never a method class or the registry.
 */
package dev.lethe.unlearn.blocks;
