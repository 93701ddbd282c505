/**
 * GPU telemetry end to end, with real processes on loopback and the replay stand-in: the head
 * sees a worker's replayed samples (ListNodes, WatchCluster telemetry events), and stops placing
 * actors on a GPU over the critical temperature until it has cooled down. Every process this
 * file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { ActorSpec } from "@neurogrid/schema";
import { ClusterClient, type ClusterEventWithTelemetry } from "../index.js";
import { waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const RECORDING = fileURLToPath(new URL("../../telemetry/two-gpus-heat-cycle.csv", import.meta.url));
const NAMESPACE = "telemetry-test";

function line(index: number, temp: number): string {
  return `${index}, GPU-test-${index}, Test GPU, ${temp}, 50, 1000, 16000, 100.00, 300.00, 1500, 5000`;
}

/** GPU 1 hot (95 °C, then 88 °C: still held by hysteresis) for `hot` polls, then cool. */
function heatCycle(hot: number): string {
  const snapshots: string[] = [];
  for (let i = 0; i < hot; i++)
    snapshots.push(`# hot ${i}\n${line(0, 50)}\n${line(1, i < hot / 2 ? 95 : 88)}`);
  snapshots.push(`# cool\n${line(0, 50)}\n${line(1, 70)}`);
  return `${snapshots.join("\n")}\n`;
}

describe("GPU telemetry through the head, with real processes", { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "neurogrid-telemetry-"));
    const hotFile = join(dir, "hot.csv");
    // 120 polls of 250 ms: about 30 s hot, long enough to see on a loaded machine.
    await writeFile(hotFile, heatCycle(120));
    const replay = (file: string) => ["--telemetry-replay", file, "--telemetry-interval-ms", "250"];
    cluster = await startTestCluster({
      headArgs: ["--heartbeat-interval-ms", "250", "--heartbeat-timeout-ms", "5000"],
      workers: {
        recorded: [...replay(RECORDING), "--label", "role=recorded", "--actor-pool-size", "0"],
        heated: [...replay(hotFile), "--label", "role=heated", "--actor-pool-size", "0"],
      },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 60_000 });
  });

  after(async () => {
    client?.close();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a GPU over the critical temperature takes no new actors until it cools down", async () => {
    await waitFor(
      "the heated node's GPU 1 to be unschedulable",
      async () => {
        const found = (await client.listNodes()).find((n) => n.nodeId === "heated");
        return found?.unschedulableGpus[1] !== undefined ? true : undefined;
      },
      60_000,
    );
    const spec: ActorSpec = {
      name: "needs-both-gpus",
      namespace: NAMESPACE,
      className: "echo",
      initArgs: {},
      resources: { cpus: 0.5, memoryMb: 16, gpus: 2, custom: {} },
      labelSelector: { role: "heated" },
    };
    const creating = client.getOrCreateActor(spec, { timeoutMs: 120_000 });
    creating.catch(() => {});
    const pending = await waitFor("the actor to be pending", async () => {
      const actor = (await client.listActors(NAMESPACE)).find((a) => a.name === spec.name);
      return actor?.state === "PENDING_CREATION" && actor.pendingReason ? actor : undefined;
    });
    assert.match(
      pending.pendingReason ?? "",
      /GPU 1 is (too hot: 95 °C >= critical 90 °C|cooling down: 88 °C)/,
    );
    const handle = await creating;
    assert.equal(handle.info.state, "ALIVE");
    assert.equal(handle.info.nodeId, "heated");
    assert.deepEqual([...handle.info.gpuIds].sort(), [0, 1]);
    cluster.trackActor(handle.info.pid);
    const node = (await client.listNodes()).find((n) => n.nodeId === "heated");
    assert.ok((node?.telemetry?.gpus[1]?.temperatureC ?? 100) < 85);
    assert.deepEqual(node?.unschedulableGpus, {});
  });

  it("the head keeps each node's latest sample and streams telemetry events", async () => {
    const events: ClusterEventWithTelemetry[] = [];
    const stop = new AbortController();
    const watching = (async () => {
      for await (const event of client.watchCluster({ signal: stop.signal, telemetry: true }))
        events.push(event);
    })().catch(() => {});
    const node = await waitFor(
      "the recorded node's telemetry at the head",
      async () => {
        const found = (await client.listNodes()).find((n) => n.nodeId === "recorded");
        return found?.telemetry?.gpus.length === 2 ? found : undefined;
      },
      60_000,
    );
    // One of the recorded snapshots (the replay holds the last one once it is through).
    const recorded = [62, 68, 75, 81, 86, 90, 93, 91, 88, 84, 79, 72];
    assert.ok(recorded.includes(node.telemetry?.gpus[1]?.temperatureC ?? -1));
    assert.equal(node.telemetry?.status, "ok");
    assert.deepEqual(
      node.telemetry?.gpus.map((g) => [g.index, g.name, g.memoryTotalMb, g.powerLimitW]),
      [
        [0, "NVIDIA GeForce RTX 4090", 24564, 450],
        [1, "NVIDIA GeForce RTX 4090", 24564, 450],
      ],
    );
    // The node's GPUs are those of the replay.
    assert.deepEqual(
      node.total.gpus.map((g) => g.uuid),
      node.telemetry?.gpus.map((g) => g.uuid),
    );
    await waitFor(
      "telemetry events of both nodes",
      () => {
        const nodes = new Set(events.flatMap((e) => (e.kind === "telemetry" ? [e.nodeId] : [])));
        return nodes.has("recorded") && nodes.has("heated") ? true : undefined;
      },
      30_000,
    );
    stop.abort();
    await watching;
    const heated = events.flatMap((e) => (e.kind === "telemetry" && e.nodeId === "heated" ? [e] : []));
    const stamps = heated.map((e) => e.telemetry.sampledAtMs);
    assert.equal(new Set(stamps).size, stamps.length, "one event per new sample");
    // A watcher that did not ask for telemetry gets none (the api's watchers).
    const plain = new AbortController();
    const plainEvents: string[] = [];
    const plainWatch = (async () => {
      for await (const event of client.watchCluster({ signal: plain.signal })) plainEvents.push(event.kind);
    })().catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    plain.abort();
    await plainWatch;
    assert.ok(!plainEvents.includes("telemetry"));
  });

  it("logs as JSON lines with the part, node id and actor id", () => {
    const json = (name: string) =>
      (cluster.workers.get(name)?.output() ?? cluster.head.output())
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const worker = json("heated");
    assert.ok(worker.some((l) => l.component === "worker" && l.nodeId === "heated" && l.level === "info"));
    const head = json("head-only");
    assert.ok(head.some((l) => l.component === "head" && String(l.msg).includes("too hot")));
    assert.ok(head.some((l) => l.component === "head" && typeof l.actorId === "string"));
  });
});
