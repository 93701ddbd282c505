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
import type { HeadImplementation } from "../grpc/proto.js";
import { unaryHandler } from "../grpc/server.js";
import { toServiceError } from "../grpc/status.js";
import type * as wire from "../grpc/wire.js";
import type { ActorManager } from "./actor-manager.js";
import type { DriverSessions } from "./driver-sessions.js";
import type { NodeManager } from "./node-manager.js";
import type { PlacementGroupManager } from "./placement-group-manager.js";

export interface HeadServiceDeps {
  nodes: NodeManager;
  actors: ActorManager;
  sessions: DriverSessions;
  groups: PlacementGroupManager;
  heartbeatIntervalMs: number;
  log: (message: string) => void;
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
  heartbeatIntervalMs,
  log,
}: HeadServiceDeps): HeadService {
  const streams = new Set<Stream>();
  const track = (stream: Stream, onClose: () => void = () => {}) => {
    streams.add(stream);
    const forget = () => {
      streams.delete(stream);
      onClose();
    };
    for (const event of ["close", "cancelled", "error", "finish"]) stream.once(event, forget);
  };

  const implementation: HeadImplementation = {
    RegisterNode: unaryHandler((request: wire.RegisterNodeRequest) => {
      const node = nodes.register({
        nodeId: request.nodeId,
        address: request.address,
        resources: nodeResourcesFromWire(request.resources),
        labels: request.labels,
        nodeToken: request.nodeToken,
      });
      const gpus = node.total.gpus.length;
      log(`node ${node.nodeId} registered from ${node.address} (cpus=${node.total.cpus}, gpus=${gpus})`);
      return { nodeId: node.nodeId, heartbeatIntervalMs };
    }),

    Heartbeat: (stream: grpc.ServerDuplexStream<wire.HeartbeatRequest, wire.HeartbeatReply>) => {
      track(stream);
      stream.on("data", (request: wire.HeartbeatRequest) => {
        const known = nodes.heartbeat(request.nodeId);
        stream.write({ receivedAtMs: Date.now(), reregister: !known });
      });
      stream.on("end", () => stream.end());
      // A broken stream is not a death: the node is DEAD only once its heartbeats stop for long enough.
      stream.on("error", () => {});
    },

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
      actor: actorInfoToWire(actors.kill(request.namespace, request.name)),
    })),

    WatchActors: (stream: grpc.ServerWritableStream<wire.WatchActorsRequest, wire.ActorEvent>) => {
      const namespace = stream.request.namespace;
      const unsubscribe = actors.onEvent((event) => {
        if (namespace !== "" && event.actor.namespace !== namespace) return;
        stream.write({
          actor: actorInfoToWire(event.actor),
          fromState: event.from ?? "ACTOR_STATE_UNSPECIFIED",
          cause: event.cause,
          atMs: event.atMs,
        });
      });
      track(stream, unsubscribe);
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

    ListNodes: unaryHandler(() => ({
      nodes: nodes.list().map(
        (node): wire.NodeInfo => ({
          nodeId: node.nodeId,
          address: node.address,
          state: node.state,
          total: nodeResourcesToWire(node.total),
          available: nodeResourcesToWire(nodes.available(node)),
          labels: { ...node.labels },
          lastHeartbeatMs: node.lastHeartbeatMs,
        }),
      ),
    })),
  };
  return {
    implementation,
    endStreams() {
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}
