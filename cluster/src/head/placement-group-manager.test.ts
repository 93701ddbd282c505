import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActorSpec, NodeResources, PlacementGroupSpec } from "@neurogrid/schema";
import { testHead, tick } from "./test-head.js";

const NODE: NodeResources = { cpus: 4, memoryMb: 4096, gpus: [], custom: {} };

function setup() {
  const h = testHead();
  return { ...h, join: (nodeId: string) => h.join(nodeId, NODE) };
}

function group(strategy: PlacementGroupSpec["strategy"], n = 2, cpus = 2): PlacementGroupSpec {
  return {
    name: "",
    namespace: "t",
    strategy,
    bundles: Array.from({ length: n }, () => ({ cpus, memoryMb: 0, gpus: 0, custom: {} })),
  };
}

function inBundle(name: string, placementGroupId: string, bundleIndex = -1, cpus = 1): ActorSpec {
  return {
    name,
    namespace: "t",
    className: "echo",
    initArgs: {},
    resources: { cpus, memoryMb: 0, gpus: 0, custom: {} },
    schedulingStrategy: { kind: "PLACEMENT_GROUP", placementGroupId, bundleIndex },
  };
}

describe("PlacementGroupManager", () => {
  it("keeps a group that does not fit PENDING with its reason, and creates it when nodes join", async () => {
    const { groups, join } = setup();
    join("n1");
    const info = await groups.create(group("STRICT_SPREAD"), false);
    assert.equal(info.state, "PENDING");
    assert.match(info.pendingReason, /bundle 1/);
    const waiting = groups.create({ ...group("STRICT_SPREAD") }, true);
    join("n2");
    join("n3");
    await tick();
    assert.equal(groups.get(info.placementGroupId).state, "CREATED");
    assert.equal((await waiting).state, "CREATED");
    const nodesUsed = groups.get(info.placementGroupId).bundles.map((b) => b.nodeId);
    assert.equal(new Set(nodesUsed).size, 2);
  });

  it("returns a named group again instead of creating another", async () => {
    const { groups, join } = setup();
    join("n1");
    const a = await groups.create({ ...group("PACK"), name: "g" }, true);
    const b = await groups.create({ ...group("PACK"), name: "g" }, true);
    assert.equal(a.placementGroupId, b.placementGroupId);
    assert.equal(groups.list().length, 1);
  });

  it("places actors into its bundles, and only within them", async () => {
    const { groups, actors, join, nodes } = setup();
    join("n1");
    join("n2");
    const pg = await groups.create(group("STRICT_SPREAD", 2, 2), true);
    const a = await actors.getOrCreate(inBundle("a", pg.placementGroupId, 1, 2));
    assert.equal(a.nodeId, pg.bundles[1]?.nodeId);
    const b = actors.getOrCreate(inBundle("b", pg.placementGroupId, 1, 1));
    assert.equal(actors.get("t", "b").state, "PENDING_CREATION", "bundle 1 is full, though its node is not");
    assert.match(actors.get("t", "b").pendingReason ?? "", /bundle 1: cpus 0 free < 1/);
    const n = nodes.get(a.nodeId);
    assert.ok(n);
    assert.equal(nodes.available(n).cpus, 2, "the node's other CPUs stay free for others");
    actors.kill("t", "a");
    assert.equal((await b).state, "ALIVE");
  });

  it("frees its bundles when removed, and kills the actors placed in them", async () => {
    const { groups, actors, join, nodes } = setup();
    join("n1");
    const pg = await groups.create(group("STRICT_PACK", 2, 2), true);
    await actors.getOrCreate(inBundle("x", pg.placementGroupId));
    assert.equal(nodes.available(nodes.get("n1") ?? assert.fail()).cpus, 0);
    const removed = groups.remove(pg.placementGroupId);
    assert.equal(removed.state, "REMOVED");
    assert.equal(actors.get("t", "x").state, "DEAD");
    assert.match(actors.get("t", "x").deathCause, /placement group pg1 removed/);
    assert.equal(nodes.available(nodes.get("n1") ?? assert.fail()).cpus, 4);
    assert.throws(() => groups.get("nope"), { code: "NOT_FOUND" });
  });

  it("reschedules the bundles lost with a dead node, and the actors in them restart there", async () => {
    const { groups, actors, join, killNode } = setup();
    join("n1");
    join("n2");
    const pg = await groups.create(group("STRICT_SPREAD", 2, 2), true);
    const lostNode = pg.bundles[0]?.nodeId ?? "";
    const keptNode = pg.bundles[1]?.nodeId ?? "";
    await actors.getOrCreate({ ...inBundle("r", pg.placementGroupId, 0), maxRestarts: 1 });
    killNode(lostNode);
    assert.equal(groups.get(pg.placementGroupId).state, "RESCHEDULING", "STRICT_SPREAD: no other free node");
    assert.equal(actors.get("t", "r").state, "RESTARTING");
    join("n3");
    await tick();
    await tick();
    const again = groups.get(pg.placementGroupId);
    assert.equal(again.state, "CREATED");
    assert.equal(again.bundles[0]?.nodeId, "n3");
    assert.equal(again.bundles[1]?.nodeId, keptNode);
    assert.equal(actors.get("t", "r").state, "ALIVE");
    assert.equal(actors.get("t", "r").nodeId, "n3");
  });
});
