/** Worker service messages (worker.proto), as proto-loader decodes them; see wire.ts. */
import type { ActorSpec, NodeTelemetry, Resources } from "./wire-common.js";

export interface StartActorRequest {
  actorId: string;
  spec: ActorSpec | null;
  gpuIds: number[];
  /** The incarnation's fencing epoch (0 or absent: none). */
  epoch?: number;
}

export interface StartActorReply {
  address: string;
  pid: number;
}

export interface KillActorRequest {
  actorId: string;
  /** Absent when sending means false. */
  force?: boolean;
  /** 0 or absent: the worker's default. */
  graceMs?: number;
}

export type KillActorReply = Record<string, never>;

export type WorkerStatusRequest = Record<string, never>;

interface WorkerActorStatus {
  actorId: string;
  pid: number;
  address: string;
}

export interface WorkerStatusReply {
  nodeId: string;
  headAddress: string;
  headState: string;
  lastHeadReplyMs: number;
  actors: WorkerActorStatus[];
  resources: Resources | null;
  telemetry: NodeTelemetry | null;
  telemetrySource: string;
  metricsAddress: string;
  startedAtMs: number;
}
