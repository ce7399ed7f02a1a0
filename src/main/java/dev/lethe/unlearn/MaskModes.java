package dev.lethe.unlearn;

import dev.lethe.LetheException;
import dev.lethe.train.SgdOptimizer;

/** Parses the mask-mode names the saliency methods accept: {@code grad_only} and {@code hard_freeze}. */
public final class MaskModes {
  private MaskModes() {}

  public static SgdOptimizer.MaskMode parse(String method, String name) {
    return switch (name) {
      case "grad_only" -> SgdOptimizer.MaskMode.GRAD_ONLY;
      case "hard_freeze" -> SgdOptimizer.MaskMode.HARD_FREEZE;
      default -> throw new LetheException(
          method + ".maskMode must be grad_only or hard_freeze, got '" + name + "'");
    };
  }
}
