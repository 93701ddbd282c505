import assert from "node:assert/strict";
import { test } from "node:test";
import { VerificationStatus } from "@neurogrid/schema";
import fc from "fast-check";
import {
  isVerificationOpen,
  type VerificationEvent,
  verificationTransition,
} from "./verification-lifecycle.js";

const event = fc.constantFrom<VerificationEvent>(
  { type: "sample" },
  { type: "agree" },
  { type: "disagree" },
  { type: "resolve" },
  { type: "abandon" },
);

const EDGES = new Set([
  "UNCHECKED>SAMPLED",
  "SAMPLED>VERIFIED",
  "SAMPLED>DISPUTED",
  "SAMPLED>UNCHECKED",
  "DISPUTED>RESOLVED",
]);

test("any sequence of events (repeated, reordered) moves only along the diagram's edges", () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 30 }), (events) => {
      let state: VerificationStatus = VerificationStatus.UNCHECKED;
      for (const e of events) {
        const next = verificationTransition(state, e);
        if (next !== state) assert.ok(EDGES.has(`${state}>${next}`), `${e.type}: ${state} -> ${next}`);
        state = next;
      }
    }),
  );
});

test("each event moves from exactly one state", () => {
  const states = Object.values(VerificationStatus);
  for (const type of ["sample", "agree", "disagree", "abandon", "resolve"] as const) {
    const moving = states.filter((s) => verificationTransition(s, { type }) !== s);
    assert.equal(moving.length, 1, `${type} moves from ${moving.join(", ")}`);
  }
});

test("VERIFIED and RESOLVED absorb every event; SAMPLED and DISPUTED are open", () => {
  for (const final of [VerificationStatus.VERIFIED, VerificationStatus.RESOLVED]) {
    for (const type of ["sample", "agree", "disagree", "abandon", "resolve"] as const) {
      assert.equal(verificationTransition(final, { type }), final);
    }
    assert.equal(isVerificationOpen(final), false);
  }
  assert.equal(isVerificationOpen(VerificationStatus.SAMPLED), true);
  assert.equal(isVerificationOpen(VerificationStatus.DISPUTED), true);
  assert.equal(isVerificationOpen(VerificationStatus.UNCHECKED), false);
});
