/**
 * What a task's input is, by its model's task kind (task-kind.ts in @neurogrid/schema):
 *   - ocr and vad: a media file, checked from its header (media-input.ts), priced per call;
 *   - a model priced per output token streams (its actors' `generate`): the input is the
 *     generation's arguments { prompt, maxTokens?, temperature?, seed? }; maxTokens (default
 *     min(64, the model's maxUnits)) bounds the escrow: price x maxTokens;
 *   - any other model runs `infer`: the input is a tensor map checked against the manifest, of
 *     at most the manifest's maxRows rows (DEFAULT_MAX_ROWS): one task's price buys that much.
 * The stored input is the normalised one (maxTokens filled in), and so is the pricing the task
 * keeps (maxUnits = maxTokens).
 */
import { generationArgsSchema, validateTensorMap } from "@neurogrid/cluster/models";
import { DEFAULT_MAX_ROWS, type ModelManifest, type Pricing, taskKindOf } from "@neurogrid/schema";
import { badInput } from "../errors.js";
import { pricingOf } from "../pricing/pricing.js";
import { ocrInputOf, vadInputOf } from "./media-input.js";

const DEFAULT_MAX_TOKENS = 64;

export interface TaskInput {
  input: Record<string, unknown>;
  pricing: Pricing;
}

/** Whether tasks of this model stream tokens (priced per output token). */
export function isGenerative(manifest: ModelManifest): boolean {
  return pricingOf(manifest).unit === "output_token";
}

export function taskInputOf(
  model: { name: string; version: string; manifest: ModelManifest },
  raw: unknown,
): TaskInput {
  const pricing = pricingOf(model.manifest);
  const label = `${model.name}@${model.version}`;
  const kind = taskKindOf(model.manifest);
  if (kind === "ocr") return { input: ocrInputOf(label, model.manifest, raw), pricing };
  if (kind === "vad") return { input: vadInputOf(label, model.manifest, raw), pricing };
  if (pricing.unit !== "output_token") {
    const valid = validateTensorMap(model.manifest.inputs, raw);
    if (!valid.ok) throw badInput(`input does not match model ${label}: ${valid.message}`);
    const overflow = float32Overflow(model.manifest, raw as Record<string, unknown>);
    if (overflow) throw badInput(`input does not match model ${label}: ${overflow}`);
    const maxRows = model.manifest.maxRows ?? DEFAULT_MAX_ROWS;
    const rows = rowsOf(model.manifest, raw as Record<string, unknown>);
    if (rows > maxRows) {
      throw badInput(
        `input of ${label} has ${rows} rows; one task takes at most ${maxRows} (submit more tasks)`,
      );
    }
    return { input: raw as Record<string, unknown>, pricing };
  }
  const parsed = generationArgsSchema(pricing.maxUnits).partial({ maxTokens: true }).safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
    throw badInput(
      `input of ${label} (a language model) must be { prompt, maxTokens?, temperature?, seed? }: ${why}`,
    );
  }
  const outside = outsideVocabulary(model.manifest, parsed.data.prompt);
  if (outside) throw badInput(`input of ${label}: prompt: ${outside}`, { param: "prompt" });
  const maxTokens = parsed.data.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, pricing.maxUnits);
  return { input: { ...parsed.data, maxTokens }, pricing: { ...pricing, maxUnits: maxTokens } };
}

/** The largest finite float32; a bigger number would run as Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * A float32 input's element that float32 cannot hold (|x| > 3.4e38: the model would see
 * Infinity), named by its path; undefined when there is none. Nested arrays only (a binary
 * tensor's bytes are float32 already).
 */
function float32Overflow(manifest: ModelManifest, input: Record<string, unknown>): string | undefined {
  for (const spec of manifest.inputs) {
    if (spec.dtype !== "float32") continue;
    const at = overflowAt(input[spec.name]);
    if (at !== undefined) return `${spec.name}${at}: beyond float32's range (±3.4e38)`;
  }
  return undefined;
}

/** The index path of the first element beyond float32's range ("[0][3]"), built only when found. */
function overflowAt(value: unknown): string | undefined {
  if (typeof value === "number") return Math.abs(value) > FLOAT32_MAX ? "" : undefined;
  if (!Array.isArray(value)) return undefined;
  for (let i = 0; i < value.length; i++) {
    const at = overflowAt(value[i]);
    if (at !== undefined) return `[${i}]${at}`;
  }
  return undefined;
}

/** The most rows any input has (the length of a leading dynamic dimension: nested or binary). */
function rowsOf(manifest: ModelManifest, input: Record<string, unknown>): number {
  let rows = 0;
  for (const spec of manifest.inputs) {
    if (spec.shape[0] !== -1) continue;
    const value = input[spec.name];
    const n = Array.isArray(value)
      ? value.length
      : ((value as { dims?: number[] } | undefined)?.dims?.[0] ?? 0);
    rows = Math.max(rows, n);
  }
  return rows;
}

/**
 * Why a prompt cannot go to this model (undefined: it can): the characters it holds that the
 * model's vocabulary lacks (ModelManifest.vocabulary), named, so a client sees at submit what the
 * model would refuse, before anything is held.
 */
export function outsideVocabulary(manifest: ModelManifest, prompt: string): string | undefined {
  if (!manifest.vocabulary) return undefined;
  const known = new Set(manifest.vocabulary);
  const unknown = [...new Set([...prompt].filter((c) => !known.has(c)))];
  if (unknown.length === 0) return undefined;
  const shown = unknown
    .slice(0, 20)
    .map((c) => JSON.stringify(c))
    .join(", ");
  return `characters not in the model's vocabulary: ${shown}${unknown.length > 20 ? ", …" : ""} (its manifest lists the vocabulary)`;
}
