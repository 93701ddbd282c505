import type { EntityManager } from "@mikro-orm/postgresql";
import { builtinModels, ocrTaskManifest } from "@neurogrid/cluster/models";
import { Model } from "../db/entities/index.js";

/**
 * Registers (or refreshes) every model the project builds itself, and the task models composed
 * of them (the "ocr" pipeline). Returns their names.
 */
export async function registerBuiltinModels(em: EntityManager): Promise<string[]> {
  const names: string[] = [];
  const manifests = [...Object.values(builtinModels).map((m) => m.manifest), ocrTaskManifest];
  for (const manifest of manifests) {
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
