import { VerificationStatus } from "@neurogrid/schema";

/**
 * The verification moves a task has passed, from the times its row keeps: what a late
 * taskProgress subscriber replays (as task.type.ts taskHistory does for the task's own states).
 */
export interface VerificationTimes {
  status: VerificationStatus;
  sampledAt: Date;
  checkedAt?: Date | undefined;
  resolvedAt?: Date | undefined;
  updatedAt: Date;
}

export interface VerificationMove {
  verification: VerificationStatus;
  at: Date;
}

export function verificationHistory(times: VerificationTimes | undefined): VerificationMove[] {
  if (!times) return [];
  const moves: VerificationMove[] = [{ verification: VerificationStatus.SAMPLED, at: times.sampledAt }];
  if (times.checkedAt) {
    const agreed = times.status === VerificationStatus.VERIFIED;
    moves.push({
      verification: agreed ? VerificationStatus.VERIFIED : VerificationStatus.DISPUTED,
      at: times.checkedAt,
    });
  }
  if (times.resolvedAt) moves.push({ verification: VerificationStatus.RESOLVED, at: times.resolvedAt });
  if (times.status === VerificationStatus.UNCHECKED) {
    moves.push({ verification: VerificationStatus.UNCHECKED, at: times.updatedAt });
  }
  return moves;
}
