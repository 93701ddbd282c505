import type { ReferenceModel } from "@neurogrid/cluster/reference";
import { type ModelManifest, type ModelSource, taskKindOf } from "@neurogrid/schema";
import { modelCacheDirOf } from "../registry/model-cache-dir.js";
import { modelActorSpec } from "../tasks/model-actor-spec.js";
import { taskAnswerOf, taskCallOf } from "../tasks/task-call.js";
import { knownClips, knownGenerations, knownInputs } from "./known-inputs.js";

/**
 * Known answers: for a model version, a small pool of inputs (known-inputs.ts, from this
 * process's secret seed) with the answers the platform computed itself, by running the model's
 * own file in this process on the CPU (cluster's openReferenceModel: the actor's own loading and
 * `infer`). No provider is ever asked. Computed once per model version and kept for the life of
 * the process; the reference model is released once its pool is computed.
 *
 * Tensor models, generations and speech models have known answers: a tensor model's `infer`
 * outputs for generated input tensors, a generation's whole text for a generated prompt with a
 * seed of its own, and a speech task's segments for a generated speech-like clip (known-inputs.ts),
 * each from the model's own method as a task of its kind calls it (task-call.ts). An OCR task has
 * no model of its own (its pipeline calls the detection and recognition models, which are tensor
 * models with known answers of their own) and no task-level rule.
 */
export interface KnownAnswer {
  /** The task's input: input tensors, or a generation's arguments. */
  input: Record<string, unknown>;
  /** Its result: output tensors, or { text, finishReason }. */
  expected: unknown;
}

/** Inputs (with answers) kept per model version: onboarding takes the first ones, canaries any. */
const KNOWN_ANSWERS_PER_MODEL = 8;

/** Whether a model's tasks can be known-answer tasks (see the header). */
export function hasKnownAnswers(manifest: ModelManifest): boolean {
  const kind = taskKindOf(manifest);
  return (
    kind === "tensor" || kind === "vad" || (kind === "generate" && (manifest.vocabulary?.length ?? 0) > 0)
  );
}

/** Opens a model version's reference: its file, from where this api keeps model files. */
export type ReferenceOpener = (manifest: ModelManifest) => Promise<ReferenceModel>;

/** The reference of a model as its replicas load it, from the api's model cache directory. */
export function referenceFromCache(cacheDir: string | undefined): ReferenceOpener {
  return async (manifest) => {
    // The replica spec without a public URL names the file in this api's own cache (a builtin
    // model is built there), so the reference is the very file every replica verifies it has.
    const init = modelActorSpec(manifest, { cacheDir }).initArgs as ModelSource;
    const { name, version, path, sha256, manifest: registered } = init;
    // Loaded on first use: onnxruntime's native binding stays out of processes that never need it.
    const { openReferenceModel } = await import("@neurogrid/cluster/reference");
    return openReferenceModel({
      name,
      version,
      cacheDir: modelCacheDirOf(cacheDir),
      ...(path !== undefined ? { path, sha256, manifest: registered } : {}),
    });
  };
}

export class KnownAnswers {
  readonly #open: ReferenceOpener;
  readonly #seed: number;
  readonly #pools = new Map<string, Promise<KnownAnswer[]>>();

  constructor(open: ReferenceOpener, seed: number) {
    this.#open = open;
    this.#seed = seed;
  }

  /** The model version's pool (computed on first use; a failure is not kept). */
  of(manifest: ModelManifest): Promise<KnownAnswer[]> {
    const key = `${manifest.name}@${manifest.version}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = this.#compute(manifest);
      pool.catch(() => this.#pools.delete(key));
      this.#pools.set(key, pool);
    }
    return pool;
  }

  async #compute(manifest: ModelManifest): Promise<KnownAnswer[]> {
    const reference = await this.#open(manifest);
    try {
      const answers: KnownAnswer[] = [];
      if (taskKindOf(manifest) === "vad") {
        for (const input of knownClips(this.#seed, KNOWN_ANSWERS_PER_MODEL)) {
          const call = taskCallOf(manifest, input);
          const answer = await reference.call(call.method, call.args);
          answers.push({ input, expected: taskAnswerOf(manifest, answer, Number.MAX_SAFE_INTEGER).result });
        }
        return answers;
      }
      if (taskKindOf(manifest) === "generate") {
        for (const args of knownGenerations(manifest, this.#seed, KNOWN_ANSWERS_PER_MODEL))
          answers.push({ input: args, expected: await reference.generate(args) });
        return answers;
      }
      for (const input of knownInputs(manifest, this.#seed, KNOWN_ANSWERS_PER_MODEL))
        answers.push({ input, expected: await reference.infer(input) });
      return answers;
    } finally {
      await reference.close();
    }
  }
}
