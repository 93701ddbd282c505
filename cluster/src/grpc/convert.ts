/**
 * Wire messages (wire.ts) <-> the shared types of @neurogrid/schema. Actor arguments, results
 * and constructor args travel as JSON in bytes fields; an empty field stands for undefined.
 */
import {
  type ActorInfo,
  type ActorSpec,
  ActorState,
  actorId,
  type GpuInfo,
  type NodeResources,
  nodeId,
  type ResourceRequest,
} from "@neurogrid/schema";
import { ClusterError, type ClusterErrorCode } from "../errors.js";
import type * as wire from "./wire.js";

const EMPTY = Buffer.alloc(0);

/** JSON-encodes a value; `code` is the error to raise when it cannot be encoded. */
export function encodeJson(value: unknown, code: ClusterErrorCode, what: string): Buffer {
  if (value === undefined) return EMPTY;
  try {
    return Buffer.from(JSON.stringify(value), "utf8");
  } catch (err) {
    throw new ClusterError(code, `${what} is not JSON-encodable: ${(err as Error).message}`, { cause: err });
  }
}

export function decodeJson(bytes: Buffer, code: ClusterErrorCode, what: string): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch (err) {
    throw new ClusterError(code, `${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function emptyWireResources(): wire.Resources {
  return { cpus: 0, memoryMb: 0, gpus: [], gpusRequested: 0, custom: {} };
}

export function requestToWire(request: ResourceRequest): wire.Resources {
  return {
    ...emptyWireResources(),
    cpus: request.cpus,
    memoryMb: request.memoryMb,
    gpusRequested: request.gpus,
    custom: { ...request.custom },
  };
}

export function requestFromWire(resources: wire.Resources | null): ResourceRequest {
  const r = resources ?? emptyWireResources();
  return { cpus: r.cpus, memoryMb: r.memoryMb, gpus: r.gpusRequested, custom: { ...r.custom } };
}

export function nodeResourcesToWire(resources: NodeResources): wire.Resources {
  return {
    ...emptyWireResources(),
    cpus: resources.cpus,
    memoryMb: resources.memoryMb,
    gpus: resources.gpus.map((gpu) => ({ ...gpu })),
    custom: { ...resources.custom },
  };
}

export function nodeResourcesFromWire(resources: wire.Resources | null): NodeResources {
  const r = resources ?? emptyWireResources();
  const gpus: GpuInfo[] = r.gpus.map((g) => ({
    index: g.index,
    uuid: g.uuid,
    name: g.name,
    memoryMb: g.memoryMb,
  }));
  return { cpus: r.cpus, memoryMb: r.memoryMb, gpus, custom: { ...r.custom } };
}

export function specToWire(spec: ActorSpec): wire.ActorSpec {
  return {
    name: spec.name,
    namespace: spec.namespace,
    className: spec.className,
    initArgs: encodeJson(spec.initArgs, "INVALID_ARGUMENT", "initArgs"),
    resources: requestToWire(spec.resources),
    maxConcurrency: spec.maxConcurrency ?? 0,
    maxTaskRetries: spec.maxTaskRetries ?? 0,
  };
}

export function specFromWire(spec: wire.ActorSpec | null): ActorSpec {
  if (spec === null) throw new ClusterError("INVALID_ARGUMENT", "actor spec is missing");
  return {
    name: spec.name,
    namespace: spec.namespace,
    className: spec.className,
    initArgs: decodeJson(spec.initArgs, "INVALID_ARGUMENT", "initArgs"),
    resources: requestFromWire(spec.resources),
    maxConcurrency: spec.maxConcurrency,
    maxTaskRetries: spec.maxTaskRetries,
  };
}

export function infoToWire(info: ActorInfo): wire.ActorInfo {
  return { ...info, gpuIds: [...info.gpuIds] };
}

export function infoFromWire(info: wire.ActorInfo): ActorInfo {
  const state = info.state === "ACTOR_STATE_UNSPECIFIED" ? ActorState.DEAD : info.state;
  return {
    actorId: actorId(info.actorId),
    name: info.name,
    namespace: info.namespace,
    className: info.className,
    state,
    nodeId: nodeId(info.nodeId),
    address: info.address,
    gpuIds: [...info.gpuIds],
    pid: info.pid,
    deathCause: info.deathCause,
  };
}
