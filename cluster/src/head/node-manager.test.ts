import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type NodeResources, signNodeToken } from "@neurogrid/schema";
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

  it("gives a node restored after a head restart the restore grace to register again, and no more", () => {
    const c = clock();
    const { nodes } = manager({ now: () => c.now, restoreGraceMs: 3000 });
    const stored = (nodeId: string) => ({
      nodeId,
      address: `127.0.0.1:1${nodeId.length}`,
      total: RESOURCES,
      labels: {},
    });
    nodes.restore(stored("late"));
    nodes.restore(stored("gone"));
    nodes.restore(stored("back"));
    nodes.register(registration("back"));
    c.tick(2500); // past the heartbeat timeout, within timeout + grace
    assert.deepEqual(
      nodes.checkHeartbeats().map((n) => n.nodeId),
      ["back"],
      "a node that registered again has the plain timeout; the restored ones wait",
    );
    const late = nodes.register(registration("late"));
    assert.equal(late.state, "ALIVE");
    c.tick(1600); // 4100 ms after the restart
    nodes.heartbeat("late", late.session);
    assert.deepEqual(
      nodes.checkHeartbeats().map((n) => n.nodeId),
      ["gone"],
    );
    assert.equal(nodes.get("late")?.state, "ALIVE");
  });

  it("marks a silent node DEAD after the heartbeat timeout, tells listeners, and drops its resources", () => {
    const c = clock();
    const { nodes, resources } = manager({ now: () => c.now });
    const dead: string[] = [];
    const joined: string[] = [];
    nodes.onNodeDeath((node) => dead.push(node.nodeId));
    nodes.onNodeJoin((node) => joined.push(node.nodeId));
    nodes.register(registration("quiet"));
    const chatty = nodes.register(registration("chatty"));
    c.tick(800);
    assert.equal(nodes.heartbeat("chatty", chatty.session), true);
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
    assert.equal(nodes.heartbeat("stranger", "any"), false);
    const n1 = nodes.register(registration("n1"));
    place("actor-1");
    c.tick(2000);
    nodes.checkHeartbeats();
    assert.equal(nodes.heartbeat("n1", n1.session), false);
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

  it("with a node token secret, accepts only a token issued for the registering node id", () => {
    const secret = "a-secret-of-sixteen-chars";
    const { nodes } = manager({ nodeTokenSecret: secret });
    assert.equal(nodes.register(registration("a", signNodeToken(secret, "a"))).nodeId, "a");
    assert.throws(() => nodes.register(registration("b", signNodeToken(secret, "a"))), {
      code: "UNAUTHENTICATED",
      message: /issued for another node id/,
    });
    assert.throws(() => nodes.register(registration("b")), { code: "UNAUTHENTICATED" });
    assert.throws(() => nodes.register(registration("b", signNodeToken("another-secret-16+", "b"))), {
      code: "UNAUTHENTICATED",
    });
  });

  it("binds later calls to the registration's session: another node cannot act as this one", () => {
    const c = clock();
    const { nodes } = manager({ now: () => c.now });
    const a = nodes.register(registration("a"));
    const b = nodes.register(registration("b"));
    assert.notEqual(a.session, b.session);
    c.tick(500);
    assert.equal(nodes.heartbeat("a", b.session), false);
    assert.equal(nodes.heartbeat("a", ""), false);
    assert.equal(nodes.get("a")?.lastHeartbeatMs, 1_000);
    assert.equal(nodes.authorize("a", a.session).nodeId, "a");
    assert.throws(() => nodes.authorize("a", b.session), { code: "UNAUTHENTICATED" });
    // A new registration replaces the session: the old one is not accepted any more.
    const again = nodes.register(registration("a"));
    assert.throws(() => nodes.authorize("a", a.session), { code: "UNAUTHENTICATED" });
    assert.equal(nodes.heartbeat("a", again.session), true);
  });

  it("with TLS, the certificate must name the node id", () => {
    const { nodes } = manager();
    assert.throws(() => nodes.register({ ...registration("a"), peerNames: ["b", "127.0.0.1"] }), {
      code: "UNAUTHENTICATED",
      message: /certificate/,
    });
    const a = nodes.register({ ...registration("a"), peerNames: ["a"] });
    assert.throws(() => nodes.authorize("a", a.session, ["b"]), { code: "UNAUTHENTICATED" });
    assert.equal(nodes.authorize("a", a.session, ["a"]).nodeId, "a");
  });

  it("publishes node events: registered, registered again while alive, dead", () => {
    const c = clock();
    const { nodes } = manager({ now: () => c.now });
    const events: string[] = [];
    const unsubscribe = nodes.onEvent((e) =>
      events.push(`${e.type} ${e.node.nodeId} ${e.node.state}: ${e.cause}`),
    );
    nodes.register(registration("n1"));
    nodes.register(registration("n1"));
    c.tick(2000);
    nodes.checkHeartbeats();
    nodes.register(registration("n1"));
    unsubscribe();
    nodes.register(registration("n2"));
    assert.deepEqual(events, [
      "REGISTERED n1 ALIVE: registered from 127.0.0.1:12",
      "REREGISTERED n1 ALIVE: registered from 127.0.0.1:12",
      "DEAD n1 DEAD: no heartbeat for 1000 ms",
      "REGISTERED n1 ALIVE: registered from 127.0.0.1:12",
    ]);
  });
});
