/**
 * Deployments with real processes on loopback: a head, a worker, echo replicas in their own
 * processes, through the public ClusterClient. Load makes the deployment grow to maxReplicas
 * and the handle's power-of-two routing sends new calls to the idle replicas; idle, it drains
 * back to minReplicas; a deployment at zero replicas starts one for the first call; a replica
 * that dies for good is replaced while calls go on. Every actor process seen is tracked and
 * stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActorState, type DeploymentSpec } from "@neurogrid/schema";
import { ClusterClient, type DeploymentHandle } from "../index.js";
import { waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "deployment-test";

function echoDeployment(name: string, extra: Partial<DeploymentSpec> = {}): DeploymentSpec {
  return {
    name,
    namespace: NAMESPACE,
    replica: {
      name: "",
      namespace: NAMESPACE,
      className: "echo",
      initArgs: {},
      resources: { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
      maxTaskRetries: 3,
    },
    minReplicas: 1,
    maxReplicas: 3,
    targetOngoingRequests: 2,
    upscaleDelayMs: 200,
    downscaleDelayMs: 1_000,
    drainGraceMs: 2_000,
    ...extra,
  };
}

describe("deployments, with real processes", { timeout: 150_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;
  const handles: DeploymentHandle[] = [];

  async function deploy(spec: DeploymentSpec): Promise<DeploymentHandle> {
    const handle = await client.applyDeployment(spec, { reportIntervalMs: 100 });
    handles.push(handle);
    return handle;
  }

  /** Waits for the deployment to have `count` ALIVE replicas (and tracks their processes). */
  async function replicasAlive(name: string, count: number) {
    return waitFor(`${name} to have ${count} live replicas`, async () => {
      const info = await client.getDeployment(NAMESPACE, name);
      for (const r of info.replicas) if (r.pid > 0) cluster.trackActor(r.pid);
      const alive = info.replicas.filter((r) => r.state === ActorState.ALIVE);
      return info.replicas.length === count && alive.length === count ? info : undefined;
    });
  }

  async function callsServed(name: string): Promise<number> {
    const replica = await client.getActor(NAMESPACE, name, { maxTaskRetries: 0 });
    return (await replica.call<{ calls: number }>("stats", {})).calls - 1; // less this stats call
  }

  before(async () => {
    cluster = await startTestCluster({
      headArgs: ["--heartbeat-timeout-ms", "1500", "--heartbeat-interval-ms", "250"],
      workers: { w1: ["--cpus", "8", "--memory-mb", "8192"] },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 60_000 });
  });

  after(async () => {
    for (const handle of handles) handle.close();
    for (const actor of await client.listActors(NAMESPACE).catch(() => []))
      if (actor.pid > 0) cluster.trackActor(actor.pid);
    client?.close();
    await cluster?.stop();
  });

  it("grows under load, routes new calls to the idle replicas, and drains back to min when idle", async () => {
    const handle = await deploy(echoDeployment("grow"));
    const [first] = (await replicasAlive("grow", 1)).replicas;
    assert.equal(first?.name, "grow#0");

    // 12 long calls at one replica: ceil(12 / 2) = 6 wanted, clamped to maxReplicas 3.
    const firstWave = Array.from({ length: 12 }, () => handle.call("sleep", { ms: 4_000 }));
    const grown = await replicasAlive("grow", 3);
    assert.deepEqual(
      grown.replicas.map((r) => r.name),
      ["grow#0", "grow#1", "grow#2"],
    );
    await waitFor("the handle to see 3 replicas", async () =>
      handle.info.replicas.filter((r) => r.state === ActorState.ALIVE).length === 3 ? true : undefined,
    );
    // Power of two choices: grow#0 has 12 calls in flight, so it loses every comparison.
    const secondWave = Array.from({ length: 12 }, () => handle.call("sleep", { ms: 300 }));
    await Promise.all([...firstWave, ...secondWave]);
    assert.equal(await callsServed("grow#0"), 12, "the loaded replica got none of the second wave");
    const one = await callsServed("grow#1");
    const two = await callsServed("grow#2");
    assert.equal(one + two, 12);
    assert.ok(one > 0 && two > 0, `both new replicas served calls (${one}, ${two})`);

    // Idle: after downscaleDelayMs the newest replicas are drained, down to minReplicas.
    const shrunk = await replicasAlive("grow", 1);
    assert.equal(shrunk.replicas[0]?.name, "grow#0");
    const actors = await client.listActors(NAMESPACE);
    for (const name of ["grow#1", "grow#2"]) {
      assert.equal(actors.find((a) => a.name === name)?.state, ActorState.DEAD, `${name} was drained`);
    }
    assert.deepEqual(
      await handle.call("echo", { after: "shrink" }).then((r) => (r as { args: unknown }).args),
      {
        after: "shrink",
      },
    );
  });

  it("starts a replica for the first call of a deployment scaled to zero, and goes back to zero", async () => {
    const handle = await deploy(echoDeployment("zero", { minReplicas: 0, downscaleDelayMs: 500 }));
    assert.equal((await client.getDeployment(NAMESPACE, "zero")).replicas.length, 0);
    const reply = await handle.call<{ args: unknown; pid: number }>("echo", { n: 1 });
    cluster.trackActor(reply.pid);
    assert.deepEqual(reply.args, { n: 1 });
    await replicasAlive("zero", 0);
  });

  it("replaces a replica whose process died for good, while calls keep being answered", async () => {
    const spec = echoDeployment("heal", { minReplicas: 2, maxReplicas: 2 });
    spec.replica.maxRestarts = 0;
    const handle = await deploy(spec);
    const before = await replicasAlive("heal", 2);
    const victim = before.replicas[1];
    assert.ok(victim);
    const direct = await client.getActor(NAMESPACE, victim.name, { maxTaskRetries: 0 });
    await direct.call("exit", {}).catch(() => {});
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => handle.call("echo", { i })));
    assert.equal(answers.length, 20);
    const healed = await waitFor("heal#1 to be replaced", async () => {
      const info = await replicasAlive("heal", 2);
      const again = info.replicas.find((r) => r.name === victim.name);
      return again && again.actorId !== victim.actorId ? info : undefined;
    });
    assert.equal(healed.replicas.length, 2);
  });

  it("refuses a deployment whose bounds make no sense, with INVALID_ARGUMENT", async () => {
    await assert.rejects(client.applyDeployment(echoDeployment("bad", { minReplicas: 4, maxReplicas: 2 })), {
      code: "INVALID_ARGUMENT",
    });
  });
});
