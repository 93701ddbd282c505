/**
 * NEURO amounts. The token has 9 decimals; every amount is an integer count of its smallest unit
 * (1 NEURO = 10^9 units), a `bigint` in TypeScript — never a floating-point number. Decimal
 * strings ("1.5") exist only at the edges (user input, JSON, display) and are converted here,
 * exactly, in both directions.
 *
 * Accepted decimal strings: an optional leading "-", one or more digits, and optionally a "."
 * followed by 1 to 9 digits. Nothing else: no "+", no whitespace, no exponent ("1e9"), no bare
 * "." (".5", "1."), no digit grouping.
 */
import { ContractsError } from "./errors.js";

/** Decimals of the NEURO SPL token (its mint's `decimals`). */
export const NEURO_DECIMALS = 9;

/** Smallest units in one NEURO: 10^9. */
export const UNITS_PER_NEURO = 10n ** BigInt(NEURO_DECIMALS);

const AMOUNT_PATTERN = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Parses a decimal NEURO string ("1.5") into smallest units (1500000000n). */
export function parseNeuro(text: string): bigint {
  if (typeof text !== "string") {
    throw new ContractsError("INVALID_AMOUNT", `amount must be a decimal string, got ${typeof text}`);
  }
  const match = AMOUNT_PATTERN.exec(text);
  if (!match) {
    throw new ContractsError(
      "INVALID_AMOUNT",
      `invalid NEURO amount ${JSON.stringify(text)}: expected digits with an optional leading "-" and up to ${NEURO_DECIMALS} decimals`,
    );
  }
  const [, sign = "", whole = "0", fraction = ""] = match;
  if (fraction.length > NEURO_DECIMALS) {
    throw new ContractsError(
      "INVALID_AMOUNT",
      `invalid NEURO amount ${JSON.stringify(text)}: more than ${NEURO_DECIMALS} decimals`,
    );
  }
  const units = BigInt(whole) * UNITS_PER_NEURO + BigInt(fraction.padEnd(NEURO_DECIMALS, "0"));
  return sign === "-" ? -units : units;
}

/** Formats smallest units as a decimal NEURO string: 1500000000n -> "1.5", 0n -> "0", -1n -> "-0.000000001". */
export function formatNeuro(units: bigint): string {
  if (typeof units !== "bigint") {
    throw new ContractsError("INVALID_AMOUNT", `amount must be a bigint, got ${typeof units}`);
  }
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const whole = magnitude / UNITS_PER_NEURO;
  const fraction = (magnitude % UNITS_PER_NEURO).toString().padStart(NEURO_DECIMALS, "0").replace(/0+$/, "");
  const body = fraction === "" ? whole.toString() : `${whole}.${fraction}`;
  return negative ? `-${body}` : body;
}
