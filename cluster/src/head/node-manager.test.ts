import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NodeResources } from "@neurogrid/schema";
import { toDemand } from "../scheduling/demand.js";
import { NodeManager, type NodeManagerOptions, type Registration } from "./node-manager.js";
import { ResourceTable } from "./resource-table.js";

const RESOURCES: NodeResources = { cpus: 4, memoryMb: 4096, gpus: [], custom: {} };
const CPU1 = { cpus: 1, memoryMb: 0, gpus: 0, custom: {} };

function registration(nodeId: string, nodeToken = ""): Registration {
  return { nodeId, address: `127.0.0.1:1${nodeId.length}`, resources: RESOURCES, labels: {}, nodeToken };
}

function clock(start = 1_000) {
  const c = { now: start, tick: (ms: number) => (c.now += ms) };
  return c;
}

function manager(options: Partial<NodeManagerOptions> = {}) {
  const resources = new ResourceTable();
  const nodes = new NodeManager({ heartbeatTimeoutMs: 1000, resources, ...options });
  const place = (id: string) => {
    const out = resources.place(id, toDemand(CPU1), undefined, undefined);
    assert.ok("placed" in out);
  };
  return { nodes, resources, place };
}

describe("NodeManager", () => {
  it("accepts any node when the head has no token", () => {
    const { nodes } = manager();
    assert.equal(nodes.register(registration("n1", "whatever")).state, "ALIVE");
  });

  it("refuses a bad node token with UNAUTHENTICATED", () => {
    const { nodes } = manager({ nodeToken: "s3cret" });
    assert.throws(() => nodes.register(registration("n1", "wrong")), { code: "UNAUTHENTICATED" });
    assert.throws(() => nodes.register(registration("n1")), { code: "UNAUTHENTICATED" });
    assert.equal(nodes.register(registration("n1", "s3cret")).nodeId, "n1");
  });

  it("marks a silent node DEAD after the heartbeat timeout, tells listeners, and drops its resources", () => {
    const c = clock();
    const { nodes, resources } = manager({ now: () => c.now });
    const dead: string[] = [];
    const joined: string[] = [];
    nodes.onNodeDeath((node) => dead.push(node.nodeId));
    nodes.onNodeJoin((node) => joined.push(node.nodeId));
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
    assert.deepEqual(joined, ["quiet", "chatty"]);
    assert.equal(nodes.get("quiet")?.state, "DEAD");
    assert.equal(resources.hasNode("quiet"), false);
    assert.equal(resources.hasNode("chatty"), true);
  });

  it("asks unknown and dead nodes to register again; a returning node starts fresh", () => {
    const c = clock();
    const { nodes, place } = manager({ now: () => c.now });
    assert.equal(nodes.heartbeat("stranger"), false);
    nodes.register(registration("n1"));
    place("actor-1");
    c.tick(2000);
    nodes.checkHeartbeats();
    assert.equal(nodes.heartbeat("n1"), false);
    const back = nodes.register(registration("n1"));
    assert.equal(back.state, "ALIVE");
    assert.equal(nodes.available(back).cpus, 4);
  });

  it("keeps a live node's allocations when it registers again", () => {
    const { nodes, place } = manager();
    nodes.register(registration("n1"));
    place("actor-1");
    const again = nodes.register(registration("n1"));
    assert.equal(nodes.available(again).cpus, 3);
  });
});
