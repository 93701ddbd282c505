/** Worker service messages (worker.proto), as proto-loader decodes them; see wire.ts. */
import type { ActorSpec } from "./wire.js";

export interface StartActorRequest {
  actorId: string;
  spec: ActorSpec | null;
  gpuIds: number[];
}

export interface StartActorReply {
  address: string;
  pid: number;
}

export interface KillActorRequest {
  actorId: string;
}

export type KillActorReply = Record<string, never>;
