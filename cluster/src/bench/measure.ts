/** Shared pieces of the cluster benchmarks: arguments, rate loops, output. */
import { parseArgs } from "node:util";

/** `--json` and positive numeric options (`--seconds 2`), each with its default. */
export function benchArgs<K extends string>(
  argv: readonly string[],
  defaults: Record<K, number>,
): Record<K, number> & { json: boolean } {
  const names = Object.keys(defaults) as K[];
  const options: Record<string, { type: "string" | "boolean" }> = { json: { type: "boolean" } };
  for (const name of names) options[name] = { type: "string" };
  const { values } = parseArgs({ args: [...argv], options, strict: true });
  const out = { json: values.json === true } as Record<K, number> & { json: boolean };
  for (const name of names) {
    const raw = values[name];
    const value = typeof raw === "string" ? Number(raw) : defaults[name];
    if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
    (out as Record<K, number>)[name] = value;
  }
  return out;
}

/** Runs `once` with `inFlight` calls always open for `seconds`; returns completed calls per second. */
export async function callRate(
  inFlight: number,
  seconds: number,
  once: () => Promise<unknown>,
): Promise<number> {
  const end = performance.now() + seconds * 1_000;
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await once();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1_000);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
