package dev.lethe.audit.perexample;

import dev.lethe.LetheException;

/**
 * What a single-model membership attack reads: the target model's margin on each member (a forget example,
 * trained on and then unlearned) and on each non-member (a held-out example), and for each of them the
 * margins of reference models that never trained on it ("OUT" models: retrains or shadows whose half
 * excluded it). Reference samples may differ in size between examples.
 */
public record AttackMargins(
    double[] members, double[][] memberReference, double[] nonMembers, double[][] nonMemberReference) {
  /** Checks that each example has its reference row. */
  public AttackMargins {
    if (members.length != memberReference.length || nonMembers.length != nonMemberReference.length) {
      throw new IllegalArgumentException(members.length + " members with " + memberReference.length
          + " reference rows and " + nonMembers.length + " non-members with " + nonMemberReference.length
          + ": every example needs its reference row");
    }
  }

  /** Checks both sides for {@code audit}: at least one example each, {@code minReference} references each. */
  void check(String audit, int minReference) {
    if (members.length == 0 || nonMembers.length == 0) {
      throw new LetheException(audit + " needs at least one member and one non-member, got " + members.length
          + " and " + nonMembers.length + ": pass the target's margins on forget and held-out examples");
    }
    Samples.requireFinite(audit, "target's member margins", members);
    Samples.requireFinite(audit, "target's non-member margins", nonMembers);
    Samples.check(audit, "member reference", memberReference, minReference);
    Samples.check(audit, "non-member reference", nonMemberReference, minReference);
  }
}
