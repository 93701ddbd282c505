/**
 * The IPC handshake between a worker and the actor process it forks (actor-host-main.js):
 *
 *   child  -> parent  { type: "hello" }                       the host is up and listening for IPC
 *   parent -> child   { type: "start", actorId, className, initArgs, gpuIds, host }
 *   child  -> parent  { type: "ready", port }                 the Actor service is serving
 *                   | { type: "error", code, message }        construction failed; the child exits
 *
 * The start message travels over IPC rather than argv or env so constructor args of any size
 * fit. CUDA_VISIBLE_DEVICES is set in the child's environment by the parent at fork time.
 */
import { fileURLToPath } from "node:url";
import type { ClusterErrorCode } from "../errors.js";

/** The compiled entry a worker forks for each actor. */
export const ACTOR_HOST_MAIN = fileURLToPath(new URL("./actor-host-main.js", import.meta.url));

export interface ActorHostHello {
  type: "hello";
}

export interface ActorHostStart {
  type: "start";
  actorId: string;
  className: string;
  initArgs: unknown;
  gpuIds: number[];
  /** Interface the actor's gRPC server binds. */
  host: string;
}

export interface ActorHostReady {
  type: "ready";
  port: number;
}

export interface ActorHostFailed {
  type: "error";
  code: ClusterErrorCode;
  message: string;
}

export type ChildMessage = ActorHostHello | ActorHostReady | ActorHostFailed;
export type ParentMessage = ActorHostStart;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isChildMessage(value: unknown): value is ChildMessage {
  if (!isObject(value)) return false;
  if (value.type === "hello") return true;
  if (value.type === "ready") return typeof value.port === "number";
  return value.type === "error" && typeof value.code === "string" && typeof value.message === "string";
}

export function isStartMessage(value: unknown): value is ActorHostStart {
  return (
    isObject(value) &&
    value.type === "start" &&
    typeof value.actorId === "string" &&
    typeof value.className === "string" &&
    Array.isArray(value.gpuIds) &&
    value.gpuIds.every((id) => typeof id === "number") &&
    typeof value.host === "string"
  );
}
