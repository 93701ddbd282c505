import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ActorInfo,
  ActorState,
  actorId as asActorId,
  DEPLOYMENT_DEFAULTS,
  type DeploymentInfo,
  nodeId,
} from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { DeploymentHandle } from "./deployment-handle.js";
import type { ActorHandle, CallOptions } from "./types.js";

function replica(actorId: string, state: ActorState): ActorInfo {
  return {
    actorId: asActorId(actorId),
    name: `m#${actorId}`,
    namespace: "t",
    className: "Model",
    state,
    nodeId: nodeId(`node-${actorId}`),
    address: `127.0.0.1:${actorId === "a" ? 1 : 2}`,
    gpuIds: [],
    pid: 1,
    deathCause: "",
  };
}

function info(replicas: ActorInfo[]): DeploymentInfo {
  return {
    spec: {
      ...DEPLOYMENT_DEFAULTS,
      name: "m",
      namespace: "t",
      replica: { className: "Model" },
    } as DeploymentInfo["spec"],
    replicas,
    targetReplicas: 1,
    ongoingRequests: 0,
  };
}

/**
 * A partitioned replica answers nothing and refuses nothing: only the head can tell its node is
 * gone. Replica "a" hangs until its call's signal aborts; "b" answers.
 */
test("a call in flight on a replica the head stops listing as ALIVE goes to another replica", async () => {
  let listed = info([replica("a", ActorState.ALIVE)]);
  const aborted: string[] = [];
  const handleOn = (r: ActorInfo): ActorHandle => ({
    info: r,
    call: <T>(_m: string, _args: unknown, opts?: CallOptions) =>
      r.actorId === "b"
        ? Promise.resolve("from b" as T)
        : new Promise<T>((_resolve, reject) => {
            // As a real call would: its deadline ends it, if nothing else does first.
            const timer = setTimeout(
              () => reject(new ClusterError("DEADLINE_EXCEEDED", "no answer")),
              opts?.timeoutMs ?? 0,
            );
            opts?.signal?.addEventListener("abort", () => {
              clearTimeout(timer);
              aborted.push(r.actorId);
              reject(new ClusterError("CANCELLED", "call cancelled"));
            });
          }),
    stream: () => {
      throw new Error("not used");
    },
  });
  const handle = new DeploymentHandle(listed, {
    namespace: "t",
    name: "m",
    report: async () => listed,
    apply: async () => listed,
    replica: handleOn,
    reportIntervalMs: 60_000,
    defaultTimeoutMs: 5_000,
  });
  try {
    const routed: string[] = [];
    const answer = handle.call<string>("infer", {}, { onReplica: (r) => void routed.push(r.actorId) });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(routed, ["a"], "the first attempt went to the only replica");
    // The head declared a's node DEAD and restarted the replica as b.
    listed = info([replica("a", ActorState.RESTARTING), replica("b", ActorState.ALIVE)]);
    await handle.refresh();
    assert.equal(await answer, "from b");
    assert.deepEqual(routed, ["a", "b"]);
    assert.deepEqual(aborted, ["a"], "the call on the lost replica was abandoned");
  } finally {
    handle.close();
  }
});

test("a call in flight on an incarnation the head restarted elsewhere (same actor id) goes to the new one", async () => {
  const old = replica("a", ActorState.ALIVE);
  let listed = info([old]);
  const reached: string[] = [];
  const handle = new DeploymentHandle(listed, {
    namespace: "t",
    name: "m",
    report: async () => listed,
    apply: async () => listed,
    replica: (r) => ({
      info: r,
      call: <T>(_m: string, _a: unknown, opts?: CallOptions) =>
        new Promise<T>((resolve, reject) => {
          reached.push(r.address);
          if (r.address !== old.address) return resolve(`from ${r.address}` as T);
          const timer = setTimeout(
            () => reject(new ClusterError("DEADLINE_EXCEEDED", "no answer")),
            opts?.timeoutMs ?? 0,
          );
          opts?.signal?.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(new ClusterError("CANCELLED", "call cancelled"));
          });
        }),
      stream: () => {
        throw new Error("not used");
      },
    }),
    reportIntervalMs: 60_000,
    defaultTimeoutMs: 5_000,
  });
  try {
    const answer = handle.call<string>("infer", {});
    await new Promise((r) => setImmediate(r));
    // Its node died; the head restarted the same actor on another node, already ALIVE there.
    listed = info([{ ...old, address: "127.0.0.1:9", nodeId: nodeId("node-b"), epoch: 2 }]);
    await handle.refresh();
    assert.equal(await answer, "from 127.0.0.1:9");
    assert.deepEqual(reached, [old.address, "127.0.0.1:9"]);
  } finally {
    handle.close();
  }
});

test("a caller's own cancel is not turned into a retry", async () => {
  const listed = info([replica("a", ActorState.ALIVE), replica("b", ActorState.ALIVE)]);
  const calls: string[] = [];
  const handle = new DeploymentHandle(listed, {
    namespace: "t",
    name: "m",
    report: async () => listed,
    apply: async () => listed,
    replica: (r) => ({
      info: r,
      call: <T>(_m: string, _a: unknown, opts?: CallOptions) =>
        new Promise<T>((_resolve, reject) => {
          calls.push(r.actorId);
          opts?.signal?.addEventListener("abort", () => reject(new ClusterError("CANCELLED", "cancelled")));
        }),
      stream: () => {
        throw new Error("not used");
      },
    }),
    reportIntervalMs: 60_000,
    defaultTimeoutMs: 60_000,
  });
  try {
    const cancel = new AbortController();
    const answer = handle.call("infer", {}, { signal: cancel.signal });
    await new Promise((r) => setImmediate(r));
    cancel.abort();
    await assert.rejects(answer, (err: unknown) => err instanceof ClusterError && err.code === "CANCELLED");
    assert.equal(calls.length, 1, "no second replica was tried");
  } finally {
    handle.close();
  }
});
