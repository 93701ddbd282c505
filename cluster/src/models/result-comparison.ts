/**
 * Do two results of the same task input agree? The rule is the model's (ModelManifest.comparison,
 * @neurogrid/schema's model.ts); result verification re-runs a task on another provider's node
 * and asks this. Pure: results are the JSON a task stores, an output map (tensor name -> nested
 * arrays, from `infer`) or a generation ({ text, finishReason }, from `generate`).
 *
 *   exact    every output's values and shape identical
 *   close    shapes identical, every value within its output's tolerance:
 *            |a - b| <= atol + rtol * max(|a|, |b|) (symmetric, unlike numpy's allclose)
 *   argmax   per row (all but the last axis), the index of the first largest value identical
 *   topk     per row, the same set of k largest indices (ties broken by the lower index)
 *   text     the generated text identical; a result without text is compared as `exact`
 *
 * A generation is compared by its text whatever the rule (a token has no tolerance). Every rule
 * is reflexive and symmetric (result-comparison.test.ts checks both on random results), so which
 * run was first never decides a dispute.
 */
import {
  DEFAULT_TOLERANCE,
  type ModelManifest,
  type ResultComparison,
  type Tolerance,
} from "@neurogrid/schema";

export type ComparisonVerdict = { agree: true } | { agree: false; reason: string };

const AGREE: ComparisonVerdict = Object.freeze({ agree: true });

/** The manifest's rule, or `close` at DEFAULT_TOLERANCE when it declares none. */
export function comparisonOf(manifest: Pick<ModelManifest, "comparison">): ResultComparison {
  return manifest.comparison ?? { rule: "close" };
}

/** Why a manifest's comparison cannot apply to its outputs (undefined: it can). */
export function comparisonProblem(
  manifest: Pick<ModelManifest, "comparison" | "outputs">,
): string | undefined {
  const rule = manifest.comparison;
  if (rule === undefined) return undefined;
  const names = manifest.outputs.map((o) => o.name);
  const unknown = (name: string) =>
    names.includes(name) ? undefined : `comparison names output ${name}, not one of ${names.join(", ")}`;
  switch (rule.rule) {
    case "close":
      return Object.keys(rule.tolerances ?? {})
        .map(unknown)
        .find((p) => p !== undefined);
    case "argmax":
    case "topk":
      return unknown(rule.output);
    default:
      return undefined;
  }
}

/** Whether `a` and `b`, two results of one input, agree under the manifest's rule. */
export function compareResults(
  manifest: Pick<ModelManifest, "comparison" | "outputs">,
  a: unknown,
  b: unknown,
): ComparisonVerdict {
  const rule = comparisonOf(manifest);
  if (isGeneration(a) || isGeneration(b)) return compareText(a, b);
  const names = manifest.outputs.map((o) => o.name);
  switch (rule.rule) {
    case "exact":
    case "text":
      return eachOutput(names, a, b, (name, x, y) => closeValues(name, x, y, { atol: 0, rtol: 0 }));
    case "close":
      return eachOutput(names, a, b, (name, x, y) =>
        closeValues(name, x, y, rule.tolerances?.[name] ?? DEFAULT_TOLERANCE),
      );
    case "argmax":
      return eachOutput([rule.output], a, b, (name, x, y) => sameTopIndices(name, x, y, 1));
    case "topk":
      return eachOutput([rule.output], a, b, (name, x, y) => sameTopIndices(name, x, y, rule.k));
  }
}

function isGeneration(value: unknown): value is { text: string } {
  return (
    typeof value === "object" && value !== null && typeof (value as { text?: unknown }).text === "string"
  );
}

function compareText(a: unknown, b: unknown): ComparisonVerdict {
  if (!isGeneration(a) || !isGeneration(b))
    return { agree: false, reason: "one result is a generation, the other not" };
  if (a.text === b.text) return AGREE;
  let i = 0;
  while (i < a.text.length && a.text[i] === b.text[i]) i++;
  return {
    agree: false,
    reason: `text differs from character ${i}: ${JSON.stringify(a.text.slice(i, i + 16))} vs ${JSON.stringify(b.text.slice(i, i + 16))}`,
  };
}

interface Flat {
  dims: number[];
  values: number[];
}

/** A nested array of numbers as its shape and values in row-major order; undefined if ragged. */
function flatten(value: unknown): Flat | undefined {
  const dims: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) dims.push(v.length);
  const values: number[] = [];
  return collect(value, dims, 0, values) ? { dims, values } : undefined;
}

function collect(value: unknown, dims: readonly number[], depth: number, into: number[]): boolean {
  if (depth === dims.length) {
    if (typeof value !== "number") return false;
    into.push(value);
    return true;
  }
  if (!Array.isArray(value) || value.length !== dims[depth]) return false;
  return value.every((item) => collect(item, dims, depth + 1, into));
}

type OutputCheck = (name: string, a: Flat, b: Flat) => ComparisonVerdict;

function eachOutput(names: readonly string[], a: unknown, b: unknown, check: OutputCheck): ComparisonVerdict {
  for (const name of names) {
    const x = flatten(outputOf(a, name));
    const y = flatten(outputOf(b, name));
    if (x === undefined || y === undefined)
      return { agree: false, reason: `${name}: missing or not a rectangular array` };
    if (x.dims.join() !== y.dims.join()) {
      return { agree: false, reason: `${name}: shape [${x.dims.join(",")}] vs [${y.dims.join(",")}]` };
    }
    const verdict = check(name, x, y);
    if (!verdict.agree) return verdict;
  }
  return AGREE;
}

function outputOf(result: unknown, name: string): unknown {
  return typeof result === "object" && result !== null
    ? (result as Record<string, unknown>)[name]
    : undefined;
}

function closeValues(name: string, a: Flat, b: Flat, tolerance: Tolerance): ComparisonVerdict {
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i] as number;
    const y = b.values[i] as number;
    if (x === y) continue;
    const allowed = tolerance.atol + tolerance.rtol * Math.max(Math.abs(x), Math.abs(y));
    if (!(Math.abs(x - y) <= allowed)) {
      return { agree: false, reason: `${name}[${i}]: ${x} vs ${y} (|diff| ${Math.abs(x - y)} > ${allowed})` };
    }
  }
  return AGREE;
}

function sameTopIndices(name: string, a: Flat, b: Flat, k: number): ComparisonVerdict {
  const width = a.dims.at(-1) ?? 1;
  if (width === 0) return AGREE;
  for (let row = 0; row * width < a.values.length; row++) {
    const x = topIndices(a.values, row * width, width, k);
    const y = topIndices(b.values, row * width, width, k);
    if (x.join() !== y.join()) {
      return { agree: false, reason: `${name} row ${row}: top ${k} [${x.join(",")}] vs [${y.join(",")}]` };
    }
  }
  return AGREE;
}

/** The k largest indices of values[start, start+width), sorted ascending (a set). */
function topIndices(values: readonly number[], start: number, width: number, k: number): number[] {
  const indices = Array.from({ length: width }, (_, i) => i);
  indices.sort((i, j) => (values[start + j] as number) - (values[start + i] as number) || i - j);
  return indices.slice(0, Math.min(k, width)).sort((i, j) => i - j);
}
