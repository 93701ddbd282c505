import type { Verifier } from "../verification/verifier.js";
import type { NodeFaults } from "./node-faults.js";
import type { ReadyDeployments } from "./ready-deployments.js";
import type { GenerationOutcome } from "./run-generation.js";
import type { SettledTask } from "./settled-task.js";
import type { TaskEventBus } from "./task-events.js";
import type { TaskCharge } from "./task-queue.js";
import type { TaskRef } from "./task-ref.js";
import type { TaskStore } from "./task-store.js";

/** What an attempt runner (attempt-runner.ts) is given, and what one attempt asks of it. */
export interface AttemptRunnerDeps {
  store: TaskStore;
  /** The deployments at hand (ready-deployments.ts). */
  deployments: Pick<ReadyDeployments, "known" | "forModel" | "manifestOf">;
  /** Where a replica's faults are recorded against its node (node-faults.ts). */
  faults: Pick<NodeFaults, "record">;
  /** The most JSON characters a replica's answer may take (task-output.ts). */
  maxResultChars: number;
  events: Pick<TaskEventBus, "publish" | "publishAll">;
  /** The provider who owns a node (credited): node-owners.ts. */
  providerOf(nodeId: string): Promise<string>;
  /** A task's client and escrow, for the refund of one that never started here. */
  taskRef(taskId: string): Promise<TaskRef | null>;
  platformFeeBps: number;
  taskTimeoutMs: number;
  /** A call shorter than this has its start written by its capture (deferred-start.ts); 0: never. */
  startWriteDelayMs: number;
  /** Spot checks of completed tasks (verification/verifier.ts); none without it. */
  verifier?: Pick<Verifier, "draw" | "check" | "sweep"> | undefined;
  log?: (msg: string) => void;
}

/** One attempt of a held task. */
export interface AttemptRequest {
  taskId: string;
  attempt: number;
  lastAttempt: boolean;
  /** What the task's job carries: its model, its input (a model called once), its charge. */
  modelId?: string | undefined;
  input?: Record<string, unknown> | undefined;
  charge?: TaskCharge | undefined;
  /** The call is over (its answer or its deadline is in): its slot may go to the next call. */
  onCallEnded?: () => void;
  /** A generation's tokens, as they come (besides the task's announcements). */
  onToken?: (token: string) => void;
  /** A generation's outcome, once settled. */
  onGeneration?: (outcome: GenerationOutcome) => void;
  /** The task is final and captured by this attempt (what the submit may answer with). */
  onSettled?: (settled: SettledTask) => void;
  /** Aborts the attempt (a caller that went away). */
  signal?: AbortSignal;
}
