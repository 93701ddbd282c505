/**
 * What the model mux is given, as data: its initArgs and each call's model reference, with the
 * rule that turns a reference into the model source to load. The types are the contract in
 * @neurogrid/schema (model-mux-contract.ts); these are their parsers.
 *
 *   initArgs ModelMuxInit { maxModels?, maxBytes? (at least one), models?: ModelSource[] (the
 *              allowed models), cacheDir?, executionProviders?, intraOpNumThreads? }
 *   call     MuxInferArgs { model: "name@version" | ModelSource, inputs }
 *   ModelSource { name, version, path?+sha256?, artifact?, manifest?, batching? }: the model
 *            actor's model fields (models/model-source-schema.ts), so the same loader and
 *            integrity checks apply.
 *
 * Resolving a reference:
 *   - with an allow-list, only its models are served: a call names one by id or by
 *     { name, version }, and the allow-list's entry is what is loaded. A call that also gives a
 *     sha256 (path's or artifact's) must give that entry's;
 *   - without one, a call's ModelSource is loaded as given, and an id names a builtin model (or a
 *     model already resident);
 *   - a model resident under an id is never replaced by other bytes under the same id: a call
 *     naming another sha256 for it is refused (versions are immutable).
 */
import type { ModelMuxInit, ModelSource, MuxInferArgs } from "@neurogrid/schema";
import { z } from "zod";
import { ClusterError } from "../errors.js";
import { findBuiltinModel, modelKey } from "../models/builtin-models.js";
import { formatZodIssues } from "../models/manifest-schema.js";
import { checkModelSource, modelSourceFields } from "../models/model-source-schema.js";
import { modelRuntimeFields } from "./model-actor.js";
import { inferInputsSchema } from "./model-actor-infer.js";

const modelRefSchema = z
  .strictObject(modelSourceFields)
  .superRefine(checkModelSource) satisfies z.ZodType<ModelSource>;

const modelMuxInitSchema = z
  .strictObject({
    /** Models resident at once (one being loaded counts). */
    maxModels: z.number().int().min(1).max(10_000).optional(),
    /** Total bytes of resident models' files. */
    maxBytes: z.number().int().positive().optional(),
    /** The only models this mux serves; any builtin or any ModelSource a call carries when absent. */
    models: z.array(modelRefSchema).min(1).optional(),
    ...modelRuntimeFields,
  })
  .superRefine((args, ctx) => {
    if (args.maxModels === undefined && args.maxBytes === undefined) {
      ctx.addIssue({ code: "custom", message: "give maxModels, maxBytes or both", path: ["maxModels"] });
    }
    const ids = (args.models ?? []).map((m) => modelKey(m.name, m.version));
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    if (repeated) ctx.addIssue({ code: "custom", message: `${repeated} is listed twice`, path: ["models"] });
  }) satisfies z.ZodType<ModelMuxInit>;

const muxInferArgsSchema = z.strictObject({
  model: z.union([z.string().min(1), modelRefSchema]),
  inputs: inferInputsSchema,
}) satisfies z.ZodType<MuxInferArgs>;

export function parseMuxInitArgs(initArgs: unknown): ModelMuxInit {
  const parsed = modelMuxInitSchema.safeParse(initArgs);
  if (!parsed.success) {
    throw new ClusterError("INVALID_ARGUMENT", `model mux initArgs: ${formatZodIssues(parsed.error)}`);
  }
  return parsed.data;
}

export function parseMuxInferArgs(args: unknown): MuxInferArgs {
  const parsed = muxInferArgsSchema.safeParse(args);
  if (!parsed.success) {
    throw new ClusterError("INVALID_ARGUMENT", `infer args: ${formatZodIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** The sha256 a reference pins, if any (a builtin's is not known until it is built). */
function pinnedSha256(ref: ModelSource): string | undefined {
  return (ref.sha256 ?? ref.artifact?.sha256)?.toLowerCase();
}

/** Turns a call's model into the reference to load; see the file header. */
export class ModelRefResolver {
  readonly #allowed: ReadonlyMap<string, ModelSource> | undefined;

  constructor(models: readonly ModelSource[] | undefined) {
    this.#allowed = models && new Map(models.map((m) => [modelKey(m.name, m.version), m]));
  }

  /** The allowed model ids, or undefined when any model may be served. */
  get allowedIds(): string[] | undefined {
    return this.#allowed && [...this.#allowed.keys()];
  }

  /**
   * `resident(id)` gives the reference a resident (or loading) model was loaded from, and the
   * sha256 it has once loaded.
   */
  resolve(
    model: string | ModelSource,
    resident: (id: string) => Resident | undefined,
  ): { id: string; ref: ModelSource } {
    const asked = typeof model === "string" ? this.#byId(model, resident) : model;
    const id = modelKey(asked.name, asked.version);
    let ref = asked;
    if (this.#allowed) {
      const entry = this.#allowed.get(id);
      if (!entry) {
        throw new ClusterError(
          "INVALID_ARGUMENT",
          `model ${id} is not served by this mux (${[...this.#allowed.keys()].join(", ")})`,
        );
      }
      conflict(id, pinnedSha256(entry), asked, "this mux serves it with");
      ref = entry;
    }
    const current = resident(id);
    if (current) {
      conflict(id, current.sha256 ?? pinnedSha256(current.ref), asked, "it is resident with");
    }
    return { id, ref };
  }

  #byId(id: string, resident: (id: string) => Resident | undefined): ModelSource {
    const allowed = this.#allowed?.get(id) ?? resident(id)?.ref;
    if (allowed) return allowed;
    const at = id.lastIndexOf("@");
    const name = id.slice(0, at);
    const version = id.slice(at + 1);
    if (at > 0 && findBuiltinModel(name, version)) return { name, version };
    if (this.#allowed) {
      throw new ClusterError(
        "INVALID_ARGUMENT",
        `model ${id} is not served by this mux (${[...this.#allowed.keys()].join(", ")})`,
      );
    }
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `model ${JSON.stringify(id)} is neither builtin nor resident; pass { name, version, artifact, manifest }`,
    );
  }
}

export interface Resident {
  ref: ModelSource;
  /** The loaded model's sha256; undefined while it loads. */
  sha256: string | undefined;
}

function conflict(id: string, a: string | undefined, asked: ModelSource, where: string): void {
  const b = pinnedSha256(asked);
  if (a !== undefined && b !== undefined && a !== b) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `model ${id} was asked for with sha256 ${b}, but ${where} sha256 ${a}; a version is immutable`,
    );
  }
}
