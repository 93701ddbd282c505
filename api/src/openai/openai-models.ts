/**
 * OpenAI's model objects (GET /v1/models, GET /v1/models/{id}): { id, object: "model", created,
 * owned_by }, the id being the model's name (its latest version answers). Every model is listed,
 * as OpenAI lists models whatever endpoint serves them; extension fields say what a task of it
 * takes: `version`, `task_kind` (tensor, generate, ocr, vad: generate is the one chat
 * completions serve) and `price_per_unit` with `pricing_unit`. OpenAI clients ignore fields
 * they do not know.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { taskKindOf } from "@neurogrid/schema";
import type { Model } from "../db/entities/index.js";
import { notFound } from "../errors.js";
import { pricingOf } from "../pricing/pricing.js";
import { modelByName } from "../tasks/model-cache.js";

interface ModelRow {
  name: string;
  version: string;
  created_at: string | Date;
  manifest: Model["manifest"];
}

export interface OpenAiModel {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  version: string;
  task_kind: string;
  pricing_unit: string;
  price_per_unit: string;
}

function toOpenAi(row: ModelRow): OpenAiModel {
  const pricing = pricingOf(row.manifest);
  return {
    id: row.name,
    object: "model",
    created: Math.floor(new Date(row.created_at).getTime() / 1000),
    owned_by: "neurogrid",
    version: row.version,
    task_kind: taskKindOf(row.manifest),
    pricing_unit: pricing.unit,
    price_per_unit: pricing.price,
  };
}

/** Each model's latest version, by name. */
export async function openAiModels(em: EntityManager): Promise<OpenAiModel[]> {
  const rows = await em.execute<ModelRow[]>(
    "select distinct on (name) name, version, created_at, manifest from models order by name, created_at desc",
  );
  return rows.map(toOpenAi);
}

/** One model by name (its latest version); NOT_FOUND (404 model_not_found) when there is none. */
export async function openAiModel(em: EntityManager, id: string): Promise<OpenAiModel> {
  const model = await modelByName(em, id, undefined, true);
  if (!model) throw notFound(`model ${id}`);
  return toOpenAi({
    name: model.name,
    version: model.version,
    created_at: model.createdAt,
    manifest: model.manifest,
  });
}
