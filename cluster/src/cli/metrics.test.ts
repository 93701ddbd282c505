/**
 * Prometheus /metrics on the head and the worker, scraped over loopback HTTP: node and GPU
 * gauges (GPU telemetry from the replay stand-in), actor counts, start-duration histograms.
 * The head and the worker run in this process; the one actor process is stopped by its PID.
 */
import assert from "node:assert/strict";
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

describe("Prometheus metrics of the head and the worker", { timeout: 120_000 }, () => {
  let head: HeadHandle;
  let worker: WorkerHandle;
  let client: ClusterClient;
  let actorPid = 0;
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

  it("serves gauges and histograms in the Prometheus text format", async () => {
    const actor = await client.getOrCreateActor(
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

    const { status, text } = await scrape(worker.metricsAddress);
    assert.equal(status, 200);
    assert.equal(sample(text, "neurogrid_worker_actors"), 1);
    assert.equal(sample(text, "neurogrid_worker_head_connected"), 1);
    assert.equal(sample(text, "neurogrid_worker_telemetry_up"), 1);
    assert.equal(sample(text, 'neurogrid_worker_actor_start_duration_seconds_count{outcome="ok"}'), 1);
    const ratio = sample(text, `neurogrid_gpu_utilization_ratio{${gpu1}}`) ?? -1;
    assert.ok(ratio >= 0 && ratio <= 1, `utilisation ratio ${ratio}`);

    assert.equal((await scrape(worker.metricsAddress, "/")).status, 404);
  });
});
