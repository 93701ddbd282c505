import assert from "node:assert/strict";
import { test } from "node:test";
import { Kind } from "graphql";
import { TokenAmountScalar } from "./scalars.js";

test("TokenAmount is a decimal string outside and a bigint inside", () => {
  assert.equal(
    TokenAmountScalar.serialize(123456789012345678901234567890n),
    "123456789012345678901234567890",
  );
  assert.equal(TokenAmountScalar.parseValue("1000000000"), 1_000_000_000n);
  assert.equal(TokenAmountScalar.parseLiteral({ kind: Kind.STRING, value: "-5" }), -5n);
});

test("TokenAmount refuses floats and numbers", () => {
  assert.throws(() => TokenAmountScalar.parseValue("1.5"), /decimal integer/);
  assert.throws(() => TokenAmountScalar.parseValue(15), /decimal integer/);
  assert.throws(() => TokenAmountScalar.serialize(1.5), /bigint/);
  assert.throws(() => TokenAmountScalar.parseLiteral({ kind: Kind.INT, value: "5" }), /decimal integer/);
});
