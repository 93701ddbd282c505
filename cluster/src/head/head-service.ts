/**
 * The Head gRPC service: decodes wire messages, calls the node and actor managers, encodes the
 * replies. Errors reach callers as gRPC status through the edge converter (grpc/status.ts).
 * Server streams (Heartbeat, WatchActors, DriverSession) are tracked so that stop() can end
 * them and the server drain at once.
 */
import type * as grpc from "@grpc/grpc-js";
import { ClusterError } from "../errors.js";
import { nodeResourcesFromWire, nodeResourcesToWire } from "../grpc/convert.js";
import {
  actorInfoToWire,
  actorSpecFromWire,
  groupInfoToWire,
  groupSpecFromWire,
} from "../grpc/head-convert.js";
import { peerNames } from "../grpc/peer-identity.js";
import type { HeadImplementation } from "../grpc/proto.js";
import { unaryHandler } from "../grpc/server.js";
import { toServiceError } from "../grpc/status.js";
import { telemetryFromWire, telemetryToWire, unschedulableToWire } from "../grpc/telemetry-convert.js";
import type * as wire from "../grpc/wire.js";
import type { LogFn } from "../logging/logger.js";
import type { ActorEvent } from "./actor-events.js";
import type { ActorManager } from "./actor-manager.js";
import type { DriverSessions } from "./driver-sessions.js";
import type { NodeEntry, NodeManager } from "./node-manager.js";
import type { NodeQuarantine } from "./node-quarantine.js";
import type { PlacementGroupManager } from "./placement-group-manager.js";
import type { ResourceTable } from "./resource-table.js";

export interface HeadServiceDeps {
  nodes: NodeManager;
  actors: ActorManager;
  sessions: DriverSessions;
  groups: PlacementGroupManager;
  resources: ResourceTable;
  quarantine: NodeQuarantine;
  heartbeatIntervalMs: number;
  /** How long without a heartbeat before a node is DEAD (told to the node: its actors' fence). */
  heartbeatTimeoutMs: number;
  /** Mutual TLS: a node's calls must come with a certificate that names its node id. */
  certifiedNodes: boolean;
  log: LogFn;
}

export interface HeadService {
  implementation: HeadImplementation;
  /** Ends the open streams (when the head stops) so the server can drain at once. */
  endStreams(): void;
}

type Stream = { end(): void; once(event: string, listener: () => void): unknown };

export function headService({
  nodes,
  actors,
  sessions,
  groups,
  resources,
  quarantine,
  heartbeatIntervalMs,
  heartbeatTimeoutMs,
  certifiedNodes,
  log,
}: HeadServiceDeps): HeadService {
  // With TLS, the names of the caller's certificate; undefined (nothing to check) on plain text.
  const identity = (call: Parameters<typeof peerNames>[0]) => (certifiedNodes ? peerNames(call) : undefined);
  const streams = new Set<Stream>();
  const track = (stream: Stream, onClose: () => void = () => {}) => {
    streams.add(stream);
    const forget = () => {
      streams.delete(stream);
      onClose();
    };
    for (const event of ["close", "cancelled", "error", "finish"]) stream.once(event, forget);
  };
  // Each live node's heartbeat stream, so that revoking the node closes it at once.
  type HeartbeatStream = grpc.ServerDuplexStream<wire.HeartbeatRequest, wire.HeartbeatReply>;
  const heartbeats = new Map<string, HeartbeatStream>();
  nodes.onRevoked((nodeId) => {
    const stream = heartbeats.get(nodeId);
    heartbeats.delete(nodeId);
    stream?.emit("error", toServiceError(new ClusterError("UNAUTHENTICATED", `node ${nodeId} was revoked`)));
  });

  const implementation: HeadImplementation = {
    RegisterNode: unaryHandler((request: wire.RegisterNodeRequest, call) => {
      if (request.checkOnly) {
        const registration = {
          peerNames: identity(call),
          nodeId: request.nodeId,
          nodeToken: request.nodeToken,
        };
        nodes.checkRegistration(registration);
        return { nodeId: request.nodeId, heartbeatIntervalMs, heartbeatTimeoutMs, session: "" };
      }
      const node = nodes.register({
        peerNames: identity(call),
        nodeId: request.nodeId,
        address: request.address,
        resources: nodeResourcesFromWire(request.resources),
        labels: request.labels,
        nodeToken: request.nodeToken,
        peer: call.getPeer(),
      });
      const gpus = node.total.gpus.length;
      log(`node ${node.nodeId} registered from ${node.address} (cpus=${node.total.cpus}, gpus=${gpus})`);
      actors.reconcile(node.nodeId, request.actorIds);
      return { nodeId: node.nodeId, heartbeatIntervalMs, heartbeatTimeoutMs, session: node.session };
    }),

    Heartbeat: (stream: HeartbeatStream) => {
      let nodeId: string | undefined;
      track(stream, () => {
        if (nodeId !== undefined && heartbeats.get(nodeId) === stream) heartbeats.delete(nodeId);
      });
      const names = identity(stream);
      stream.on("data", (request: wire.HeartbeatRequest) => {
        const certified = names === undefined || names.includes(request.nodeId);
        const telemetry = telemetryFromWire(request.telemetry);
        const known = certified && nodes.heartbeat(request.nodeId, request.session, telemetry);
        if (known) {
          nodeId = request.nodeId;
          heartbeats.set(nodeId, stream);
        }
        stream.write({ receivedAtMs: Date.now(), reregister: !known });
      });
      stream.on("end", () => stream.end());
      // A broken stream is not a death: the node is DEAD only once its heartbeats stop for long enough.
      stream.on("error", () => {});
    },

    ReportActorExit: unaryHandler((request: wire.ReportActorExitRequest, call) => {
      nodes.authorize(request.nodeId, request.session, identity(call));
      const cause = request.cause || `actor process ${request.pid} exited`;
      if (!actors.processExited(request.nodeId, request.actorId, request.pid, cause)) {
        log(`node ${request.nodeId}: exit of actor ${request.actorId} (pid ${request.pid}) changes nothing`, {
          actorId: request.actorId,
          nodeId: request.nodeId,
        });
      }
      return {};
    }),

    GetOrCreateActor: unaryHandler(async (request: wire.GetOrCreateActorRequest) =>
      actorInfoToWire(await actors.getOrCreate(actorSpecFromWire(request.spec))),
    ),

    GetActor: unaryHandler((request: wire.GetActorRequest) =>
      actorInfoToWire(actors.get(request.namespace, request.name)),
    ),

    ListActors: unaryHandler((request: wire.ListActorsRequest) => ({
      actors: actors.list(request.namespace || undefined).map(actorInfoToWire),
    })),

    KillActor: unaryHandler((request: wire.KillNamedActorRequest) => ({
      actor: actorInfoToWire(
        actors.kill(request.namespace, request.name, {
          graceful: request.graceful,
          graceMs: request.graceMs > 0 ? request.graceMs : undefined,
        }),
      ),
    })),

    WatchActors: (stream: grpc.ServerWritableStream<wire.WatchActorsRequest, wire.ActorEvent>) => {
      const namespace = stream.request.namespace;
      const unsubscribe = actors.onEvent((event) => {
        if (namespace !== "" && event.actor.namespace !== namespace) return;
        stream.write(actorEventToWire(event));
      });
      track(stream, unsubscribe);
      stream.on("error", () => {});
    },

    WatchCluster: (stream: grpc.ServerWritableStream<wire.WatchClusterRequest, wire.ClusterEvent>) => {
      const unsubscribeNodes = nodes.onEvent((event) =>
        stream.write({
          node: {
            type: event.type,
            node: nodeInfoToWire(event.node),
            cause: event.cause,
            atMs: event.atMs,
          },
        }),
      );
      const unsubscribeActors = actors.onEvent((event) => stream.write({ actor: actorEventToWire(event) }));
      const wantsTelemetry = stream.request.telemetry === true;
      const unsubscribeTelemetry = nodes.onTelemetry(
        (node, telemetry) =>
          wantsTelemetry &&
          stream.write({
            telemetry: {
              nodeId: node.nodeId,
              telemetry: telemetryToWire(telemetry),
              unschedulableGpus: unschedulableToWire(resources.unschedulableGpus(node.nodeId)),
              atMs: Date.now(),
            },
          }),
      );
      track(stream, () => {
        unsubscribeNodes();
        unsubscribeActors();
        unsubscribeTelemetry();
      });
      stream.on("error", () => {});
    },

    DriverSession: (
      stream: grpc.ServerWritableStream<wire.DriverSessionRequest, wire.DriverSessionEvent>,
    ) => {
      const sessionId = stream.request.sessionId;
      if (sessionId === "") {
        stream.destroy(toServiceError(new ClusterError("INVALID_ARGUMENT", "session id is empty")));
        return;
      }
      track(stream, sessions.open(sessionId));
      stream.on("error", () => {});
      stream.write({ opened: true });
    },

    CreatePlacementGroup: unaryHandler(async (request: wire.CreatePlacementGroupRequest) =>
      groupInfoToWire(await groups.create(groupSpecFromWire(request), request.wait)),
    ),

    RemovePlacementGroup: unaryHandler((request: wire.PlacementGroupRequest) =>
      groupInfoToWire(groups.remove(request.placementGroupId)),
    ),

    GetPlacementGroup: unaryHandler((request: wire.PlacementGroupRequest) =>
      groupInfoToWire(groups.get(request.placementGroupId)),
    ),

    ListPlacementGroups: unaryHandler(() => ({ placementGroups: groups.list().map(groupInfoToWire) })),

    ListNodes: unaryHandler(() => ({ nodes: nodes.list().map(nodeInfoToWire) })),

    RevokeNode: unaryHandler((request: wire.RevokeNodeRequest) => {
      const wasAlive = nodes.revoke(request.nodeId);
      log(`node ${request.nodeId} revoked${wasAlive ? ": it was alive, and is DEAD now" : ""}`);
      return { wasAlive };
    }),

    SetNodeQuarantine: unaryHandler((request: wire.SetNodeQuarantineRequest) => {
      const now = quarantine.set(request.nodeId, request.reason);
      log(`node ${request.nodeId} ${now ? `quarantined: ${now.reason}` : "not quarantined (restored)"}`);
      return { quarantined: now !== undefined, sinceMs: now?.sinceMs ?? 0, reason: now?.reason ?? "" };
    }),
  };

  function nodeInfoToWire(node: NodeEntry): wire.NodeInfo {
    return {
      nodeId: node.nodeId,
      address: node.address,
      state: node.state,
      total: nodeResourcesToWire(node.total),
      available: nodeResourcesToWire(nodes.available(node)),
      labels: { ...node.labels },
      lastHeartbeatMs: node.lastHeartbeatMs,
      telemetry: telemetryToWire(node.telemetry),
      unschedulableGpus: unschedulableToWire(resources.unschedulableGpus(node.nodeId)),
      quarantineReason: quarantine.get(node.nodeId)?.reason ?? "",
      quarantinedAtMs: quarantine.get(node.nodeId)?.sinceMs ?? 0,
    };
  }

  return {
    implementation,
    endStreams() {
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

function actorEventToWire(event: ActorEvent): wire.ActorEvent {
  return {
    actor: actorInfoToWire(event.actor),
    fromState: event.from ?? "ACTOR_STATE_UNSPECIFIED",
    cause: event.cause,
    atMs: event.atMs,
  };
}
