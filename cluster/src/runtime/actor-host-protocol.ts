/**
 * The IPC handshake between a worker and the actor process it forks (actor-host-main.js):
 *
 *   child  -> parent  { type: "hello" }                       the host is up and listening for IPC
 *   parent -> child   { type: "start", actorId, className, initArgs, gpuIds, host, maxConcurrency,
 *                       epoch, ... }
 *   child  -> parent  { type: "ready", port, info }           the Actor service is serving; info:
 *                                                             the labels the instance's info()
 *                                                             reports ({} without one)
 *                   | { type: "error", code, message }        construction failed; the child exits
 *   child  -> parent  { type: "calls", series }               while serving, about once a second
 *                                                             when calls ended since the last one:
 *                                                             their duration buckets (a delta,
 *                                                             ../metrics/call-histogram.ts)
 *   parent -> child   { type: "lease", validForMs }           the worker heard from the head: the
 *                                                             actor may answer for validForMs more
 *                                                             (actor-fence.ts)
 *   parent -> child   { type: "stop", graceMs }               graceful stop: refuse new calls, let
 *                                                             accepted ones finish for up to graceMs,
 *                                                             then exit 0
 *
 * The start message travels over IPC rather than argv or env so constructor args of any size
 * fit. A process may be forked long before it becomes an actor (the worker's pool of prestarted
 * processes, started with PRESTARTED_FLAG): it waits for its start message without a time limit,
 * and sets CUDA_VISIBLE_DEVICES from the start message's gpuIds before the actor (and with it
 * any CUDA library) starts.
 */
import { fileURLToPath } from "node:url";
import type { ActorProcessAuth } from "../auth/cluster-auth.js";
import type { ClusterErrorCode } from "../errors.js";
import type { TlsMaterial } from "../grpc/tls.js";
import { type CallSeries, isCallSeries } from "../metrics/call-histogram.js";
import type { ModelSourcePolicy } from "../models/source-policy.js";
import type { FaultInjection } from "./fault-injection.js";

/** The compiled entry a worker forks for each actor. */
export const ACTOR_HOST_MAIN = fileURLToPath(new URL("./actor-host-main.js", import.meta.url));

/** argv flag of a prestarted process: it waits for its start message for as long as it takes. */
export const PRESTARTED_FLAG = "--prestarted";

interface ActorHostHello {
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
  /** Concurrent calls the actor runs at once; 0: the class's default. */
  maxConcurrency: number;
  /** Serve over TLS with this material (the worker's); plain text when absent. */
  tls?: TlsMaterial | undefined;
  /** Plain text on a non-loopback host, on purpose (the worker's --insecure). */
  insecure?: boolean | undefined;
  /** The head the worker reports to: actors that call other actors or deployments reach it. */
  headAddress?: string | undefined;
  /** The node this actor runs on (its own worker may call it). */
  nodeId?: string | undefined;
  /** Who may call this actor, and its own credential (never the cluster secret). Open when absent. */
  auth?: ActorProcessAuth | undefined;
  /** Where model bytes may come from on this node (the worker's --model-cache-dir, --artifact-origin). */
  modelSources?: ModelSourcePolicy | undefined;
  /** Tests only: the worker's --fault-injection-rate (fault-injection.ts). */
  faultInjection?: FaultInjection | undefined;
  /** The actor's first lease (actor-fence.ts); absent: never fenced. */
  leaseMs?: number | undefined;
  /** The incarnation's fencing epoch from the head (grpc/epoch-fence.ts); absent or 0: none. */
  epoch?: number | undefined;
}

/** The worker heard from the head: the actor may answer for validForMs more. */
export interface ActorHostLease {
  type: "lease";
  validForMs: number;
}

interface ActorHostReady {
  type: "ready";
  port: number;
  /** What the instance's info() reported (metric labels); {} when it has none. */
  info: Record<string, string>;
}

interface ActorHostCalls {
  type: "calls";
  /** Calls that ended since the previous message, per method and outcome. */
  series: CallSeries[];
}

interface ActorHostFailed {
  type: "error";
  code: ClusterErrorCode;
  message: string;
}

export interface ActorHostStop {
  type: "stop";
  graceMs: number;
}

export type ChildMessage = ActorHostHello | ActorHostReady | ActorHostFailed | ActorHostCalls;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isChildMessage(value: unknown): value is ChildMessage {
  if (!isObject(value)) return false;
  if (value.type === "hello") return true;
  if (value.type === "ready") return typeof value.port === "number" && isStringRecord(value.info);
  if (value.type === "calls") return Array.isArray(value.series) && value.series.every(isCallSeries);
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
    typeof value.host === "string" &&
    typeof value.maxConcurrency === "number" &&
    Number.isInteger(value.maxConcurrency) &&
    value.maxConcurrency >= 0 &&
    (value.tls === undefined || isTlsMaterial(value.tls)) &&
    (value.insecure === undefined || typeof value.insecure === "boolean") &&
    (value.leaseMs === undefined || (typeof value.leaseMs === "number" && value.leaseMs > 0)) &&
    (value.epoch === undefined ||
      (typeof value.epoch === "number" && Number.isInteger(value.epoch) && value.epoch >= 0))
  );
}

export function isLeaseMessage(value: unknown): value is ActorHostLease {
  return (
    isObject(value) &&
    value.type === "lease" &&
    typeof value.validForMs === "number" &&
    Number.isFinite(value.validForMs) &&
    value.validForMs > 0
  );
}

export function isStopMessage(value: unknown): value is ActorHostStop {
  return (
    isObject(value) &&
    value.type === "stop" &&
    typeof value.graceMs === "number" &&
    Number.isFinite(value.graceMs) &&
    value.graceMs >= 0
  );
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isObject(value) && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string");
}

function isTlsMaterial(value: unknown): value is TlsMaterial {
  return (
    isObject(value) &&
    typeof value.ca === "string" &&
    typeof value.cert === "string" &&
    typeof value.key === "string"
  );
}
