import type { CaptureSplit } from "../ledger/movements.js";

/** A task as its capture wrote it. */
export interface SettledTask {
  status: "COMPLETED" | "FAILED" | "CANCELLED";
  startedAt: Date;
  finishedAt: Date;
  result: Record<string, unknown>;
  executionProvider: string;
  inferenceMs: number;
  nodeId: string;
  actorId: string;
  split: CaptureSplit;
}
