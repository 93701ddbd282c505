/**
 * A worker comes back after the head lost it: when the head restarts (the heartbeat stream
 * breaks, the worker registers again once the head answers; the actor processes it still runs,
 * which a head without stored tables does not know, are stopped), and when the head marked it
 * DEAD while it was paused (the head answers its next heartbeat with `reregister`).
 */
import { after, before, describe, it } from "node:test";
import { ClusterClient } from "../index.js";
import { isAlive, killQuietly, type RunningProcess, startEntry, waitFor } from "./testing/processes.js";

const HEAD_ARGS = ["--heartbeat-timeout-ms", "1500", "--heartbeat-interval-ms", "200"];

describe("a worker registering again", { timeout: 60_000 }, () => {
  const processes: RunningProcess[] = [];
  const actorPids: number[] = [];
  let headAddress = "";
  let head: RunningProcess;
  let worker: RunningProcess;
  let client: ClusterClient;

  async function startHead(port: string): Promise<RunningProcess> {
    const started = await startEntry({
      name: "head",
      entry: "head-main",
      args: ["--port", port, ...HEAD_ARGS],
      ready: /^neurogrid head listening on (\S+)$/,
    });
    processes.push(started.proc);
    headAddress = started.match[1] ?? "";
    return started.proc;
  }

  /** The worker's state at the head; undefined while the head does not answer or know it. */
  async function nodeState(): Promise<string | undefined> {
    try {
      return (await client.listNodes()).find((node) => node.nodeId === "comeback")?.state;
    } catch {
      return undefined;
    }
  }

  before(async () => {
    head = await startHead("0");
    const started = await startEntry({
      name: "comeback",
      entry: "worker-main",
      args: ["--head", headAddress, "--node-id", "comeback"],
      ready: /registered with head/,
    });
    worker = started.proc;
    processes.push(worker);
    // The restarted head listens on the same address, so one client serves both.
    client = new ClusterClient({ headAddress });
  });

  after(async () => {
    client?.close();
    killQuietly(worker.pid, "SIGCONT");
    await Promise.all(processes.map((proc) => proc.stop()));
    for (const pid of actorPids) if (isAlive(pid)) killQuietly(pid, "SIGKILL");
  });

  it("registers again with a restarted head, which stops the actor processes it does not know", async () => {
    const resources = { cpus: 0.5, memoryMb: 64, gpus: 0, custom: {} };
    const spec = {
      name: "forgotten",
      namespace: "reregister-test",
      className: "echo",
      initArgs: {},
      resources,
    };
    const { pid } = (await client.getOrCreateActor(spec, { timeoutMs: 60_000 })).info;
    actorPids.push(pid);
    const port = headAddress.slice(headAddress.lastIndexOf(":") + 1);
    await head.stop();
    head = await startHead(port);
    await waitFor("the worker to register with the new head", async () =>
      (await nodeState()) === "ALIVE" ? true : undefined,
    );
    // The new head keeps its tables in memory: it never heard of the actor, so the worker stops it.
    await waitFor(
      "the unknown actor's process to be stopped",
      () => (isAlive(pid) ? undefined : true),
      30_000,
    );
  });

  it("registers again after the head marked it DEAD", async () => {
    killQuietly(worker.pid, "SIGSTOP");
    await waitFor("the head to mark the paused node DEAD", async () =>
      (await nodeState()) === "DEAD" ? true : undefined,
    );
    killQuietly(worker.pid, "SIGCONT");
    await waitFor("the node to come back ALIVE", async () =>
      (await nodeState()) === "ALIVE" ? true : undefined,
    );
    // Info lines reach the log within the logger's flush interval (logging/logger.ts).
    await waitFor("the worker's log line", () =>
      /asked this node to register again/.test(worker.output()) ? true : undefined,
    );
  });
});
