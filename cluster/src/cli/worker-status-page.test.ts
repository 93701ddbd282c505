/**
 * The worker's local status page on its metrics port, fetched over loopback HTTP from a real
 * head and worker in this process (GPU telemetry from the replay stand-in): the node, its head
 * link, both GPUs with their latest readings, its actor, and the calls that actor served; served
 * as plain HTML under a script-free CSP, with /metrics beside it. Whatever the page shows is
 * escaped.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ClusterClient } from "../index.js";
import { renderWorkerStatusPage } from "../worker/worker-status-page.js";
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
const WAIT_MS = 30_000;
const ECHO_CALLS = 3;

async function page(address: string | undefined, path = "/"): Promise<{ res: Response; text: string }> {
  assert.ok(address, "metrics port on");
  const res = await fetch(`http://${address}${path}`, { signal: AbortSignal.timeout(WAIT_MS) });
  return { res, text: await res.text() };
}

describe("the worker's local status page", { timeout: 120_000 }, () => {
  let head: HeadHandle;
  let worker: WorkerHandle;
  let client: ClusterClient;
  let actorPid = 0;
  const quiet = () => {};

  before(async () => {
    head = await runHead(parseHeadConfig(["--port", "0", "--heartbeat-interval-ms", "250"], {}), {
      log: quiet,
    });
    const args = [
      "--head",
      head.address,
      "--node-id",
      "page-1",
      "--metrics-port",
      "0",
      "--actor-pool-size",
      "0",
    ];
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

  it("shows the node, the head link, the GPUs, the actors and the calls they served", async () => {
    const actor = await client.getOrCreateActor(
      {
        name: "paged",
        namespace: "status-page-test",
        className: "echo",
        initArgs: {},
        resources: { cpus: 0.5, memoryMb: 16, gpus: 0, custom: {} },
      },
      { timeoutMs: 60_000 },
    );
    actorPid = actor.info.pid;
    for (let i = 0; i < ECHO_CALLS; i += 1) await actor.call("echo", { i });

    // The actor process reports its calls about once a second: wait until the page shows them.
    const text = await waitFor(
      "the page with the actor's calls",
      async () => {
        const { text } = await page(worker.metricsAddress);
        return text.includes(`<td>echo</td><td>echo</td><td>ok</td><td>${ECHO_CALLS}</td>`)
          ? text
          : undefined;
      },
      WAIT_MS,
    );
    const { res } = await page(worker.metricsAddress);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    assert.doesNotMatch(text, /<script/i, "no script on the page");
    assert.match(text, /<code id="node-id">page-1<\/code>/);
    assert.match(text, /<strong id="head-state" class="ok">connected<\/strong>/);
    assert.ok(text.includes(head.address), "the head's address");
    assert.match(text, /<h2>GPUs \(2\)<\/h2>/);
    assert.match(text, /<td>0<\/td><td>[^<]+<\/td><td>\d+(\.\d+)? °C<\/td>/, "GPU 0 with its temperature");
    assert.match(text, /<td>1<\/td><td>[^<]+<\/td><td>\d+(\.\d+)? °C<\/td>/, "GPU 1 with its temperature");
    assert.ok(text.includes(`<td>${actor.info.actorId}</td><td>${actorPid}</td>`), "the actor and its PID");

    // The metrics endpoint is still there, and nothing else is served.
    assert.equal((await page(worker.metricsAddress, "/metrics")).res.status, 200);
    assert.equal((await page(worker.metricsAddress, "/other")).res.status, 404);
  });

  it("escapes what it shows", () => {
    const text = renderWorkerStatusPage(
      {
        nodeId: "n<1>",
        headAddress: "127.0.0.1:1",
        headState: "registering",
        lastHeadReplyMs: 0,
        actors: [{ actorId: '<script>alert("x")</script>', pid: 1, address: "a&b" }],
        resources: null,
        telemetry: null,
        telemetrySource: "none",
        metricsAddress: "",
        startedAtMs: 0,
      },
      [],
      0,
    );
    assert.doesNotMatch(text, /<script/);
    assert.ok(text.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert.ok(text.includes("n&lt;1&gt;"));
    assert.ok(text.includes("a&amp;b"));
    assert.match(text, /class="bad">registering/);
  });
});
