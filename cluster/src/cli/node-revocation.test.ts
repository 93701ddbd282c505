/**
 * Node tokens that expire and nodes that can be revoked, with real processes on loopback: a head
 * that checks per-node tokens (--node-token-secret) and workers that present them.
 *
 *   revoked       RevokeNode makes a connected node DEAD at once (no heartbeat timeout), its
 *                 actor restarts on another node, and the worker's attempts to register again
 *                 are refused
 *   expired       a token past its expiry does not register; a connected node whose token
 *                 expires is DEAD once it has
 *   taken over    a live node's id and token, presented from another host, do not register
 *
 * Every process this file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ActorSpec, signNodeToken } from "@neurogrid/schema";
import { ClusterClient, isClusterError } from "../index.js";
import { type RunningProcess, spawnEntry, startEntry, waitFor } from "./testing/processes.js";

const SECRET = "node-revocation-test-secret";
const HOUR_MS = 60 * 60 * 1000;
const START_MS = 60_000;

describe("node tokens expire and nodes are revoked, with real processes", { timeout: 180_000 }, () => {
  const processes: RunningProcess[] = [];
  const actorPids: number[] = [];
  let headAddress = "";
  let client: ClusterClient;

  function workerArgs(nodeId: string, token: string, extra: string[] = []): string[] {
    return [
      "--head",
      headAddress,
      "--node-id",
      nodeId,
      "--node-token",
      token,
      "--actor-pool-size",
      "0",
      ...extra,
    ];
  }

  async function startWorker(nodeId: string, token: string): Promise<RunningProcess> {
    const { proc } = await startEntry({
      name: nodeId,
      entry: "worker-main",
      args: workerArgs(nodeId, token, ["--cpus", "2", "--memory-mb", "1024"]),
      ready: /registered with head at /,
      timeoutMs: START_MS,
    });
    processes.push(proc);
    return proc;
  }

  /** A worker that must be refused at its first registration: it exits non-zero; its output. */
  async function refused(nodeId: string, token: string, extra: string[] = []): Promise<string> {
    const proc = spawnEntry(nodeId, "worker-main", workerArgs(nodeId, token, extra));
    processes.push(proc);
    const { code } = await waitFor("the refused worker to exit", () => proc.exited, START_MS);
    assert.notEqual(code, 0, proc.output());
    return proc.output();
  }

  async function stateOf(nodeId: string): Promise<string | undefined> {
    return (await client.listNodes()).find((n) => n.nodeId === nodeId)?.state;
  }

  before(async () => {
    const head = await startEntry({
      name: "head",
      entry: "head-main",
      args: ["--port", "0", "--node-token-secret", SECRET],
      ready: /^neurogrid head listening on (\S+)$/,
      timeoutMs: START_MS,
    });
    processes.push(head.proc);
    headAddress = head.match[1] ?? "";
    client = new ClusterClient({ headAddress, callTimeoutMs: 60_000 });
  });

  after(async () => {
    client?.close();
    await Promise.all(processes.map((proc) => proc.stop()));
    for (const pid of actorPids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone with its worker
      }
    }
  });

  it("revokes a connected node at once: DEAD, its actor restarted elsewhere, its worker refused", async () => {
    const worker = await startWorker("rev-a", signNodeToken(SECRET, "rev-a", new Date(Date.now() + HOUR_MS)));
    const spec: ActorSpec = {
      name: "on-a",
      namespace: "node-revocation",
      className: "echo",
      initArgs: {},
      resources: { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
      maxRestarts: 1,
    };
    const actor = await client.getOrCreateActor(spec, { timeoutMs: START_MS });
    actorPids.push(actor.info.pid);
    assert.equal(actor.info.nodeId, "rev-a");
    await startWorker("rev-b", signNodeToken(SECRET, "rev-b", new Date(Date.now() + HOUR_MS)));

    assert.deepEqual(await client.revokeNode("rev-a"), { wasAlive: true });
    // No heartbeat timeout (10 s) passed: the revocation itself made it DEAD.
    assert.equal(await stateOf("rev-a"), "DEAD");
    const moved = await waitFor(
      "the actor to restart on rev-b",
      async () => {
        const info = (await client.getActor("node-revocation", "on-a")).info;
        return info.state === "ALIVE" && info.nodeId === "rev-b" ? info : undefined;
      },
      START_MS,
    );
    actorPids.push(moved.pid);
    // Its heartbeat stream was closed by the head, and registering again is refused.
    await waitFor(
      "the revoked worker's registration to be refused",
      () => (/this node was revoked/.test(worker.output()) ? true : undefined),
      START_MS,
    );
    assert.match(worker.output(), /heartbeat stream broke \(node rev-a was revoked\)/);
    assert.equal(await stateOf("rev-a"), "DEAD", worker.output());

    // Its token, still unexpired, registers no process as rev-a.
    const again = await refused("rev-a", signNodeToken(SECRET, "rev-a", new Date(Date.now() + HOUR_MS)));
    assert.match(again, /this node was revoked/);
  });

  it("refuses an expired token, and ends a connected node whose token expires", async () => {
    const past = signNodeToken(SECRET, "rev-old", new Date(Date.now() - 1000));
    assert.match(await refused("rev-old", past), /the node token expired at/);
    assert.equal(await stateOf("rev-old"), undefined);

    const soon = new Date(Date.now() + 3_000);
    await startWorker("rev-short", signNodeToken(SECRET, "rev-short", soon));
    assert.equal(await stateOf("rev-short"), "ALIVE");
    await waitFor(
      "rev-short to be DEAD once its token expired",
      async () => ((await stateOf("rev-short")) === "DEAD" ? true : undefined),
      START_MS,
    );
    assert.ok(Date.now() >= Math.floor(soon.getTime() / 1000) * 1000, "not before its expiry");
  });

  it("refuses a live node's id and token from another host", async () => {
    const token = signNodeToken(SECRET, "rev-live", new Date(Date.now() + HOUR_MS));
    await startWorker("rev-live", token);
    const before = (await client.listNodes()).find((n) => n.nodeId === "rev-live");
    assert.equal(before?.state, "ALIVE");
    const output = await refused("rev-live", token, ["--advertise-host", "127.0.0.2"]);
    assert.match(output, /node rev-live is alive at .*: a registration from 127\.0\.0\.2:\d+ is refused/);
    const after = (await client.listNodes()).find((n) => n.nodeId === "rev-live");
    assert.deepEqual(
      { state: after?.state, address: after?.address },
      { state: "ALIVE", address: before?.address },
    );
  });

  it("refuses a revocation without a node id", async () => {
    await assert.rejects(
      client.revokeNode(""),
      (err) => isClusterError(err) && err.code === "INVALID_ARGUMENT",
    );
  });
});
