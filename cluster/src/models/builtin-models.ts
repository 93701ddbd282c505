/**
 * The models this project builds itself, by "name@version". The api seeds its model table from
 * here; a model actor builds the bytes on demand (through the model file cache).
 */
import type { ModelManifest } from "@neurogrid/schema";
import { buildMlpClassifierOnnx, mlpClassifierManifest } from "./mlp-classifier.js";

export interface BuiltinModel {
  manifest: ModelManifest;
  /** The ONNX bytes; deterministic. */
  build(): Uint8Array;
}

export function modelKey(name: string, version: string): string {
  return `${name}@${version}`;
}

function entry(model: BuiltinModel): [string, BuiltinModel] {
  return [modelKey(model.manifest.name, model.manifest.version), model];
}

export const builtinModels: Readonly<Record<string, BuiltinModel>> = Object.freeze(
  Object.fromEntries([entry({ manifest: mlpClassifierManifest, build: buildMlpClassifierOnnx })]),
);

/** The builtin model name@version, or undefined if there is none. */
export function findBuiltinModel(name: string, version: string): BuiltinModel | undefined {
  const key = modelKey(name, version);
  return Object.hasOwn(builtinModels, key) ? builtinModels[key] : undefined;
}
