import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActorSpec, NodeResources, ResourceRequest } from "@neurogrid/schema";
import { recover } from "./recovery.js";
import { MemoryStorage } from "./storage.js";
import { testHead, tick } from "./test-head.js";

const NODE: NodeResources = {
  cpus: 4,
  memoryMb: 4096,
  gpus: [0, 1].map((index) => ({ index, uuid: `g${index}`, name: "GPU", memoryMb: 8000 })),
  custom: {},
};

/** One head's managers on `storage`; `clock` drives heartbeats. */
function head(storage: MemoryStorage, clock: { now: number }) {
  const h = testHead({ storage, clock });
  return { ...h, join: (nodeId: string) => h.join(nodeId, NODE) };
}

function spec(name: string, resources: Partial<ResourceRequest>, extra: Partial<ActorSpec> = {}): ActorSpec {
  return {
    name,
    namespace: "r",
    className: "echo",
    initArgs: { name },
    resources: { cpus: 0, memoryMb: 0, gpus: 0, custom: {}, ...resources },
    ...extra,
  };
}

describe("head recovery from stored tables", () => {
  it("books exactly what the old head had booked, keeps returning nodes' actors, and creates new ones", async () => {
    const storage = new MemoryStorage();
    const clock = { now: 1 };
    const before = head(storage, clock);
    before.join("n1");
    const a = await before.actors.getOrCreate(spec("a", { cpus: 2, gpus: 0.5, vramMb: 6000 }));
    const pg = await before.groups.create(
      {
        name: "g",
        namespace: "r",
        strategy: "PACK",
        bundles: [{ cpus: 1, memoryMb: 0, gpus: 1, custom: {} }],
      },
      true,
    );
    const inPg = await before.actors.getOrCreate(
      spec(
        "b",
        { cpus: 1 },
        {
          schedulingStrategy: {
            kind: "PLACEMENT_GROUP",
            placementGroupId: pg.placementGroupId,
            bundleIndex: 0,
          },
        },
      ),
    );

    // The old head is gone (nothing of it is used again); a new one loads the tables.
    clock.now = 2;
    const after = head(storage, clock);
    assert.deepEqual(await recover(storage, after), { nodes: 1, actors: 2, groups: 1 });
    assert.deepEqual(after.actors.get("r", "a"), a);
    assert.deepEqual(after.actors.get("r", "b"), inPg);
    assert.equal(after.groups.get(pg.placementGroupId).state, "CREATED");
    const n1 = () => after.nodes.get("n1") ?? assert.fail("n1");
    assert.equal(after.nodes.available(n1()).cpus, 1, "4 - 2 (a) - 1 (bundle)");
    assert.deepEqual(
      after.nodes.available(n1()).gpus.map((g) => [g.index, g.memoryMb]),
      [[0, 2000]],
      "GPU 0 has a's 6,000 MiB taken; GPU 1 is the bundle's",
    );

    // The worker registers again: it keeps everything; nothing is booked twice.
    after.join("n1");
    assert.equal(after.nodes.available(n1()).cpus, 1);
    const c = await after.actors.getOrCreate(spec("c", { cpus: 1, gpus: 0.25, vramMb: 2000 }));
    assert.deepEqual(c.gpuIds, [0]);
    const d = after.actors.getOrCreate(spec("d", { cpus: 1 }));
    assert.equal(after.actors.get("r", "d").state, "PENDING_CREATION", "n1 is full: no double booking");
    after.actors.kill("r", "c");
    assert.equal((await d).state, "ALIVE");
  });

  it("restarts (or buries) the actors of a node that does not come back after the restart", async () => {
    const storage = new MemoryStorage();
    const clock = { now: 1 };
    const before = head(storage, clock);
    before.join("n1");
    before.join("n2");
    await before.actors.getOrCreate(spec("keep", { cpus: 4 }, { maxRestarts: 1 }));
    await before.actors.getOrCreate(spec("lose", { cpus: 4 }));
    const keepNode = before.actors.get("r", "keep").nodeId;
    const otherNode = keepNode === "n1" ? "n2" : "n1";

    const after = head(storage, clock);
    await recover(storage, after);
    clock.now += 5000; // only the node of "lose" registers again
    after.join(otherNode);
    after.nodes.checkHeartbeats();
    await tick();
    assert.equal(after.nodes.get(keepNode)?.state, "DEAD");
    assert.equal(after.actors.get("r", "keep").state, "RESTARTING");
    assert.match(after.actors.get("r", "keep").pendingReason ?? "", /no node has room now/);
    after.actors.kill("r", "lose");
    await tick();
    assert.equal(after.actors.get("r", "keep").state, "ALIVE");
    assert.equal(after.actors.get("r", "keep").nodeId, otherNode);
  });
});
