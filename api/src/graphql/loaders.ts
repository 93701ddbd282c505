import type { EntityManager } from "@mikro-orm/postgresql";
import DataLoader from "dataloader";
import { Account, type Model, Node } from "../db/entities/index.js";
import { modelsById } from "../tasks/model-cache.js";

/**
 * Per-request DataLoaders: every field that fetches a related row goes through one, so a list of
 * N items costs one query per relation, not N (api-tests/connections.test.ts counts them). Models
 * come from the process's model cache (tasks/model-cache.ts): usually no query at all.
 */
export interface Loaders {
  model: DataLoader<string, Model | null>;
  account: DataLoader<string, Account | null>;
  node: DataLoader<string, Node | null>;
}

function byId<T extends { id: string }>(
  load: (ids: readonly string[]) => Promise<T[]>,
): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await load(ids);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

export function createLoaders(em: EntityManager): Loaders {
  return {
    model: new DataLoader(async (ids) => modelsById(em, ids)),
    account: byId((ids) => em.find(Account, { id: { $in: [...ids] } })),
    node: byId((ids) => em.find(Node, { id: { $in: [...ids] } })),
  };
}
