/**
 * Stopping actor processes (graceful with a grace period, or forced) and the pool of
 * prestarted processes, with real processes on loopback.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ActorFixture } from "../cli/testing/actor-fixture.js";
import { isAlive, waitFor } from "../cli/testing/processes.js";

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value, code: undefined }),
    (err: { code?: string }) => ({ value: undefined, code: err.code }),
  );

describe("stopping an actor process", { timeout: 120_000 }, () => {
  const fixture = new ActorFixture();

  after(() => fixture.close());

  /** A new actor with a sleep of `ms` running in it. */
  async function sleeping(name: string, ms: number) {
    const info = await fixture.start(name);
    const handle = fixture.handle(info);
    const running = settle(handle.call("sleep", { ms }));
    await waitFor("the call to run", async () =>
      (await handle.call<{ running: number }>("stats", {})).running === 1 ? true : undefined,
    );
    return { info, handle, running };
  }

  it("gracefully: finishes the running call, refuses new ones, then exits", async () => {
    const { info, handle, running } = await sleeping("graceful", 800);
    const stopping = fixture.kill(info, { graceMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await settle(handle.call("echo", {}))).code, "UNAVAILABLE", "new calls are refused");
    assert.deepEqual(await running, { value: { sleptMs: 800 }, code: undefined });
    await stopping;
    assert.equal(isAlive(info.pid), false);
  });

  it("gracefully, past the grace period: the call ends UNAVAILABLE and the process exits", async () => {
    const { info, running } = await sleeping("impatient", 60_000);
    await fixture.kill(info, { graceMs: 200 });
    assert.equal((await running).code, "UNAVAILABLE");
    assert.equal(isAlive(info.pid), false);
  });

  it("by force: at once, running calls end UNAVAILABLE", async () => {
    const { info, running } = await sleeping("forced", 60_000);
    await fixture.kill(info, { force: true });
    assert.equal((await running).code, "UNAVAILABLE");
    assert.equal(isAlive(info.pid), false);
  });
});

describe("the pool of prestarted actor processes", { timeout: 120_000 }, () => {
  const fixture = new ActorFixture({}, { poolSize: 2 });

  after(() => fixture.close());

  it("turns a prestarted process into the actor, with its GPUs, and refills", async () => {
    const ready = await waitFor(
      "two prestarted processes",
      () => {
        const pids = fixture.processes.pooledPids;
        return pids.length === 2 ? pids : undefined;
      },
      60_000,
    );
    const info = await fixture.start("warm", { gpuIds: [1, 3] });
    assert.ok(ready.includes(info.pid), "the actor runs in a prestarted process");
    const reply = await fixture.handle(info).call<{ cudaVisibleDevices: string; pid: number }>("echo", {});
    assert.deepEqual(reply, { ...reply, cudaVisibleDevices: "1,3", pid: info.pid });
    await waitFor(
      "the pool to refill",
      () => {
        const pids = fixture.processes.pooledPids;
        return pids.length === 2 && !pids.includes(info.pid) ? true : undefined;
      },
      60_000,
    );
  });

  it("stops its idle processes with the worker", async () => {
    const pids = fixture.processes.pooledPids;
    assert.ok(pids.length > 0);
    await fixture.processes.stopAll();
    for (const pid of pids) assert.equal(isAlive(pid), false, `pooled pid ${pid} exited`);
  });
});
