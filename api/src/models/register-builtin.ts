import type { EntityManager } from "@mikro-orm/postgresql";
import { builtinModels } from "@neurogrid/cluster/models";
import { Model } from "../db/entities/index.js";

/** Registers (or refreshes) every model the project builds itself. Returns their names. */
export async function registerBuiltinModels(em: EntityManager): Promise<string[]> {
  const names: string[] = [];
  for (const { manifest } of Object.values(builtinModels)) {
    const existing = await em.findOne(Model, { name: manifest.name, version: manifest.version });
    const price = BigInt(manifest.pricePerCall);
    if (existing) Object.assign(existing, { manifest, pricePerCall: price });
    else
      em.persist(
        em.create(Model, { name: manifest.name, version: manifest.version, manifest, pricePerCall: price }),
      );
    names.push(`${manifest.name}@${manifest.version}`);
  }
  await em.flush();
  return names;
}
