/**
 * The unlearning contract: {@link dev.lethe.unlearn.Unlearner}, the base class of methods with an options
 * record ({@link dev.lethe.unlearn.OptionsUnlearner}), the SGD settings those records share ({@link
 * dev.lethe.unlearn.SgdOptions}) and their range checks ({@link dev.lethe.unlearn.OptionChecks}), the binder of
 * {@code --param} overrides and of result-row JSON ({@link dev.lethe.unlearn.OptionsBinder}) and the registry of
 * every method by id ({@link dev.lethe.unlearn.MethodRegistry}), which methods of your own join through a {@link
 * dev.lethe.unlearn.MethodProvider}. The methods themselves are in {@code unlearn.method}, the steps they share in
 * {@code unlearn.blocks}.
 *
 * <p>May use: {@code train}, {@code model}, {@code data}; only {@link dev.lethe.unlearn.MethodRegistry}
 * knows {@code unlearn.method}.
 */
package dev.lethe.unlearn;
