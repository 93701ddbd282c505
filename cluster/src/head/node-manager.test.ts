import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NodeResources } from "@neurogrid/schema";
import { NodeManager, type Registration } from "./node-manager.js";

const RESOURCES: NodeResources = { cpus: 4, memoryMb: 4096, gpus: [], custom: {} };

function registration(nodeId: string, nodeToken = ""): Registration {
  return { nodeId, address: `127.0.0.1:1${nodeId.length}`, resources: RESOURCES, labels: {}, nodeToken };
}

function clock(start = 1_000) {
  const c = { now: start, tick: (ms: number) => (c.now += ms) };
  return c;
}

describe("NodeManager", () => {
  it("accepts any node when the head has no token", () => {
    const nodes = new NodeManager({ heartbeatTimeoutMs: 1000 });
    assert.equal(nodes.register(registration("n1", "whatever")).state, "ALIVE");
  });

  it("refuses a bad node token with UNAUTHENTICATED", () => {
    const nodes = new NodeManager({ nodeToken: "s3cret", heartbeatTimeoutMs: 1000 });
    assert.throws(() => nodes.register(registration("n1", "wrong")), { code: "UNAUTHENTICATED" });
    assert.throws(() => nodes.register(registration("n1")), { code: "UNAUTHENTICATED" });
    assert.equal(nodes.register(registration("n1", "s3cret")).nodeId, "n1");
  });

  it("marks a silent node DEAD after the heartbeat timeout, and tells listeners", () => {
    const c = clock();
    const nodes = new NodeManager({ heartbeatTimeoutMs: 1000, now: () => c.now });
    const dead: string[] = [];
    nodes.onNodeDeath((node) => dead.push(node.nodeId));
    nodes.register(registration("quiet"));
    nodes.register(registration("chatty"));
    c.tick(800);
    assert.equal(nodes.heartbeat("chatty"), true);
    c.tick(800);
    assert.deepEqual(
      nodes.checkHeartbeats().map((n) => n.nodeId),
      ["quiet"],
    );
    assert.deepEqual(dead, ["quiet"]);
    assert.equal(nodes.get("quiet")?.state, "DEAD");
    assert.deepEqual(
      nodes.schedulable().map((n) => n.nodeId),
      ["chatty"],
    );
  });

  it("asks unknown and dead nodes to register again; a returning node starts fresh", () => {
    const c = clock();
    const nodes = new NodeManager({ heartbeatTimeoutMs: 1000, now: () => c.now });
    assert.equal(nodes.heartbeat("stranger"), false);
    nodes.register(registration("n1"));
    nodes.reserve("n1", "actor-1", { cpus: 1, memoryMb: 0, gpuIds: [], custom: {} });
    c.tick(2000);
    nodes.checkHeartbeats();
    assert.equal(nodes.heartbeat("n1"), false);
    const back = nodes.register(registration("n1"));
    assert.equal(back.state, "ALIVE");
    assert.equal(nodes.available(back).cpus, 4);
  });

  it("keeps a live node's reservations when it registers again", () => {
    const nodes = new NodeManager({ heartbeatTimeoutMs: 1000 });
    nodes.register(registration("n1"));
    nodes.reserve("n1", "actor-1", { cpus: 1, memoryMb: 0, gpuIds: [], custom: {} });
    const again = nodes.register(registration("n1"));
    assert.equal(nodes.available(again).cpus, 3);
  });
});
