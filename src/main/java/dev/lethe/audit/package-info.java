/**
 * Audit statistics on model outputs, in plain Java: softmax, accuracy, membership-inference features and
 * attacks, and divergences to the retrained reference ({@link dev.lethe.audit.RetrainReference}), gathered
 * with Avg Gap into one typed {@link dev.lethe.audit.AuditResult}. They follow the evaluation code of SalUn
 * (OPTML-Group/Unlearn-Saliency, {@code evaluation/SVC_MIA.py}) and SFR-on
 * (K1nght/Unified-Unlearning-w-Remain-Geometry, {@code evaluation/mia.py} and {@code evaluation/js_div.py}).
 * Inputs are arrays of floats as the model produced them; all arithmetic is in double.
 *
 * <p>May use: {@code train} (prediction), {@code model}, {@code data}.
 */
package dev.lethe.audit;
