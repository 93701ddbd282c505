/**
 * A deployment across a head restart (Redis storage, SIGKILL, same port): the head forgets the
 * deployment spec, but its replicas are ordinary detached actors that survive in the tables;
 * the caller's handle re-applies the spec it last saw on its next report, the head adopts the
 * surviving replicas instead of creating new ones, and calls go on. Real processes on loopback;
 * every process is stopped by its PID and the Redis keys written are deleted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActorState } from "@neurogrid/schema";
import { waitFor } from "./testing/processes.js";
import { restartableCluster } from "./testing/restartable-cluster.js";

// A death timeout longer than a head restart takes on a loaded machine: the replicas must outlive the
// restart (their lease is the timeout less one interval), and nothing here waits for a death.
const HEAD_ARGS = ["--heartbeat-timeout-ms", "6000", "--heartbeat-interval-ms", "250"];
const NAMESPACE = "deployment-restart";

describe("a deployment across a head restart", { timeout: 120_000 }, () => {
  const suite = restartableCluster("deployment-restart", {
    headArgs: HEAD_ARGS,
    workers: { w1: ["--cpus", "4", "--memory-mb", "1024"] },
    beforeStop: async ({ client, cluster }) => {
      for (const a of await client.listActors(NAMESPACE).catch(() => []))
        if (a.pid > 0) cluster.trackActor(a.pid);
    },
  });

  it("is applied again by its caller's handle and adopts the replicas that survived", async () => {
    const { cluster, client } = suite;
    const handle = await client.applyDeployment(
      {
        name: "survivors",
        namespace: NAMESPACE,
        replica: {
          name: "",
          namespace: NAMESPACE,
          className: "echo",
          initArgs: {},
          resources: { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
          maxRestarts: -1,
        },
        minReplicas: 2,
        maxReplicas: 2,
        targetOngoingRequests: 2,
        upscaleDelayMs: 0,
        downscaleDelayMs: 60_000,
      },
      { reportIntervalMs: 100 },
    );
    const before = await waitFor("two live replicas", async () => {
      const info = await client.getDeployment(NAMESPACE, "survivors");
      const alive = info.replicas.filter((r) => r.state === ActorState.ALIVE);
      return alive.length === 2 ? alive : undefined;
    });
    for (const r of before) cluster.trackActor(r.pid);

    await suite.restartHead();

    const after = await waitFor("the handle to apply the deployment again", async () => {
      const info = await client.getDeployment(NAMESPACE, "survivors").catch(() => undefined);
      return info && info.replicas.filter((r) => r.state === ActorState.ALIVE).length === 2
        ? info
        : undefined;
    });
    assert.deepEqual(
      after.replicas.map((r) => r.actorId).sort(),
      before.map((r) => r.actorId).sort(),
      "the same replicas, adopted",
    );
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => handle.call<{ args: unknown }>("echo", i)),
    );
    assert.deepEqual(
      answers.map((a) => a.args),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    const live = (await client.listActors(NAMESPACE)).filter((a) => a.state !== ActorState.DEAD);
    assert.equal(live.length, 2, "no replica created twice");
    handle.close();
  });
});
