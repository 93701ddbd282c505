/**
 * Test support: a handle on an actor host started in this process (startActorHost on loopback),
 * for tests that give the host their own classes, log or call metrics. No head: the handle does
 * not retry, and a lookup answers that the actor is gone.
 */
import { type ActorInfo, ActorState, actorId, nodeId } from "@neurogrid/schema";
import type { ActorChannels } from "../client/actor-channels.js";
import { GrpcActorHandle } from "../client/actor-handle.js";
import type { ActorHost } from "./actor-host.js";

export function localHostHandle(
  channels: ActorChannels,
  host: ActorHost,
  actor: { actorId: string; name: string; className: string },
): GrpcActorHandle {
  const info: ActorInfo = {
    ...actor,
    actorId: actorId(actor.actorId),
    namespace: "test",
    state: ActorState.ALIVE,
    nodeId: nodeId("local"),
    address: `127.0.0.1:${host.port}`,
    gpuIds: [],
    pid: process.pid,
    deathCause: "",
  };
  return new GrpcActorHandle(info, {
    channels,
    defaultTimeoutMs: 30_000,
    maxTaskRetries: 0,
    lookup: async () => ({ ...info, state: ActorState.DEAD, deathCause: "gone" }),
  });
}
