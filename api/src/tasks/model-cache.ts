import type { EntityManager } from "@mikro-orm/postgresql";
import { Model } from "../db/entities/index.js";

/**
 * Models by id and by name, cached per database (keyed by its URL, like ledger account ids), so
 * that submitting and dispatching a task cost no model look-up. A model row never changes once
 * registered (name@version is unique and registering it again is idempotent or a CONFLICT), so
 * by id and by name@version an entry is normally good forever, and "the latest version of a
 * name" until a newer version is registered. Whoever prices a task from a cached model checks
 * it against the database in the same statement (ledger/hold-statement.ts `modelChecks`: the manifest
 * is still this one, and no newer version exists) and asks again with `fresh` when it is not:
 * a model repriced or superseded is seen at once, at no extra round trip when it is not.
 *
 * The cached entities belong to no request's unit of work: they are read, never persisted.
 */
const MAX_ENTRIES = 10_000;

interface PerDatabase {
  byId: Map<string, Model>;
  byVersion: Map<string, Model>;
  latest: Map<string, Model>;
}

const databases = new Map<string, PerDatabase>();

function cacheOf(em: EntityManager): PerDatabase {
  const url = String(em.config.get("clientUrl"));
  let c = databases.get(url);
  if (!c) {
    c = { byId: new Map(), byVersion: new Map(), latest: new Map() };
    databases.set(url, c);
  }
  return c;
}

function remember(c: PerDatabase, model: Model): Model {
  if (c.byId.size >= MAX_ENTRIES) {
    c.byId.clear();
    c.byVersion.clear();
    c.latest.clear();
  }
  c.byId.set(model.id, model);
  c.byVersion.set(`${model.name}@${model.version}`, model);
  return model;
}

/**
 * A model by name (its latest version) or name@version; null if there is none. `fresh` reads
 * the database (and replaces what the cache had).
 */
export async function modelByName(
  em: EntityManager,
  name: string,
  version?: string,
  fresh = false,
): Promise<Model | null> {
  const c = cacheOf(em);
  if (version !== undefined) {
    const hit = fresh ? undefined : c.byVersion.get(`${name}@${version}`);
    if (hit) return hit;
    const model = await em.findOne(Model, { name, version }, { refresh: fresh });
    return model ? remember(c, model) : null;
  }
  const hit = fresh ? undefined : c.latest.get(name);
  if (hit) return hit;
  const model = await em.findOne(Model, { name }, { orderBy: { createdAt: "desc" }, refresh: fresh });
  if (!model) return null;
  c.latest.set(name, remember(c, model));
  return model;
}

/** A model by id; null if there is none. */
export async function modelById(em: EntityManager, id: string): Promise<Model | null> {
  const c = cacheOf(em);
  const hit = c.byId.get(id);
  if (hit) return hit;
  const model = await em.findOne(Model, id);
  return model ? remember(c, model) : null;
}

/** Models by id, in the order asked (null where there is none): one query for the misses. */
export async function modelsById(em: EntityManager, ids: readonly string[]): Promise<(Model | null)[]> {
  const c = cacheOf(em);
  const missing = ids.filter((id) => !c.byId.has(id));
  if (missing.length > 0) {
    for (const model of await em.find(Model, { id: { $in: [...new Set(missing)] } })) remember(c, model);
  }
  return ids.map((id) => c.byId.get(id) ?? null);
}
