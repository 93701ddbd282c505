/**
 * The driver API (Ray's driver side): ask the head for named actors, then call them directly.
 * One client per head; it keeps one long-lived channel to the head and one per actor address
 * (shared by every handle on that address), so concurrent calls multiplex over HTTP/2.
 * Every failure is a ClusterError (UNAVAILABLE when a process cannot be reached, and so on).
 */
import type { ActorSpec } from "@neurogrid/schema";
import { NodeState } from "@neurogrid/schema";
import { unaryCall } from "../grpc/call.js";
import { ClientPool, QUICK_RECONNECT } from "../grpc/client-pool.js";
import { infoFromWire, nodeResourcesFromWire, specToWire } from "../grpc/convert.js";
import { clusterServices } from "../grpc/proto.js";
import type * as wire from "../grpc/wire.js";
import { GrpcActorHandle } from "./actor-handle.js";
import type { ActorHandle, ClusterClientOptions, GetOrCreateOptions, NodeInfo } from "./types.js";

const HEAD_CALL_TIMEOUT_MS = 10_000;
const GET_OR_CREATE_TIMEOUT_MS = 120_000;

export class ClusterClient {
  readonly #headAddress: string;
  readonly #callTimeoutMs: number | undefined;
  readonly #headPool = new ClientPool(QUICK_RECONNECT);
  readonly #actorPool = new ClientPool();
  readonly #head = clusterServices().head;

  constructor(opts: ClusterClientOptions) {
    this.#headAddress = opts.headAddress;
    this.#callTimeoutMs = opts.callTimeoutMs;
  }

  /** The live actor of that name, created (placed and started) first if there is none. */
  async getOrCreateActor(spec: ActorSpec, opts: GetOrCreateOptions = {}): Promise<ActorHandle> {
    const info = await unaryCall(
      this.#headClient(),
      this.#head.GetOrCreateActor,
      { spec: specToWire(spec) },
      { timeoutMs: opts.timeoutMs ?? GET_OR_CREATE_TIMEOUT_MS },
    );
    return this.#handle(info);
  }

  /** The actor of that name (possibly DEAD: see info.state); NOT_FOUND if there never was one. */
  async getActor(namespace: string, name: string): Promise<ActorHandle> {
    const info = await unaryCall(
      this.#headClient(),
      this.#head.GetActor,
      { namespace, name },
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return this.#handle(info);
  }

  async listNodes(): Promise<NodeInfo[]> {
    const reply = await unaryCall(
      this.#headClient(),
      this.#head.ListNodes,
      {},
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return reply.nodes.map((node) => ({
      nodeId: node.nodeId,
      address: node.address,
      state: node.state === NodeState.ALIVE ? NodeState.ALIVE : NodeState.DEAD,
      total: nodeResourcesFromWire(node.total),
      available: nodeResourcesFromWire(node.available),
      labels: { ...node.labels },
      lastHeartbeatMs: node.lastHeartbeatMs,
    }));
  }

  /** Closes every channel; handles made by this client stop working. */
  close(): void {
    this.#headPool.closeAll();
    this.#actorPool.closeAll();
  }

  #headClient() {
    return this.#headPool.get(this.#headAddress);
  }

  #handle(info: wire.ActorInfo): ActorHandle {
    return new GrpcActorHandle(infoFromWire(info), this.#actorPool, this.#callTimeoutMs);
  }
}
