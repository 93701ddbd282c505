/**
 * The Head gRPC service: decodes wire messages, calls the node and actor managers, encodes the
 * replies. Errors reach callers as gRPC status through the edge converter (grpc/status.ts).
 */
import type * as grpc from "@grpc/grpc-js";
import { infoToWire, nodeResourcesFromWire, nodeResourcesToWire, specFromWire } from "../grpc/convert.js";
import type { HeadImplementation } from "../grpc/proto.js";
import { unaryHandler } from "../grpc/server.js";
import type * as wire from "../grpc/wire.js";
import type { ActorManager } from "./actor-manager.js";
import type { NodeManager } from "./node-manager.js";

export interface HeadServiceDeps {
  nodes: NodeManager;
  actors: ActorManager;
  heartbeatIntervalMs: number;
  log: (message: string) => void;
}

export interface HeadService {
  implementation: HeadImplementation;
  /** Ends the open heartbeat streams (when the head stops) so the server can drain at once. */
  endHeartbeats(): void;
}

type HeartbeatStream = grpc.ServerDuplexStream<wire.HeartbeatRequest, wire.HeartbeatReply>;

export function headService({ nodes, actors, heartbeatIntervalMs, log }: HeadServiceDeps): HeadService {
  const heartbeats = new Set<HeartbeatStream>();
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

    Heartbeat: (stream: HeartbeatStream) => {
      heartbeats.add(stream);
      const forget = () => heartbeats.delete(stream);
      for (const event of ["close", "cancelled", "error", "finish"]) stream.once(event, forget);
      stream.on("data", (request: wire.HeartbeatRequest) => {
        const known = nodes.heartbeat(request.nodeId);
        stream.write({ receivedAtMs: Date.now(), reregister: !known });
      });
      stream.on("end", () => stream.end());
      // A broken stream is not a death: the node is DEAD only once its heartbeats stop for long enough.
      stream.on("error", () => {});
    },

    GetOrCreateActor: unaryHandler(async (request: wire.GetOrCreateActorRequest) =>
      infoToWire(await actors.getOrCreate(specFromWire(request.spec))),
    ),

    GetActor: unaryHandler((request: wire.GetActorRequest) =>
      infoToWire(actors.get(request.namespace, request.name)),
    ),

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
    endHeartbeats() {
      for (const stream of heartbeats) stream.end();
      heartbeats.clear();
    },
  };
}
