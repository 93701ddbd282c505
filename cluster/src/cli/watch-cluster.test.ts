/**
 * The cluster event stream (watchCluster), with real processes on loopback: a worker that
 * registers, an actor's lifecycle, and the worker's death, as one ordered stream of node and
 * actor events. Every process this file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { ClusterClient, type ClusterEvent } from "../index.js";
import { killQuietly, type RunningProcess, startEntry, waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "watch-cluster-test";

function echo(name: string, custom: Record<string, number> = {}): ActorSpec {
  const resources = { cpus: 1, memoryMb: 64, gpus: 0, custom };
  return { name, namespace: NAMESPACE, className: "echo", initArgs: {}, resources };
}

function describeEvent(event: ClusterEvent): string {
  return event.kind === "node"
    ? `node ${event.node.nodeId} ${event.type} ${event.node.state}`
    : `actor ${event.actor.name} ${event.from ?? "-"}>${event.actor.state}`;
}

describe("watchCluster, with real processes", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;
  let worker: RunningProcess | undefined;

  before(async () => {
    cluster = await startTestCluster({
      headArgs: ["--heartbeat-timeout-ms", "1500", "--heartbeat-interval-ms", "250"],
      workers: {},
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 30_000 });
  });

  after(async () => {
    client?.close();
    await worker?.stop();
    await cluster?.stop();
  });

  it("streams node events with resources and labels, and actor events, in order", async () => {
    const events: ClusterEvent[] = [];
    const stop = new AbortController();
    const watching = (async () => {
      for await (const event of client.watchCluster({ signal: stop.signal })) events.push(event);
    })();
    // The stream is open once it carries the probe's events (an actor no node can host, killed).
    await waitFor("the stream to be open", async () => {
      await client.getOrCreateActor(echo("probe", { none: 1 }), { timeoutMs: 50 }).catch(() => {});
      await client.killActor(NAMESPACE, "probe").catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
      return events.length > 0 ? true : undefined;
    });
    const seen = events.length;

    const started = await startEntry({
      name: "watched",
      entry: "worker-main",
      args: [
        "--head",
        cluster.headAddress,
        "--node-id",
        "watched",
        "--cpus",
        "2",
        "--memory-mb",
        "1024",
        "--label",
        "zone=test",
        "--actor-pool-size",
        "0",
      ],
      ready: /registered with head at /,
      timeoutMs: 60_000,
    });
    worker = started.proc;
    const handle = await client.getOrCreateActor(
      { ...echo("watched-actor"), maxRestarts: 0 },
      { timeoutMs: 60_000 },
    );
    cluster.trackActor(handle.info.pid);
    killQuietly(worker.pid, "SIGKILL");
    await worker.exited;
    await waitFor(
      "the node's death",
      () => (events.some((e) => e.kind === "node" && e.type === "DEAD") ? true : undefined),
      30_000,
    );
    await waitFor("the actor's death", () =>
      events.some((e) => e.kind === "actor" && e.actor.name === "watched-actor" && e.actor.state === "DEAD")
        ? true
        : undefined,
    );
    stop.abort();
    await watching;

    const later = events.slice(seen).filter((e) => e.kind === "node" || e.actor.name === "watched-actor");
    assert.deepEqual(later.map(describeEvent), [
      "node watched REGISTERED ALIVE",
      "actor watched-actor ->PENDING_CREATION",
      "actor watched-actor PENDING_CREATION>ALIVE",
      "actor watched-actor ALIVE>DEAD",
      "node watched DEAD DEAD",
    ]);
    const registered = later[0];
    assert.ok(registered?.kind === "node");
    assert.equal(registered.node.total.cpus, 2);
    assert.equal(registered.node.available.cpus, 2);
    assert.deepEqual(registered.node.labels, { zone: "test" });
    assert.match(registered.cause, /registered from 127\.0\.0\.1:\d+/);
    const died = later[4];
    assert.ok(died?.kind === "node");
    assert.match(died.cause, /no heartbeat for 1500 ms/);
    const actorDeath = later[3];
    assert.ok(actorDeath?.kind === "actor");
    assert.equal(actorDeath.cause, "node watched died");
  });
});
