package dev.lethe.unlearn;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Leaves the named fields of a nested options component out of {@link OptionsBinder#values} (the params of
 * result rows, which cell keys hash) while they hold the value the holder's {@code defaults()} gives them. It
 * is for an option a method gained after results were recorded, so that the rows written before keep their
 * cell keys, as {@link dev.lethe.train.TrainConfig} leaves out {@code clip} 0 and {@code augment} none.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface OmittedAtDefault {
  /** The nested fields' names, e.g. {@code schedule}. */
  String[] value();
}
