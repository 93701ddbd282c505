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
);

test("any sequence of events (repeated, reordered) walks one of the two paths, each state once", () => {
  const paths = [
    ["UNCHECKED", "SAMPLED", "VERIFIED"],
    ["UNCHECKED", "SAMPLED", "DISPUTED", "RESOLVED"],
  ];
  fc.assert(
    fc.property(fc.array(event, { maxLength: 30 }), (events) => {
      const states: VerificationStatus[] = [VerificationStatus.UNCHECKED];
      for (const e of events) {
        const next = verificationTransition(states.at(-1) as VerificationStatus, e);
        if (next !== states.at(-1)) states.push(next);
      }
      assert.ok(
        paths.some((p) => p.slice(0, states.length).join() === states.join()),
        `walked ${states.join(" -> ")}`,
      );
    }),
  );
});

test("VERIFIED and RESOLVED absorb every event; SAMPLED and DISPUTED are open", () => {
  for (const final of [VerificationStatus.VERIFIED, VerificationStatus.RESOLVED]) {
    for (const type of ["sample", "agree", "disagree", "resolve"] as const) {
      assert.equal(verificationTransition(final, { type }), final);
    }
    assert.equal(isVerificationOpen(final), false);
  }
  assert.equal(isVerificationOpen(VerificationStatus.SAMPLED), true);
  assert.equal(isVerificationOpen(VerificationStatus.DISPUTED), true);
  assert.equal(isVerificationOpen(VerificationStatus.UNCHECKED), false);
});
