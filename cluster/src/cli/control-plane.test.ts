/**
 * The control plane with real processes on loopback: a head and two workers, driven through the
 * public ClusterClient. Actor restarts after a worker is killed with SIGKILL, KillActor,
 * lifecycle events, owned actors, placement groups. Every process this file starts is stopped
 * by its PID in `after`, actor processes included.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { type ActorEvent, type ActorHandle, ClusterClient } from "../index.js";
import { isAlive, killQuietly, waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "control-plane-test";
const WORKER_ARGS = ["--cpus", "4", "--memory-mb", "4096", "--kill-grace-ms", "2000"];

function echo(name: string, extra: Partial<ActorSpec> = {}): ActorSpec {
  const resources = { cpus: 1, memoryMb: 64, gpus: 0, custom: {} };
  return { name, namespace: NAMESPACE, className: "echo", initArgs: {}, resources, ...extra };
}

describe("the control plane, with real processes", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;

  async function create(spec: ActorSpec): Promise<ActorHandle> {
    const handle = await client.getOrCreateActor(spec, { timeoutMs: 60_000 });
    cluster.trackActor(handle.info.pid);
    return handle;
  }

  before(async () => {
    cluster = await startTestCluster({
      headArgs: ["--heartbeat-timeout-ms", "1500", "--heartbeat-interval-ms", "250"],
      workers: { w1: WORKER_ARGS, w2: WORKER_ARGS },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 30_000 });
  });

  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it("kills an actor through the head for good, and publishes each transition with its cause", async () => {
    const events: ActorEvent[] = [];
    let watching = false;
    const stop = new AbortController();
    const watch = (async () => {
      for await (const event of client.watchActors({ namespace: NAMESPACE, signal: stop.signal })) {
        if (event.actor.name === "doomed") events.push(event);
        if (event.actor.name === "watch-probe") watching = true;
      }
    })();
    // The watch is open once it sees the probe: an actor no node can host (no process), killed.
    const probe = echo("watch-probe", { resources: { cpus: 0, memoryMb: 0, gpus: 0, custom: { none: 1 } } });
    await waitFor("the watch to be open", async () => {
      await client.getOrCreateActor(probe, { timeoutMs: 50 }).catch(() => {});
      await client.killActor(NAMESPACE, "watch-probe").catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
      return watching ? true : undefined;
    });
    const handle = await create(echo("doomed", { maxRestarts: 5 }));
    const killed = await client.killActor(NAMESPACE, "doomed");
    assert.equal(killed.state, "DEAD");
    assert.equal(killed.deathCause, "killed");
    await waitFor("the actor process to exit", () => (isAlive(handle.info.pid) ? undefined : true), 20_000);
    assert.equal((await client.getActor(NAMESPACE, "doomed")).info.state, "DEAD");
    await waitFor("three events", () => (events.length >= 3 ? true : undefined));
    stop.abort();
    await watch;
    assert.deepEqual(
      events.map((e) => `${e.from ?? "-"}>${e.actor.state}: ${e.cause}`),
      [
        "->PENDING_CREATION: created",
        `PENDING_CREATION>ALIVE: started on node ${handle.info.nodeId}`,
        "ALIVE>DEAD: killed",
      ],
    );
  });

  it("kills the actors a driver session owns when the driver closes", async () => {
    const driver = new ClusterClient({ headAddress: cluster.headAddress });
    const owner = await driver.openSession();
    const owned = await driver.getOrCreateActor(echo("owned", { owner, lifetime: "owned" }));
    cluster.trackActor(owned.info.pid);
    const detached = await create(echo("detached", { lifetime: "detached" }));
    driver.close();
    const dead = await waitFor("the owned actor to die", async () => {
      const info = (await client.getActor(NAMESPACE, "owned")).info;
      return info.state === "DEAD" ? info : undefined;
    });
    assert.equal(dead.deathCause, `owner ${owner} exited`);
    assert.equal((await client.getActor(NAMESPACE, "detached")).info.state, "ALIVE");
    assert.equal(detached.info.state, "ALIVE");
  });

  it("reserves a placement group, places an actor in a bundle, and kills it when the group is removed", async () => {
    const pg = await client.createPlacementGroup(
      {
        name: "pair",
        namespace: NAMESPACE,
        strategy: "STRICT_SPREAD",
        bundles: [
          { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
          { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
        ],
      },
      { timeoutMs: 30_000 },
    );
    assert.equal(pg.state, "CREATED");
    assert.equal(new Set(pg.bundles.map((b) => b.nodeId)).size, 2);
    const handle = await create(
      echo("in-bundle", {
        schedulingStrategy: {
          kind: "PLACEMENT_GROUP",
          placementGroupId: pg.placementGroupId,
          bundleIndex: 1,
        },
      }),
    );
    assert.equal(handle.info.nodeId, pg.bundles[1]?.nodeId);
    assert.equal((await client.listPlacementGroups()).length, 1);
    const removed = await client.removePlacementGroup(pg.placementGroupId);
    assert.equal(removed.state, "REMOVED");
    const info = (await client.getActor(NAMESPACE, "in-bundle")).info;
    assert.equal(info.state, "DEAD");
    assert.match(info.deathCause, /removed/);
  });

  it("restarts the actor of a worker killed with SIGKILL on the other worker: same name, new address", async () => {
    const first = await create(echo("phoenix", { maxRestarts: 1 }));
    assert.equal((await first.call<{ args: unknown }>("echo", 1)).args, 1);
    const doomed = cluster.workers.get(first.info.nodeId);
    assert.ok(doomed);
    killQuietly(doomed.pid, "SIGKILL");
    await doomed.exited;
    const moved = await waitFor(
      "the actor to be ALIVE on the other worker",
      async () => {
        const info = (await client.getActor(NAMESPACE, "phoenix")).info;
        return info.state === "ALIVE" && info.nodeId !== first.info.nodeId ? info : undefined;
      },
      60_000,
    );
    cluster.trackActor(moved.pid);
    assert.equal(moved.actorId, first.info.actorId);
    assert.equal(moved.numRestarts, 1);
    assert.notEqual(moved.address, first.info.address);
    const again = await client.getActor(NAMESPACE, "phoenix");
    assert.equal(again.info.address, moved.address);
    assert.equal((await again.call<{ args: unknown }>("echo", 2)).args, 2);
  });
});
