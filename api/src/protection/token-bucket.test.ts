/**
 * The shared token bucket with local leases, on a real Redis: two buckets on one prefix stand
 * for two api processes. Together they never admit more than the capacity (leases are taken
 * from the shared bucket), most takes need no Redis round trip, a refused take spends nothing
 * it had leased, and a small bucket (no leases) is exact call by call.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Redis } from "ioredis";
import { testRedisUrl, uniquePrefix } from "../testing/test-database.js";
import { TokenBucket } from "./token-bucket.js";

const redis = new Redis(testRedisUrl());
after(() => redis.disconnect());

/** A bucket whose Redis calls are counted. */
function counted(prefix: string, capacity: number, rate: number) {
  const connection = new Redis(testRedisUrl());
  const bucket = new TokenBucket(connection, prefix, capacity, rate);
  const calls = { n: 0 };
  const command = (connection as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)
    .neurogridTakeTokens as (...a: unknown[]) => Promise<unknown>;
  (connection as unknown as Record<string, unknown>).neurogridTakeTokens = (...a: unknown[]) => {
    calls.n++;
    return command.apply(connection, a);
  };
  return { bucket, calls, close: () => connection.disconnect() };
}

test("two processes together admit exactly the capacity, mostly without asking Redis", async () => {
  const prefix = uniquePrefix("bucket");
  const a = counted(prefix, 100, 0.001);
  const b = counted(prefix, 100, 0.001);
  try {
    let admitted = 0;
    let takes = 0;
    while (admitted < 100 && takes < 200) {
      const d = await (takes++ % 3 === 0 ? b : a).bucket.take("k");
      if (d.allowed) admitted++;
    }
    const callsWhileAdmitting = a.calls.n + b.calls.n;
    assert.ok(callsWhileAdmitting <= 25, `${callsWhileAdmitting} Redis calls for ${takes} takes`);
    for (let i = 0; i < 50; i++) {
      if ((await (i % 2 === 0 ? a : b).bucket.take("k")).allowed) admitted++;
    }
    assert.equal(admitted, 100, "never more than the capacity");
    const refused = await a.bucket.take("k");
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs > 0);
  } finally {
    a.close();
    b.close();
  }
});

test("a refused take of n spends nothing it had leased", async () => {
  const b = counted(uniquePrefix("bucket"), 50, 0.001);
  try {
    assert.equal((await b.bucket.take("k")).allowed, true); // 1, and a lease of 5
    assert.equal((await b.bucket.take("k", 59)).allowed, false);
    assert.equal((await b.bucket.take("k", 49)).allowed, true, "50 - 1: the lease was kept");
    assert.equal((await b.bucket.take("k")).allowed, false);
  } finally {
    b.close();
  }
});

test("a bucket under 10 tokens leases nothing: every take asks Redis", async () => {
  const b = counted(uniquePrefix("bucket"), 5, 0.001);
  try {
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push((await b.bucket.take("k")).allowed);
    assert.deepEqual(decisions, [true, true, true, true, true, false]);
    assert.equal(b.calls.n, 6);
  } finally {
    b.close();
  }
});
