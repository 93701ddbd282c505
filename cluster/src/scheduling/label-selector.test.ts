import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileSelector, matches } from "./label-selector.js";

describe("label selectors", () => {
  const labels = { zone: "eu-1", gpu: "a100" };
  const test = (selector: Record<string, string>) => matches(compileSelector(selector), labels);

  it("matches equality, negation and in(...) terms, all of which must hold", () => {
    assert.equal(test({}), true);
    assert.equal(test({ zone: "eu-1" }), true);
    assert.equal(test({ zone: "us-1" }), false);
    assert.equal(test({ zone: "!us-1" }), true);
    assert.equal(test({ zone: "!eu-1" }), false);
    assert.equal(test({ region: "!x" }), true, "an absent label is not x");
    assert.equal(test({ gpu: "in(h100, a100)" }), true);
    assert.equal(test({ gpu: "!in(h100,a100)" }), false);
    assert.equal(test({ zone: "eu-1", gpu: "h100" }), false);
  });

  it("lists the plain-equality terms for the label index", () => {
    assert.equal(compileSelector({})?.equalities, undefined);
    assert.equal(compileSelector({ a: "1", b: "!2", c: "in(3)" })?.equalities.length, 2);
  });
});
