/**
 * A head with Redis storage killed with SIGKILL and started again on the same port and Redis:
 * the worker registers again, the actor created before still answers (its process never
 * stopped), new actors can be created, and nothing is booked twice.
 *
 * And a head down for seconds, not a blink: started again 3.5 s after the kill. Meanwhile its
 * workers have backed off between registrations (up to 2.4 s apart, worker/backoff.ts), longer
 * than that head's 1 s heartbeat timeout; the restarted head gives the nodes it restored the
 * restore grace on top (config-head.ts), so each worker registers again in time and its actor is
 * adopted: still ALIVE in the same process, not restarted. (Found by the fault run: a head killed
 * while the machine was busy adopted none of its live actors.)
 *
 * Real processes on loopback; every process this file starts is stopped by its PID, and the
 * Redis keys it wrote are deleted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { waitFor } from "./testing/processes.js";
import { restartableCluster } from "./testing/restartable-cluster.js";

// A death timeout longer than a head restart takes on a loaded machine: the survivor's lease (the
// timeout less one interval) must outlive the restart, or it is fenced before its worker is back.
const HEARTBEAT_TIMEOUT_MS = 6_000;
const HEAD_ARGS = ["--heartbeat-timeout-ms", String(HEARTBEAT_TIMEOUT_MS), "--heartbeat-interval-ms", "250"];
const OUTAGE_MS = 3_500;

function echo(name: string, namespace = "restart", maxRestarts = 0): ActorSpec {
  const resources = { cpus: 1, memoryMb: 64, gpus: 0, custom: {} };
  return { name, namespace, className: "echo", initArgs: {}, resources, maxRestarts };
}

describe("a head restarted on its Redis tables", { timeout: 120_000 }, () => {
  const suite = restartableCluster("head-restart", {
    headArgs: HEAD_ARGS,
    workers: { w1: ["--cpus", "2", "--memory-mb", "1024"] },
  });

  it("keeps its actors answering, books nothing twice, and creates new ones", async () => {
    const { cluster, client } = suite;
    const first = await client.getOrCreateActor(echo("survivor"), { timeoutMs: 60_000 });
    cluster.trackActor(first.info.pid);
    assert.equal((await first.call<{ args: unknown }>("echo", "before")).args, "before");

    const head = await suite.restartHead();
    await waitFor("the head to log its recovery", () =>
      /recovered 1 nodes, 1 actors/.test(head.output()) ? true : undefined,
    );

    const again = await client.getActor("restart", "survivor");
    assert.equal(again.info.state, "ALIVE");
    assert.equal(again.info.actorId, first.info.actorId);
    assert.equal(again.info.address, first.info.address);
    assert.equal((await again.call<{ args: unknown }>("echo", "after")).args, "after");

    // Past the heartbeat timeout the node is still ALIVE: the worker registered again.
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_TIMEOUT_MS + 1_000));
    const node = (await client.listNodes()).find((n) => n.nodeId === "w1");
    assert.equal(node?.state, "ALIVE");
    assert.equal(node?.available.cpus, 1, "the survivor's CPU is still booked, once");

    const second = await client.getOrCreateActor(echo("newcomer"), { timeoutMs: 60_000 });
    cluster.trackActor(second.info.pid);
    assert.equal(second.info.state, "ALIVE");
    assert.equal((await second.call<{ args: unknown }>("echo", 1)).args, 1);
    await assert.rejects(client.getOrCreateActor(echo("one-too-many"), { timeoutMs: 1_000 }), {
      code: "DEADLINE_EXCEEDED",
    });
    const waiting = await client.getActor("restart", "one-too-many");
    assert.equal(waiting.info.state, "PENDING_CREATION");
    assert.match(waiting.info.pendingReason ?? "", /w1: cpus 0 free < 1/);
  });
});

describe("a head restarted after an outage longer than its heartbeat timeout", { timeout: 120_000 }, () => {
  const worker = ["--cpus", "1", "--memory-mb", "1024"];
  const suite = restartableCluster("head-outage", {
    headArgs: ["--heartbeat-timeout-ms", "1000", "--heartbeat-interval-ms", "250"],
    workers: { w1: worker, w2: worker },
  });

  it("adopts every live actor once the workers register again", async () => {
    const { cluster, client } = suite;
    const actors = await Promise.all(
      ["a", "b"].map((name) => client.getOrCreateActor(echo(name, "outage", -1), { timeoutMs: 60_000 })),
    );
    for (const actor of actors) cluster.trackActor(actor.info.pid);
    assert.deepEqual(actors.map((a) => a.info.nodeId).sort(), ["w1", "w2"], "one actor per node");

    const head = await suite.restartHead(OUTAGE_MS);
    await waitFor(
      "both workers to register with the restarted head",
      () => (["w1", "w2"].every((id) => head.output().includes(`node ${id} registered`)) ? true : undefined),
      30_000,
    );
    for (const before of actors) {
      const now = await client.getActor("outage", before.info.name);
      assert.equal(now.info.state, "ALIVE", `${before.info.name}: ${now.info.deathCause}`);
      assert.equal(now.info.pid, before.info.pid, `${before.info.name} is the same process, not a restart`);
      assert.equal(now.info.nodeId, before.info.nodeId);
      assert.equal((await now.call<{ args: unknown }>("echo", "after")).args, "after");
    }
    assert.doesNotMatch(head.output(), /DEAD/, "no node or actor was declared dead");
  });
});
