/** Deterministic random amounts for the property-style tests (seeded, so a failure reproduces). */

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random amount with 1 to 30 digits (so both tiny and huge values occur), optionally negative. */
export function randomAmount(random: () => number, options: { allowNegative: boolean }): bigint {
  const digits = 1 + Math.floor(random() * 30);
  let text = "";
  for (let i = 0; i < digits; i++) text += Math.floor(random() * 10).toString();
  const value = BigInt(text);
  return options.allowNegative && random() < 0.5 ? -value : value;
}
