/** A task's states, in the order a successful task passes them. */
export const TaskStatus = {
  QUEUED: "QUEUED",
  SCHEDULED: "SCHEDULED",
  RUNNING: "RUNNING",
  COMPLETED: "COMPLETED",
  FAILED: "FAILED",
  CANCELLED: "CANCELLED",
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export const FINAL_TASK_STATUSES: readonly TaskStatus[] = [
  TaskStatus.COMPLETED,
  TaskStatus.FAILED,
  TaskStatus.CANCELLED,
];

export function isFinalTaskStatus(status: TaskStatus): boolean {
  return FINAL_TASK_STATUSES.includes(status);
}

/** Where a model ran: chosen explicitly by the actor and reported with every result. */
export const ExecutionProvider = { CPU: "cpu", CUDA: "cuda", WEBGPU: "webgpu" } as const;
export type ExecutionProvider = (typeof ExecutionProvider)[keyof typeof ExecutionProvider];

/**
 * Where a task's result stands with result verification (a re-run on another provider's node):
 * UNCHECKED (not chosen), SAMPLED (chosen, the check under way), VERIFIED (the check agreed),
 * DISPUTED (it did not; a referee run decides), RESOLVED (the referee decided).
 */
export const VerificationStatus = {
  UNCHECKED: "UNCHECKED",
  SAMPLED: "SAMPLED",
  VERIFIED: "VERIFIED",
  DISPUTED: "DISPUTED",
  RESOLVED: "RESOLVED",
} as const;
export type VerificationStatus = (typeof VerificationStatus)[keyof typeof VerificationStatus];
