/**
 * The call channel between a caller and real actor processes (loopback gRPC, one process per
 * actor): ordering of streamed items, cancellation while queued and while running, the actor's
 * maxConcurrency, the caller's in-flight window, and many concurrent calls on one handle.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { ActorInfo } from "@neurogrid/schema";
import { ActorFixture } from "../cli/testing/actor-fixture.js";
import { waitFor } from "../cli/testing/processes.js";
import { unaryCall } from "../grpc/call.js";
import { clusterServices } from "../grpc/proto.js";
import type { GrpcActorHandle } from "./actor-handle.js";

interface Stats {
  calls: number;
  abortedSleeps: number;
  abortedStreams: number;
  streamedItems: number;
  running: number;
  peakRunning: number;
}

const stats = (handle: GrpcActorHandle) => handle.call<Stats>("stats", {});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("the call channel to an actor process", { timeout: 120_000 }, () => {
  const fixture = new ActorFixture({ window: 256, streamWindow: 8 });
  let echo: ActorInfo;

  before(async () => {
    echo = await fixture.start("echo");
  });

  after(() => fixture.close());

  it("streams an async generator's items in order, and a unary result as one item", async () => {
    const handle = fixture.handle(echo);
    const items = await collect(handle.stream<number>("count", { n: 500 }));
    assert.deepEqual(
      items,
      Array.from({ length: 500 }, (_, i) => i),
    );
    const [one, ...rest] = await collect(handle.stream<{ args: unknown }>("echo", "x"));
    assert.deepEqual([one?.args, rest.length], ["x", 0]);
    await assert.rejects(handle.call("count", { n: 3 }), { code: "INVALID_ARGUMENT", message: /stream/ });
  });

  it("keeps concurrent streams on one channel apart, each in order", async () => {
    const handle = fixture.handle(echo);
    const streams = await Promise.all(
      Array.from({ length: 20 }, (_, i) => collect(handle.stream<number>("count", { n: 50 + i }))),
    );
    streams.forEach((items, i) => {
      assert.deepEqual(
        items,
        Array.from({ length: 50 + i }, (_, k) => k),
      );
    });
  });

  it("lets the actor run at most one window of items ahead of a slow consumer", async () => {
    const handle = fixture.handle(echo);
    const before = await stats(handle);
    const iterator = handle.stream<number>("count", { n: 100_000 })[Symbol.asyncIterator]();
    assert.deepEqual(await iterator.next(), { value: 0, done: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ahead = (await stats(handle)).streamedItems - before.streamedItems;
    assert.ok(ahead <= 8 + 2, `the actor produced ${ahead} items for a consumer that took 1`);
    await iterator.return?.(undefined);
  });

  it("cancels a stream mid-way when the consumer breaks out, and the generator stops", async () => {
    const handle = fixture.handle(echo);
    const before = await stats(handle);
    const seen: number[] = [];
    for await (const item of handle.stream<number>("count", { n: 1_000_000, ms: 5 })) {
      seen.push(item);
      if (seen.length === 3) break;
    }
    assert.deepEqual(seen, [0, 1, 2]);
    await waitFor("the actor to see the stream stop", async () =>
      (await stats(handle)).abortedStreams === before.abortedStreams + 1 ? true : undefined,
    );
  });

  it("cancels a stream mid-way through its AbortSignal", async () => {
    const handle = fixture.handle(echo);
    const before = await stats(handle);
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const item of handle.stream<number>(
          "count",
          { n: 1_000_000, ms: 5 },
          { signal: controller.signal },
        )) {
          seen.push(item);
          if (seen.length === 2) controller.abort();
        }
      })(),
      { code: "CANCELLED" },
    );
    assert.deepEqual(seen.slice(0, 2), [0, 1]);
    await waitFor("the actor to see the stream's abort", async () =>
      (await stats(handle)).abortedStreams === before.abortedStreams + 1 ? true : undefined,
    );
  });

  it("ends a call past its deadline with DEADLINE_EXCEEDED, and the actor sees the abort", async () => {
    const handle = fixture.handle(echo);
    const before = await stats(handle);
    await assert.rejects(handle.call("sleep", { ms: 60_000 }, { timeoutMs: 200 }), {
      code: "DEADLINE_EXCEEDED",
    });
    await waitFor("the actor to see the deadline", async () =>
      (await stats(handle)).abortedSleeps === before.abortedSleeps + 1 ? true : undefined,
    );
  });

  it("answers 1,000 concurrent calls on one handle, through a window of 256", async () => {
    const handle = fixture.handle(echo);
    const replies = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => handle.call<{ args: number }>("echo", i)),
    );
    assert.deepEqual(
      replies.map((reply) => reply.args),
      Array.from({ length: 1_000 }, (_, i) => i),
    );
  });

  it("still serves the unary Actor.Call RPC, through the same queue", async () => {
    const client = new grpc.Client(echo.address, grpc.credentials.createInsecure());
    try {
      const Call = clusterServices().actor.Call;
      const reply = await unaryCall(client, Call, { method: "echo", args: Buffer.from('"unary"') });
      assert.deepEqual((JSON.parse(reply.result.toString()) as { args: unknown }).args, "unary");
      await assert.rejects(unaryCall(client, Call, { method: "count", args: Buffer.from("{}") }), {
        code: "INVALID_ARGUMENT",
      });
    } finally {
      client.close();
    }
  });

  it("fails calls with UNAVAILABLE when the actor's process dies mid-call", async () => {
    const doomed = await fixture.start("doomed");
    const handle = fixture.handle(doomed);
    const sleeping = handle.call("sleep", { ms: 60_000 });
    await waitFor("the sleep to be running", async () =>
      (await stats(handle)).running === 1 ? true : undefined,
    );
    void handle.call("exit", {}).catch(() => {});
    await assert.rejects(sleeping, { code: "UNAVAILABLE" });
    await assert.rejects(handle.call("echo", {}), { code: "UNAVAILABLE" });
  });
});

describe("maxConcurrency and queued calls inside the actor", { timeout: 120_000 }, () => {
  const fixture = new ActorFixture();

  after(() => fixture.close());

  it("never runs more calls at once than the spec's maxConcurrency", async () => {
    const handle = fixture.handle(await fixture.start("three", { maxConcurrency: 3 }));
    await Promise.all(Array.from({ length: 12 }, () => handle.call("sleep", { ms: 100 })));
    assert.equal((await stats(handle)).peakRunning, 3);
  });

  it("cancels a call queued in the actor: it never runs; a running one sees its signal", async () => {
    const handle = fixture.handle(await fixture.start("single", { maxConcurrency: 1 }));
    const running = new AbortController();
    const queued = new AbortController();
    const first = handle
      .call("sleep", { ms: 60_000 }, { signal: running.signal })
      .catch((err: unknown) => err);
    const second = handle
      .call("sleep", { ms: 60_000 }, { signal: queued.signal })
      .catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 200));
    queued.abort();
    assert.equal(((await second) as { code?: string }).code, "CANCELLED");
    running.abort();
    assert.equal(((await first) as { code?: string }).code, "CANCELLED");
    const after = await stats(handle);
    assert.equal(after.abortedSleeps, 1, "only the running sleep saw an abort");
    assert.equal(after.calls, 2, "the queued sleep never ran (the other call is this stats call)");
    assert.equal(after.peakRunning, 1);
  });
});

describe("the caller's in-flight window", { timeout: 120_000 }, () => {
  const fixture = new ActorFixture({ window: 4 });

  after(() => fixture.close());

  it("holds calls beyond the window at the caller, and a cancelled waiter never reaches the actor", async () => {
    const info = await fixture.start("windowed");
    const handle = fixture.handle(info);
    const channel = fixture.channels.get(info.address);
    const controllers = Array.from({ length: 6 }, () => new AbortController());
    const calls = controllers.map((c) =>
      handle.call("sleep", { ms: 60_000 }, { signal: c.signal }).catch((err: unknown) => err),
    );
    await waitFor("four calls to be open", () => (channel.load.open === 4 ? true : undefined));
    assert.deepEqual(channel.load, { open: 4, waiting: 2 });
    controllers[5]?.abort();
    assert.equal(((await calls[5]) as { code?: string }).code, "CANCELLED");
    assert.deepEqual(channel.load, { open: 4, waiting: 1 });
    for (const c of controllers.slice(0, 4)) c.abort();
    await waitFor("the fifth call to get a slot", () => (channel.load.waiting === 0 ? true : undefined));
    controllers[4]?.abort();
    await Promise.all(calls);
    await waitFor("every slot to free", () => (channel.load.open === 0 ? true : undefined));
    const seen = await handle.call<Stats>("stats", {});
    assert.equal(seen.calls, 5 + 1, "the cancelled waiter never reached the actor");
    assert.equal(seen.abortedSleeps, 5);
  });
});
