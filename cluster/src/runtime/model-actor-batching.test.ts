import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { InferResult } from "@neurogrid/schema";
import fc from "fast-check";
import { ClusterError } from "../errors.js";
import { mulberry32 } from "../models/prng.js";
import type { ActorContext, ActorInstance } from "./actor-class.js";
import { createModelActor, type ModelHealth } from "./model-actor.js";

const ctx: ActorContext = { actorId: "model-batching-test", gpuIds: [], cudaVisibleDevices: "" };
const never = new AbortController().signal;
const MAX_BATCH = 8;

function rowsOf(count: number, seed: number, width = 16): number[][] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: width }, () => Math.fround(random() * 4 - 2)),
  );
}

function assertClose(actual: unknown, expected: unknown, label: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${label}: shape`);
    expected.forEach((e, i) => {
      assertClose((actual as unknown[])[i], e, `${label}[${i}]`);
    });
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    assert.deepEqual(Object.keys(actual as object), Object.keys(expected), `${label}: names`);
    for (const [name, e] of Object.entries(expected)) {
      assertClose((actual as Record<string, unknown>)[name], e, `${label}.${name}`);
    }
    return;
  }
  assert.ok(
    Math.abs((actual as number) - (expected as number)) <= 1e-5,
    `${label}: ${actual} vs ${expected}`,
  );
}

function isCode(code: string): (err: unknown) => boolean {
  return (err) => err instanceof ClusterError && err.code === code;
}

describe("model actor dynamic batching", () => {
  let cacheDir: string;
  let batched: ActorInstance;
  let unbatched: ActorInstance;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "model-batching-test-"));
    const model = { name: "mlp-classifier", version: "1", cacheDir, intraOpNumThreads: 1 };
    batched = await createModelActor(
      { ...model, batching: { maxBatchSize: MAX_BATCH, batchWaitTimeoutMs: 5 } },
      ctx,
    );
    unbatched = await createModelActor(model, ctx);
  });
  after(async () => {
    await batched.close();
    await unbatched.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  const withBatching = (maxBatchSize: number, batchWaitTimeoutMs: number) =>
    createModelActor(
      { name: "mlp-classifier", version: "1", cacheDir, batching: { maxBatchSize, batchWaitTimeoutMs } },
      ctx,
    );

  it("declares a high maxConcurrency and reports its limits in health", async () => {
    assert.ok((batched.maxConcurrency ?? 0) >= 1_000);
    const health = (await batched.call("health", {}, never)) as ModelHealth;
    assert.deepEqual(health.batching, { maxBatchSize: MAX_BATCH, batchWaitTimeoutMs: 5 });
    assert.equal(((await unbatched.call("health", {}, never)) as ModelHealth).batching, undefined);
  });

  it("runs concurrent calls as one batch; each gets its own rows", async () => {
    const wide = await withBatching(64, 2_000);
    try {
      const inputs = [1, 2, 3, 2].map((rows, i) => rowsOf(rows, 100 + i));
      // 8 rows in all, under maxBatchSize: they wait for each other (the timeout is long, but
      // the batch is not full), so send a filler to fill it to 64 and start it at once.
      const calls = [...inputs, rowsOf(56, 99)].map(
        (features) => wide.call("infer", { inputs: { features } }, never) as Promise<InferResult>,
      );
      const results = await Promise.all(calls);
      for (const [i, features] of inputs.entries()) {
        const result = results[i] as InferResult;
        assert.equal(result.batchSize, 64);
        assert.equal(result.batchRequests, 5);
        const alone = (await unbatched.call("infer", { inputs: { features } }, never)) as InferResult;
        assert.equal(alone.batchSize, features.length);
        assertClose(result.outputs, alone.outputs, `call ${i}`);
      }
    } finally {
      await wide.close();
    }
  });

  it("removes a cancelled call from its batch, and a bad call fails alone", async () => {
    const slow = await withBatching(64, 300);
    try {
      const controller = new AbortController();
      const a = slow.call("infer", { inputs: { features: rowsOf(2, 1) } }, never) as Promise<InferResult>;
      const cancelled = slow.call("infer", { inputs: { features: rowsOf(3, 2) } }, controller.signal);
      const bad = slow.call("infer", { inputs: { features: rowsOf(1, 3, 15) } }, never);
      const b = slow.call("infer", { inputs: { features: rowsOf(1, 4) } }, never) as Promise<InferResult>;
      controller.abort();
      await assert.rejects(cancelled, isCode("CANCELLED"));
      await assert.rejects(bad, isCode("INVALID_ARGUMENT"));
      const [ra, rb] = await Promise.all([a, b]);
      assert.deepEqual([ra.batchSize, ra.batchRequests], [3, 2]);
      assert.deepEqual([rb.batchSize, rb.batchRequests], [3, 2]);
      assert.equal((rb.outputs.logits as number[][]).length, 1);
    } finally {
      await slow.close();
    }
  });

  it("property: under concurrency, batched results equal unbatched ones", async () => {
    const call = fc.record({
      rows: fc.integer({ min: 1, max: 5 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      kind: fc.constantFrom("valid", "valid", "valid", "invalid", "cancel"),
      delayMs: fc.constantFrom(0, 0, 1, 3),
    });
    let sharedAnInference = false;
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 14 }), async (calls) => {
        const outcomes = calls.map(async (c) => {
          if (c.delayMs > 0) await new Promise((r) => setTimeout(r, c.delayMs));
          const features = rowsOf(c.rows, c.seed, c.kind === "invalid" ? 17 : 16);
          const controller = new AbortController();
          const pending = batched.call("infer", { inputs: { features } }, controller.signal);
          if (c.kind === "cancel") controller.abort();
          return {
            c,
            features,
            settled: await pending.then(
              (v) => ({ v }),
              (e: unknown) => ({ e }),
            ),
          };
        });
        for (const { c, features, settled } of await Promise.all(outcomes)) {
          if (c.kind === "invalid") {
            assert.ok("e" in settled && isCode("INVALID_ARGUMENT")(settled.e));
            continue;
          }
          if ("e" in settled) {
            // Only a cancelled call may fail, and only as CANCELLED.
            assert.equal(c.kind, "cancel", String(settled.e));
            assert.ok(isCode("CANCELLED")(settled.e));
            continue;
          }
          const result = settled.v as InferResult;
          assert.ok(result.batchSize >= c.rows && result.batchSize <= Math.max(MAX_BATCH, c.rows));
          if (result.batchRequests > 1) sharedAnInference = true;
          const alone = (await unbatched.call("infer", { inputs: { features } }, never)) as InferResult;
          assertClose(result.outputs, alone.outputs, "outputs");
        }
      }),
      { numRuns: 40, seed: 20261125 },
    );
    assert.ok(sharedAnInference, "no call ever shared an inference");
  });
});
