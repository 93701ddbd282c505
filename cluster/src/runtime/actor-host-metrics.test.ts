/**
 * Call metrics where they are made: the actor host (in this process, on loopback) counts every
 * call by method and outcome with its duration, and hands out deltas; the instance's info()
 * labels come with the running host. Then the worker's side: deltas added up and served in
 * the Prometheus text format, and the info gauge of a live actor, gone when it exits.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Registry } from "prom-client";
import { ActorChannels } from "../client/actor-channels.js";
import type { GrpcActorHandle } from "../client/actor-handle.js";
import { ClusterError } from "../errors.js";
import { ActorMetrics } from "../metrics/actor-metrics.js";
import { CallHistogram, type CallSeries } from "../metrics/call-histogram.js";
import type { ActorClass } from "./actor-class.js";
import { type ActorHost, startActorHost } from "./actor-host.js";
import { localHostHandle } from "./local-host-handle.js";

/** An actor that says what it is, answers `ok`, fails `fail`, and waits in `wait` until aborted. */
const labelled: ActorClass = async () => ({
  info: () => ({ model: "mlp@1.0.0", execution_provider: "cpu" }),
  async call(method, _args, signal) {
    if (method === "ok") return "fine";
    if (method === "wait") {
      await new Promise((_resolve, reject) => {
        signal.addEventListener("abort", () => reject(new ClusterError("CANCELLED", "aborted")), {
          once: true,
        });
      });
    }
    throw new ClusterError("INTERNAL", "failed on purpose");
  },
  async close() {},
});

const counts = (delta: CallSeries[]) =>
  Object.fromEntries(delta.map((s) => [`${s.method} ${s.outcome}`, s.count]).sort());

describe("call metrics of the actor host", { timeout: 60_000 }, () => {
  const calls = new CallHistogram();
  let host: ActorHost;
  let channels: ActorChannels;
  let handle: GrpcActorHandle;

  before(async () => {
    host = await startActorHost(
      {
        type: "start",
        actorId: "metered-1",
        className: "labelled",
        initArgs: {},
        gpuIds: [],
        host: "127.0.0.1",
        maxConcurrency: 0,
      },
      { classes: { labelled }, cudaVisibleDevices: "", calls },
    );
    channels = new ActorChannels({ window: 16, streamWindow: 16 });
    handle = localHostHandle(channels, host, {
      actorId: "metered-1",
      name: "metered",
      className: "labelled",
    });
  });

  after(async () => {
    channels?.closeAll();
    await host?.stop(1_000);
  });

  it("reports the instance's info() labels", () => {
    assert.deepEqual(host.info, { model: "mlp@1.0.0", execution_provider: "cpu" });
  });

  it("counts each call once, by method and outcome, and hands out only what is new", async () => {
    for (let i = 0; i < 3; i += 1) assert.equal(await handle.call("ok", {}), "fine");
    await assert.rejects(handle.call("fail", {}), { code: "INTERNAL" });
    const aborting = new AbortController();
    const waiting = handle.call("wait", {}, { signal: aborting.signal });
    setTimeout(() => aborting.abort(), 100);
    await assert.rejects(waiting, { code: "CANCELLED" });
    // The actor's side of the cancelled call ends a moment after the caller's.
    const delta: CallSeries[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      delta.push(...calls.takeDelta());
      if (delta.some((s) => s.method === "wait")) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(counts(delta), { "fail internal": 1, "ok ok": 3, "wait cancelled": 1 });
    const wait = delta.find((s) => s.method === "wait");
    assert.ok((wait?.sum ?? 0) >= 0.09, `the cancelled call lasted ${wait?.sum} s`);
    assert.equal(
      wait?.buckets.slice(0, 5).reduce((a, b) => a + b, 0),
      0,
      "nothing at or under 25 ms",
    );
    assert.deepEqual(calls.takeDelta(), [], "a second take has nothing new");

    await handle.call("ok", {});
    assert.deepEqual(counts(calls.takeDelta()), { "ok ok": 1 });
  });
});

describe("the worker's actor metrics", () => {
  it("adds up deltas into a Prometheus histogram and keeps an info gauge per live actor", async () => {
    const registry = new Registry();
    const metrics = new ActorMetrics();
    metrics.register(registry);
    const source = new CallHistogram();
    source.observe("infer", "ok", 0.003);
    source.observe("infer", "ok", 0.2);
    metrics.addCalls("model", source.takeDelta());
    source.observe("infer", "ok", 100);
    source.observe("infer", "invalid_argument", 0);
    metrics.addCalls("model", source.takeDelta());
    metrics.actorStarted("a1", "model", { model: "mlp", "bad-name": "x", class: "shadow", __x: "y" });

    const text = await registry.metrics();
    const value = (series: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const ok = 'class="model",method="infer",outcome="ok"';
    assert.match(text, /# TYPE neurogrid_actor_call_duration_seconds histogram/);
    assert.equal(value(`neurogrid_actor_call_duration_seconds_count{${ok}}`), 3);
    assert.equal(value(`neurogrid_actor_call_duration_seconds_bucket{${ok},le="0.001"}`), 0);
    assert.equal(value(`neurogrid_actor_call_duration_seconds_bucket{${ok},le="0.005"}`), 1);
    assert.equal(value(`neurogrid_actor_call_duration_seconds_bucket{${ok},le="0.25"}`), 2);
    assert.equal(value(`neurogrid_actor_call_duration_seconds_bucket{${ok},le="60"}`), 2);
    assert.equal(value(`neurogrid_actor_call_duration_seconds_bucket{${ok},le="+Inf"}`), 3);
    const sum = value(`neurogrid_actor_call_duration_seconds_sum{${ok}}`) ?? 0;
    assert.ok(Math.abs(sum - 100.203) < 1e-9, `sum ${sum}`);
    const bad = 'class="model",method="infer",outcome="invalid_argument"';
    assert.equal(value(`neurogrid_actor_call_duration_seconds_count{${bad}}`), 1);
    assert.equal(value('neurogrid_actor_info{actor_id="a1",class="model",model="mlp"}'), 1);

    metrics.actorGone("a1");
    assert.doesNotMatch(await registry.metrics(), /neurogrid_actor_info\{/);
  });
});
