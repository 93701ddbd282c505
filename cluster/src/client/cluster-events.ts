/**
 * The cluster event stream (Head.WatchCluster) as an async iterable, for dashboards and the
 * api's subscriptions: node events (registered, registered again, dead; with the node's
 * resources and labels) and actor lifecycle transitions, in the order the head published them.
 * Events start when the stream opens; list nodes and actors after opening it for the state so far.
 */
import type * as grpc from "@grpc/grpc-js";
import { NodeState, type NodeTelemetry } from "@neurogrid/schema";
import { nodeResourcesFromWire } from "../grpc/convert.js";
import type { HeadService } from "../grpc/proto.js";
import { telemetryFromWire, unschedulableFromWire } from "../grpc/telemetry-convert.js";
import type * as wire from "../grpc/wire.js";
import { type ActorEvent, actorEventFromWire, serverStream } from "./head-streams.js";
import type { NodeInfo } from "./types.js";

/**
 * REGISTERED: the node joined with fresh resources (new, or back after it was DEAD).
 * REREGISTERED: a live node registered again (its link to the head broke); it kept its actors.
 * DEAD: the head heard no heartbeat for its timeout; its actors restart elsewhere or die.
 */
export type NodeEventType = "REGISTERED" | "REREGISTERED" | "DEAD";

export interface NodeEvent {
  kind: "node";
  type: NodeEventType;
  /** The node after the event (`available`: what it has free now; nothing once DEAD). */
  node: NodeInfo;
  cause: string;
  /** Head clock, ms since the epoch. */
  atMs: number;
}

export interface ActorClusterEvent extends ActorEvent {
  kind: "actor";
}

/** A node's new GPU telemetry sample (at most one per heartbeat). */
export interface NodeTelemetryEvent {
  kind: "telemetry";
  nodeId: string;
  telemetry: NodeTelemetry;
  /** GPUs that take no new actors now (index -> why). */
  unschedulableGpus: Record<number, string>;
  /** Head clock, ms since the epoch. */
  atMs: number;
}

export type ClusterEvent = NodeEvent | ActorClusterEvent;

/** What watchCluster({ telemetry: true }) yields. */
export type ClusterEventWithTelemetry = ClusterEvent | NodeTelemetryEvent;

export interface WatchClusterOptions {
  /** Aborting ends the iteration. */
  signal?: AbortSignal;
  /** Also each node's new GPU telemetry samples (kind "telemetry"); off by default. */
  telemetry?: boolean;
}

const NODE_EVENT_TYPES = new Set<string>(["REGISTERED", "REREGISTERED", "DEAD"]);

export function nodeInfoFromWire(node: wire.NodeInfo): NodeInfo {
  return {
    nodeId: node.nodeId,
    address: node.address,
    state: node.state === NodeState.ALIVE ? NodeState.ALIVE : NodeState.DEAD,
    total: nodeResourcesFromWire(node.total),
    available: nodeResourcesFromWire(node.available),
    labels: { ...node.labels },
    lastHeartbeatMs: node.lastHeartbeatMs,
    ...withTelemetry(telemetryFromWire(node.telemetry)),
    unschedulableGpus: unschedulableFromWire(node.unschedulableGpus),
    ...(node.quarantineReason
      ? { quarantine: { reason: node.quarantineReason, sinceMs: Number(node.quarantinedAtMs ?? 0) } }
      : {}),
  };
}

function withTelemetry(telemetry: NodeTelemetry | undefined): { telemetry?: NodeTelemetry } {
  return telemetry === undefined ? {} : { telemetry };
}

function fromWire(event: wire.ClusterEvent): ClusterEventWithTelemetry | undefined {
  const { node, actor, telemetry } = event;
  const sample = telemetryFromWire(telemetry?.telemetry);
  if (telemetry && sample !== undefined) {
    return {
      kind: "telemetry",
      nodeId: telemetry.nodeId,
      telemetry: sample,
      unschedulableGpus: unschedulableFromWire(telemetry.unschedulableGpus),
      atMs: Number(telemetry.atMs),
    };
  }
  if (node?.node && NODE_EVENT_TYPES.has(node.type)) {
    return {
      kind: "node",
      type: node.type as NodeEventType,
      node: nodeInfoFromWire(node.node),
      cause: node.cause,
      atMs: node.atMs,
    };
  }
  const actorEvent = actor ? actorEventFromWire(actor) : undefined;
  if (actorEvent !== undefined) return { kind: "actor", ...actorEvent };
  return undefined; // a kind of event this client does not know yet
}

/** Events from now on, until the caller stops iterating or aborts (or the head goes away: an error). */
export async function* watchCluster(
  client: grpc.Client,
  head: HeadService,
  opts: WatchClusterOptions,
): AsyncGenerator<ClusterEventWithTelemetry> {
  const telemetry = opts.telemetry === true;
  for await (const raw of serverStream(client, head.WatchCluster, { telemetry }, opts.signal)) {
    const event = fromWire(raw);
    if (event !== undefined && (telemetry || event.kind !== "telemetry")) yield event;
  }
}
