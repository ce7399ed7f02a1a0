package dev.lethe.audit;

/** Shape checks shared by the audit statistics; a failure is a programming error in the caller. */
final class ShapeChecks {
  private ShapeChecks() {}

  static void sameLength(int rows, int labels) {
    if (rows != labels) {
      throw new IllegalArgumentException(
          "Got " + rows + " rows of outputs but " + labels + " labels; they must match");
    }
  }

  static void labelInRow(int label, int classes, int row) {
    if (label < 0 || label >= classes) {
      throw new IllegalArgumentException(
          "Label " + label + " at row " + row + " is outside 0.." + (classes - 1));
    }
  }
}
