/**
 * Node identity bound to the node token, with real processes on loopback: a head that issues
 * per-node tokens (--node-token-secret) lets a worker register only as the node its token was
 * issued for. Every process this file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signNodeToken } from "@neurogrid/schema";
import { ClusterClient } from "../index.js";
import { type RunningProcess, spawnEntry, startEntry } from "./testing/processes.js";

const SECRET = "node-identity-test-secret";
const EXIT_WITHIN_MS = 60_000;

describe("per-node tokens, with real processes", { timeout: 120_000 }, () => {
  const processes: RunningProcess[] = [];
  let headAddress = "";
  let client: ClusterClient;

  function spawnWorker(nodeId: string, token: string | undefined): RunningProcess {
    const args = ["--head", headAddress, "--node-id", nodeId, "--actor-pool-size", "0"];
    const proc = spawnEntry(
      nodeId,
      "worker-main",
      token === undefined ? args : [...args, "--node-token", token],
    );
    processes.push(proc);
    return proc;
  }

  /** The worker exits on its own, refused; resolves with its output. */
  async function refused(proc: RunningProcess): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${proc.name} still running:\n${proc.output()}`)),
        EXIT_WITHIN_MS,
      );
    });
    try {
      const { code } = await Promise.race([proc.exited, timeout]);
      assert.notEqual(code, 0, proc.output());
      return proc.output();
    } finally {
      clearTimeout(timer);
    }
  }

  before(async () => {
    const head = await startEntry({
      name: "head",
      entry: "head-main",
      args: ["--port", "0", "--node-token-secret", SECRET],
      ready: /^neurogrid head listening on (\S+)$/,
      timeoutMs: 60_000,
    });
    processes.push(head.proc);
    headAddress = head.match[1] ?? "";
    client = new ClusterClient({ headAddress });
  });

  after(async () => {
    client?.close();
    await Promise.all(processes.map((proc) => proc.stop()));
  });

  it("accepts a worker whose token was issued for its node id", async () => {
    const { proc } = await startEntry({
      name: "node-a",
      entry: "worker-main",
      args: ["--head", headAddress, "--node-id", "node-a", "--node-token", signNodeToken(SECRET, "node-a")],
      ready: /registered with head at /,
      timeoutMs: 60_000,
    });
    processes.push(proc);
    const nodes = await client.listNodes();
    assert.deepEqual(
      nodes.map((n) => `${n.nodeId}:${n.state}`),
      ["node-a:ALIVE"],
    );
  });

  it("refuses a token issued for node A when node B presents it", async () => {
    const output = await refused(spawnWorker("node-b", signNodeToken(SECRET, "node-a")));
    assert.match(output, /issued for another node id/);
    assert.ok(!(await client.listNodes()).some((n) => n.nodeId === "node-b"));
  });

  it("refuses a worker without a token, and one with a token signed by another secret", async () => {
    assert.match(await refused(spawnWorker("node-c", undefined)), /no node token/);
    const forged = signNodeToken("some-other-secret-value", "node-d");
    assert.match(await refused(spawnWorker("node-d", forged)), /bad node token/);
    assert.deepEqual(
      (await client.listNodes()).map((n) => n.nodeId),
      ["node-a"],
    );
  });
});
