import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ContractsError } from "./errors.js";
import { formatNeuro, NEURO_DECIMALS, parseNeuro } from "./neuro-amount.js";
import { randomAmount, seededRandom } from "./test-random.js";

function assertInvalid(text: string): void {
  assert.throws(
    () => parseNeuro(text),
    (err: unknown) => err instanceof ContractsError && err.code === "INVALID_AMOUNT",
    `expected INVALID_AMOUNT for ${JSON.stringify(text)}`,
  );
}

describe("parseNeuro", () => {
  it("has 9 decimals", () => {
    assert.equal(NEURO_DECIMALS, 9);
  });

  it("parses whole and fractional amounts exactly", () => {
    assert.equal(parseNeuro("1.5"), 1_500_000_000n);
    assert.equal(parseNeuro("0"), 0n);
    assert.equal(parseNeuro("-0"), 0n);
    assert.equal(parseNeuro("1"), 1_000_000_000n);
    assert.equal(parseNeuro("0.000000001"), 1n);
    assert.equal(parseNeuro("0.001"), 1_000_000n);
    assert.equal(parseNeuro("-2.25"), -2_250_000_000n);
    assert.equal(parseNeuro("123456789012345678901.123456789"), 123456789012345678901123456789n);
    assert.equal(parseNeuro("007.10"), 7_100_000_000n);
  });

  it("rejects more than 9 decimals", () => {
    assertInvalid("0.0000000001");
    assertInvalid("1.1234567890");
  });

  it("rejects empty strings, other signs, exponents, stray characters", () => {
    for (const text of [
      "",
      "-",
      "+1",
      "--1",
      "1-",
      "1e9",
      "1E9",
      ".5",
      "1.",
      " 1",
      "1 ",
      "1,5",
      "1_000",
      "0x10",
      "NaN",
      "Infinity",
      "1.2.3",
    ]) {
      assertInvalid(text);
    }
  });

  it("rejects non-strings at run time", () => {
    assert.throws(() => parseNeuro(1.5 as unknown as string), ContractsError);
  });
});

describe("formatNeuro", () => {
  it("formats with the shortest exact decimal", () => {
    assert.equal(formatNeuro(1_500_000_000n), "1.5");
    assert.equal(formatNeuro(0n), "0");
    assert.equal(formatNeuro(1n), "0.000000001");
    assert.equal(formatNeuro(1_000_000_000n), "1");
    assert.equal(formatNeuro(-1n), "-0.000000001");
    assert.equal(formatNeuro(-2_250_000_000n), "-2.25");
    assert.equal(formatNeuro(123456789012345678901123456789n), "123456789012345678901.123456789");
  });

  it("round-trips: parseNeuro(formatNeuro(x)) === x over many random amounts", () => {
    const random = seededRandom(0x6e6575);
    for (let i = 0; i < 10_000; i++) {
      const amount = randomAmount(random, { allowNegative: true });
      const text = formatNeuro(amount);
      assert.equal(parseNeuro(text), amount, `round trip of ${amount} via ${text}`);
    }
  });
});
