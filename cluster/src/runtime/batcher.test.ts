import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClusterError } from "../errors.js";
import { type Batched, DynamicBatcher } from "./batcher.js";

const never = new AbortController().signal;

/** A batcher whose run records each batch's payloads and answers each payload doubled. */
function recording(maxBatchSize: number, batchWaitTimeoutMs: number) {
  const batches: number[][] = [];
  let gate: Promise<void> = Promise.resolve();
  const batcher = new DynamicBatcher<number, number>(
    { maxBatchSize, batchWaitTimeoutMs },
    async (payloads) => {
      batches.push([...payloads]);
      await gate;
      return payloads.map((p) => p * 2);
    },
  );
  return {
    batcher,
    batches,
    hold(): () => void {
      let release = () => {};
      gate = new Promise((r) => {
        release = r;
      });
      return release;
    },
  };
}

describe("DynamicBatcher", () => {
  it("runs calls that arrive together as one batch and gives each its own result", async () => {
    const { batcher, batches } = recording(8, 50);
    const results = await Promise.all([1, 2, 3].map((p) => batcher.submit(p, 1, "k", never)));
    assert.deepEqual(
      results.map((r) => r.result),
      [2, 4, 6],
    );
    assert.deepEqual(batches, [[1, 2, 3]]);
    for (const r of results) assert.deepEqual([r.batchRows, r.batchRequests], [3, 3]);
  });

  it("starts a full batch at once, without waiting for the timeout", async () => {
    const { batcher, batches } = recording(2, 60_000);
    const results = await Promise.all([1, 2].map((p) => batcher.submit(p, 1, "k", never)));
    assert.deepEqual(batches, [[1, 2]]);
    assert.equal(results[0]?.batchRows, 2);
  });

  it("never puts more than maxBatchSize rows in a batch, and runs an oversized call alone", async () => {
    const { batcher, batches, hold } = recording(4, 20);
    const release = hold();
    const first = batcher.submit(0, 1, "k", never); // runs alone, and holds the others in the queue
    await new Promise((r) => setTimeout(r, 60));
    const rest = [
      batcher.submit(1, 3, "k", never),
      batcher.submit(2, 2, "k", never),
      batcher.submit(3, 1, "k", never),
      batcher.submit(4, 9, "k", never),
    ];
    release();
    const done: Batched<number>[] = await Promise.all([first, ...rest]);
    assert.deepEqual(batches, [[0], [1, 3], [2], [4]]);
    assert.deepEqual(
      done.map((d) => d.batchRows),
      [1, 4, 2, 4, 9],
    );
  });

  it("batches only calls with the same key", async () => {
    const { batcher, batches } = recording(8, 30);
    await Promise.all([
      batcher.submit(1, 1, "a", never),
      batcher.submit(2, 1, "b", never),
      batcher.submit(3, 1, "a", never),
    ]);
    assert.deepEqual(batches, [[1, 3], [2]]);
  });

  it("with maxBatchSize 1 runs one call per inference", async () => {
    const { batcher, batches } = recording(1, 0);
    await Promise.all([1, 2, 3].map((p) => batcher.submit(p, 1, "k", never)));
    assert.deepEqual(batches, [[1], [2], [3]]);
  });

  it("removes a call cancelled while queued; the others still run", async () => {
    const { batcher, batches } = recording(8, 100);
    const controller = new AbortController();
    const cancelled = batcher.submit(1, 1, "k", controller.signal);
    const kept = batcher.submit(2, 1, "k", never);
    controller.abort();
    await assert.rejects(
      cancelled,
      (err: unknown) => err instanceof ClusterError && err.code === "CANCELLED",
    );
    assert.equal((await kept).result, 4);
    assert.deepEqual(batches, [[2]]);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(batcher.submit(3, 1, "k", aborted.signal), (err: unknown) => {
      return err instanceof ClusterError && err.code === "CANCELLED";
    });
    assert.equal(batcher.queued, 0);
  });

  it("fails every call of a batch whose run throws, and keeps serving", async () => {
    let fail = true;
    const batcher = new DynamicBatcher<number, number>(
      { maxBatchSize: 4, batchWaitTimeoutMs: 20 },
      async (p) => {
        if (fail) throw new Error("boom");
        return p;
      },
    );
    const results = await Promise.allSettled([1, 2].map((p) => batcher.submit(p, 1, "k", never)));
    assert.deepEqual(
      results.map((r) => r.status),
      ["rejected", "rejected"],
    );
    fail = false;
    assert.equal((await batcher.submit(5, 1, "k", never)).result, 5);
  });
});
