/**
 * Prometheus /metrics on the head and the worker, scraped over loopback HTTP: node and GPU
 * gauges (GPU telemetry from the replay stand-in), actor counts, start-duration histograms,
 * and the actors' call-duration histograms (sent by the actor process over IPC) and info
 * gauges. The head and the worker run in this process; the one actor process is stopped by
 * its PID.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ClusterClient } from "../index.js";
import {
  type HeadHandle,
  parseHeadConfig,
  parseWorkerConfig,
  runHead,
  runWorker,
  type WorkerHandle,
} from "./index.js";
import { isAlive, killQuietly, waitFor } from "./testing/processes.js";

const RECORDING = fileURLToPath(new URL("../../telemetry/two-gpus-heat-cycle.csv", import.meta.url));

async function scrape(
  address: string | undefined,
  path = "/metrics",
): Promise<{ status: number; text: string }> {
  assert.ok(address, "metrics endpoint on");
  const res = await fetch(`http://${address}${path}`, { signal: AbortSignal.timeout(30_000) });
  return { status: res.status, text: await res.text() };
}

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const METERED_REPLICA = {
  name: "",
  namespace: "metrics-test",
  className: "echo",
  initArgs: {},
  resources: { cpus: 0.5, memoryMb: 16, gpus: 0, custom: {} },
};

describe("Prometheus metrics of the head and the worker", { timeout: 120_000 }, () => {
  let head: HeadHandle;
  let worker: WorkerHandle;
  let client: ClusterClient;
  let actorPid = 0;
  let actor: Awaited<ReturnType<ClusterClient["getOrCreateActor"]>>;
  const quiet = () => {};

  before(async () => {
    head = await runHead(
      parseHeadConfig(["--port", "0", "--metrics-port", "0", "--heartbeat-interval-ms", "250"], {}),
      { log: quiet },
    );
    const args = ["--head", head.address, "--node-id", "m1", "--metrics-port", "0", "--actor-pool-size", "0"];
    const replay = ["--telemetry-replay", RECORDING, "--telemetry-interval-ms", "250"];
    worker = await runWorker(parseWorkerConfig([...args, ...replay], {}), { log: quiet, env: process.env });
    client = new ClusterClient({ headAddress: head.address, callTimeoutMs: 60_000 });
  });

  after(async () => {
    client?.close();
    await worker?.stop();
    await head?.stop();
    if (actorPid > 0 && isAlive(actorPid)) killQuietly(actorPid, "SIGKILL");
  });

  it("reports the host's CPU, memory and network beside the GPUs: heartbeats, worker and head", async () => {
    const host = await waitFor(
      "a heartbeat with the host's CPU share (its second sample)",
      async () => {
        const node = (await client.listNodes()).find((n) => n.nodeId === "m1");
        return node?.telemetry?.host?.cpuUtilizationPct !== undefined ? node.telemetry.host : undefined;
      },
      30_000,
    );
    assert.equal(host.memoryTotalMb, totalmem() / 1024 / 1024);
    assert.equal(host.cpuCores, cpus().length);
    assert.ok(
      host.cpuUtilizationPct !== undefined && host.cpuUtilizationPct >= 0 && host.cpuUtilizationPct <= 100,
    );
    if (existsSync("/proc/net/dev"))
      assert.ok((host.netRxBytesPerS ?? -1) >= 0 && (host.netTxBytesPerS ?? -1) >= 0);
    for (const address of [worker.metricsAddress, head.metricsAddress]) {
      const { text } = await scrape(address);
      assert.equal(sample(text, 'neurogrid_host_memory_total_bytes{node="m1"}'), totalmem());
      assert.equal(sample(text, 'neurogrid_host_cpu_cores{node="m1"}'), cpus().length);
      const ratio = sample(text, 'neurogrid_host_cpu_utilization_ratio{node="m1"}');
      assert.ok(ratio !== undefined && ratio >= 0 && ratio <= 1, text);
    }
  });

  it("serves gauges and histograms in the Prometheus text format", async () => {
    actor = await client.getOrCreateActor(
      {
        name: "metered",
        namespace: "metrics-test",
        className: "echo",
        initArgs: {},
        resources: { cpus: 0.5, memoryMb: 16, gpus: 0, custom: {} },
      },
      { timeoutMs: 60_000 },
    );
    actorPid = actor.info.pid;
    const gpu1 = 'node="m1",gpu="1",uuid="GPU-8a9b0c1d-2e3f-4a5b-8c7d-6e5f4a3b2c1d"';
    const headText = await waitFor(
      "the head's GPU gauges",
      async () => {
        const { status, text } = await scrape(head.metricsAddress);
        assert.equal(status, 200);
        return sample(text, `neurogrid_gpu_temperature_celsius{${gpu1}}`) !== undefined ? text : undefined;
      },
      30_000,
    );
    assert.equal(sample(headText, 'neurogrid_head_nodes{state="ALIVE"}'), 1);
    assert.equal(sample(headText, 'neurogrid_head_actors{state="ALIVE"}'), 1);
    assert.equal(sample(headText, 'neurogrid_head_actors{state="DEAD"}'), 0);
    assert.equal(sample(headText, 'neurogrid_head_node_gpus{node="m1",kind="total"}'), 2);
    assert.equal(sample(headText, 'neurogrid_head_node_telemetry_up{node="m1"}'), 1);
    assert.equal(sample(headText, `neurogrid_gpu_memory_total_bytes{${gpu1}}`), 24564 * 1024 * 1024);
    assert.equal(sample(headText, `neurogrid_gpu_power_limit_watts{${gpu1}}`), 450);
    assert.equal(sample(headText, `neurogrid_gpu_sm_clock_hertz{${gpu1}}`) !== undefined, true);
    assert.equal(sample(headText, "neurogrid_head_actor_start_duration_seconds_count"), 1);
    assert.match(headText, /# TYPE neurogrid_head_actor_start_duration_seconds histogram/);
    assert.match(headText, /neurogrid_gpu_unschedulable\{node="m1",gpu="0",uuid="[^"]+"\} 0/);
    assert.equal(
      sample(headText, 'neurogrid_head_rpc_duration_seconds_count{method="GetOrCreateActor",outcome="ok"}'),
      1,
    );
    await assert.rejects(client.getActor("metrics-test", "no-such-actor"), { code: "NOT_FOUND" });
    await client.applyDeployment({
      name: "metered-deployment",
      namespace: "metrics-test",
      replica: METERED_REPLICA,
      minReplicas: 0,
      maxReplicas: 2,
      targetOngoingRequests: 2,
      upscaleDelayMs: 1_000,
      downscaleDelayMs: 1_000,
    });
    const afterCalls = (await scrape(head.metricsAddress)).text;
    assert.equal(
      sample(afterCalls, 'neurogrid_head_rpc_duration_seconds_count{method="GetActor",outcome="not_found"}'),
      1,
    );
    assert.equal(
      sample(
        afterCalls,
        'neurogrid_deployment_replicas{deployment="metrics-test/metered-deployment",kind="target"}',
      ),
      0,
    );
    assert.equal(
      sample(
        afterCalls,
        'neurogrid_deployment_ongoing_requests{deployment="metrics-test/metered-deployment"}',
      ),
      0,
    );

    const { status, text } = await scrape(worker.metricsAddress);
    assert.equal(status, 200);
    assert.equal(sample(text, "neurogrid_worker_actors"), 1);
    assert.equal(sample(text, "neurogrid_worker_head_connected"), 1);
    assert.equal(sample(text, "neurogrid_worker_telemetry_up"), 1);
    assert.equal(sample(text, 'neurogrid_worker_actor_start_duration_seconds_count{outcome="ok"}'), 1);
    const ratio = sample(text, `neurogrid_gpu_utilization_ratio{${gpu1}}`) ?? -1;
    assert.ok(ratio >= 0 && ratio <= 1, `utilisation ratio ${ratio}`);

    // "/" is the worker's status page (worker-status-page.test.ts); the head has none.
    assert.equal((await scrape(worker.metricsAddress, "/nothing-here")).status, 404);
    assert.equal((await scrape(head.metricsAddress, "/")).status, 404);
  });

  it("counts the actor's calls by method and outcome, and shows the actor while it lives", async () => {
    const { actorId } = actor.info;
    for (let i = 0; i < 3; i += 1) await actor.call("echo", { i });
    await actor.call("sleep", { ms: 300 });
    await assert.rejects(actor.call("fail", {}), { code: "INTERNAL" });
    await assert.rejects(actor.call("badInput", {}), { code: "INVALID_ARGUMENT" });
    const items: number[] = [];
    for await (const item of actor.stream<number>("count", { n: 4 })) items.push(item);
    assert.deepEqual(items, [0, 1, 2, 3]);
    const cancelled = new AbortController();
    const sleeping = actor.call("sleep", { ms: 60_000 }, { signal: cancelled.signal });
    setTimeout(() => cancelled.abort(), 200);
    await assert.rejects(sleeping, { code: "CANCELLED" });

    const series = (method: string, outcome: string, part = "count", le?: string) =>
      `neurogrid_actor_call_duration_seconds_${part}{class="echo",method="${method}",outcome="${outcome}"${le === undefined ? "" : `,le="${le}"`}}`;
    // The actor process sends what it counted about once a second.
    const text = await waitFor(
      "the cancelled call in the worker's call histogram",
      async () => {
        const { text } = await scrape(worker.metricsAddress);
        return sample(text, series("sleep", "cancelled")) === 1 ? text : undefined;
      },
      15_000,
    );
    assert.match(text, /# TYPE neurogrid_actor_call_duration_seconds histogram/);
    const counted = text
      .split("\n")
      .filter((l) => l.startsWith("neurogrid_actor_call_duration_seconds_count{"))
      .map((l) => l.replace(/^neurogrid_actor_call_duration_seconds_count/, ""))
      .sort();
    assert.deepEqual(counted, [
      '{class="echo",method="badInput",outcome="invalid_argument"} 1',
      '{class="echo",method="count",outcome="ok"} 1',
      '{class="echo",method="echo",outcome="ok"} 3',
      '{class="echo",method="fail",outcome="internal"} 1',
      '{class="echo",method="sleep",outcome="cancelled"} 1',
      '{class="echo",method="sleep",outcome="ok"} 1',
    ]);
    assert.equal(sample(text, series("echo", "ok", "bucket", "+Inf")), 3);
    // The 300 ms sleep is in no bucket under 0.25 s, and its time is in the sum.
    assert.equal(sample(text, series("sleep", "ok", "bucket", "0.25")), 0);
    assert.equal(sample(text, series("sleep", "ok", "bucket", "+Inf")), 1);
    assert.ok((sample(text, series("sleep", "ok", "sum")) ?? 0) >= 0.3);
    assert.equal(sample(text, series("sleep", "cancelled", "bucket", "0.1")), 0);

    const info = `neurogrid_actor_info{actor_id="${actorId}",class="echo"}`;
    assert.equal(sample(text, info), 1);
    await client.killActor("metrics-test", "metered");
    await waitFor(
      "the killed actor's info gauge to go",
      async () => {
        const { text } = await scrape(worker.metricsAddress);
        return text.includes(`actor_id="${actorId}"`) ? undefined : text;
      },
      15_000,
    );
    // What was counted stays: a histogram's counts only grow.
    const after = (await scrape(worker.metricsAddress)).text;
    assert.equal(sample(after, series("echo", "ok")), 3);
  });
});
