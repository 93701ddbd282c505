import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { costOf, escrowOf, unitsUsed } from "./pricing.js";

const perCall = { unit: "call" as const, price: "1000000", maxUnits: 1 };
const perToken = { unit: "output_token" as const, price: "2500", maxUnits: 256 };
const perMs = { unit: "compute_ms" as const, price: "7", maxUnits: 30_000 };

test("escrow is price x maxUnits", () => {
  assert.equal(escrowOf(perCall), 1_000_000n);
  assert.equal(escrowOf(perToken), 640_000n);
  assert.equal(escrowOf(perMs), 210_000n);
});

test("a call costs its price only when it completed", () => {
  assert.deepEqual(costOf(perCall, { completed: true }), { units: 1n, cost: 1_000_000n });
  assert.deepEqual(costOf(perCall, { completed: false }), { units: 0n, cost: 0n });
});

test("tokens are charged as produced, capped at the escrow", () => {
  assert.deepEqual(costOf(perToken, { completed: false, outputTokens: 10 }), { units: 10n, cost: 25_000n });
  assert.deepEqual(costOf(perToken, { completed: true, outputTokens: 1000 }).cost, escrowOf(perToken));
});

test("compute time rounds up to whole milliseconds and stops at the timeout", () => {
  assert.equal(unitsUsed(perMs, { completed: true, computeMs: 0.026 }), 1n);
  assert.equal(unitsUsed(perMs, { completed: true, computeMs: 12.0 }), 12n);
  assert.equal(unitsUsed(perMs, { completed: true, computeMs: 12.0001 }), 13n);
  assert.equal(costOf(perMs, { completed: false, computeMs: 99_999 }).cost, 210_000n);
  assert.equal(costOf(perMs, { completed: false }).cost, 0n);
});

test("no usage ever costs more than its escrow or less than zero", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(perCall, perToken, perMs),
      fc.boolean(),
      fc.double({ min: -10, max: 1e6, noNaN: true }),
      fc.integer({ min: -5, max: 100_000 }),
      (pricing, completed, ms, tokens) => {
        const { cost } = costOf(pricing, { completed, computeMs: ms, outputTokens: tokens });
        return cost >= 0n && cost <= escrowOf(pricing);
      },
    ),
  );
});
