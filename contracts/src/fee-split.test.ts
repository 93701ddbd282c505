import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ContractsError } from "./errors.js";
import { splitFee } from "./fee-split.js";
import { randomAmount, seededRandom } from "./test-random.js";

describe("splitFee", () => {
  it("takes floor(amount * bps / 10000) as the fee and leaves the rest to the provider", () => {
    assert.deepEqual(splitFee(1_000_000n, 500), { fee: 50_000n, provider: 950_000n });
    assert.deepEqual(splitFee(999n, 1000), { fee: 99n, provider: 900n });
    assert.deepEqual(splitFee(1n, 9999), { fee: 0n, provider: 1n });
    assert.deepEqual(splitFee(0n, 500), { fee: 0n, provider: 0n });
    assert.deepEqual(splitFee(12345n, 0), { fee: 0n, provider: 12345n });
    assert.deepEqual(splitFee(12345n, 10_000), { fee: 12345n, provider: 0n });
  });

  it("rejects fee rates that are not integers in 0..10000", () => {
    for (const bps of [-1, 10_001, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => splitFee(100n, bps),
        (err: unknown) => err instanceof ContractsError && err.code === "INVALID_FEE_BPS",
        `feeBps ${bps}`,
      );
    }
  });

  it("rejects negative amounts", () => {
    assert.throws(
      () => splitFee(-1n, 500),
      (err: unknown) => err instanceof ContractsError && err.code === "INVALID_AMOUNT",
    );
  });

  it("always sums to the amount, with the fee within [0, amount] (many random amounts and rates)", () => {
    const random = seededRandom(0xfee);
    for (let i = 0; i < 10_000; i++) {
      const amount = randomAmount(random, { allowNegative: false });
      const bps = Math.floor(random() * 10_001);
      const { fee, provider } = splitFee(amount, bps);
      assert.equal(fee + provider, amount, `amount ${amount} bps ${bps}`);
      assert.ok(fee >= 0n && fee <= amount, `fee ${fee} of ${amount}`);
      // floor: fee * 10000 <= amount * bps < (fee + 1) * 10000
      assert.ok(fee * 10_000n <= amount * BigInt(bps));
      assert.ok(amount * BigInt(bps) < (fee + 1n) * 10_000n);
    }
  });
});
