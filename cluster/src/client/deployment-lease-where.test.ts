import assert from "node:assert/strict";
import { test } from "node:test";
import { type ActorInfo, ActorState, actorId, type DeploymentInfo, nodeId } from "@neurogrid/schema";
import { DeploymentHandle } from "./deployment-handle.js";
import type { ActorHandle } from "./types.js";

const replica = (n: number, node: string): ActorInfo => ({
  actorId: actorId(`a${n}`),
  name: `model#${n}`,
  namespace: "ns",
  className: "model",
  state: ActorState.ALIVE,
  nodeId: nodeId(node),
  address: `127.0.0.1:${1000 + n}`,
  gpuIds: [],
  pid: n,
  deathCause: "",
});

function handleWith(first: ActorInfo[], afterRefresh: ActorInfo[]) {
  const info = (replicas: ActorInfo[]): DeploymentInfo =>
    ({
      spec: { name: "model", namespace: "ns", replica: {} },
      replicas,
      targetReplicas: replicas.length,
      ongoingRequests: 0,
    }) as DeploymentInfo;
  let reports = 0;
  const handle = new DeploymentHandle(info(first), {
    namespace: "ns",
    name: "model",
    report: async () => {
      reports += 1;
      return info(afterRefresh);
    },
    apply: async () => info(afterRefresh),
    replica: () => ({}) as ActorHandle,
    reportIntervalMs: 3_600_000,
    defaultTimeoutMs: undefined,
  });
  return { handle, reports: () => reports };
}

test("leaseWhere leases the least loaded replica it accepts, and none when it accepts none", async () => {
  const { handle, reports } = handleWith(
    [replica(1, "node-a"), replica(2, "node-b"), replica(3, "node-c")],
    [replica(1, "node-a")],
  );
  try {
    const busy = await handle.leaseWhere((r) => r.nodeId !== "node-a");
    assert.ok(busy && busy.replica.nodeId !== "node-a");
    const other = await handle.leaseWhere(async (r) => r.nodeId !== "node-a");
    assert.ok(other);
    assert.notEqual(other.replica.actorId, busy.replica.actorId, "the less loaded of the accepted two");
    assert.equal(reports(), 0, "no refresh while a known replica is accepted");
    assert.equal(await handle.leaseWhere((r) => r.nodeId === "node-z"), undefined);
    assert.equal(reports(), 1, "asked the head once before answering none");
    busy.release();
    other.release();
  } finally {
    handle.close();
  }
});

test("leaseWhere finds a replica the head reports on refresh", async () => {
  const { handle } = handleWith([replica(1, "node-a")], [replica(1, "node-a"), replica(4, "node-d")]);
  try {
    const lease = await handle.leaseWhere((r) => r.nodeId === "node-d");
    assert.equal(lease?.replica.actorId, "a4");
    lease?.release();
  } finally {
    handle.close();
  }
});

test("a lease that admits some replicas picks only those, and waits while it admits none", async () => {
  const replicas = [replica(1, "node-a"), replica(2, "node-b")];
  const { handle, reports } = handleWith(replicas, replicas);
  try {
    for (let i = 0; i < 20; i++) {
      const lease = await handle.lease({ admit: (r) => r.nodeId === "node-b" });
      assert.equal(lease.replica.nodeId, "node-b");
      lease.release();
    }
    let admitted = false;
    const waiting = handle.lease({ timeoutMs: 30_000, admit: (r) => admitted && r.nodeId === "node-a" });
    // The call waits (asking the head again) until its filter lets a replica in.
    while (reports() < 2) await new Promise((r) => setImmediate(r));
    admitted = true;
    const lease = await waiting;
    assert.equal(lease.replica.nodeId, "node-a");
    lease.release();
    await assert.rejects(handle.lease({ timeoutMs: 50, admit: () => false }), /no replica ready/);
  } finally {
    handle.close();
  }
});
