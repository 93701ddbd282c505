/**
 * The models served without being registered by an operator, by "name@version". The api seeds
 * its model table from here; a model actor loads the bytes on demand, always through the model
 * file cache (model-source.ts).
 *
 * Two kinds, one shape:
 *   - models this project builds (mlp-classifier, char-trigram-lm): `build()` writes the ONNX
 *     bytes, deterministic, so every machine serves the same sha256;
 *   - pretrained models shipped inside npm packages (silero-vad, ppocr-v4): `build()` reads the
 *     package's file and `sha256` pins it, so a changed or corrupt file is refused by name.
 * A model may bring companions (more graphs, data files such as a dictionary) and a program:
 * methods beyond infer (model-program.ts).
 */

import type { BuiltinModel } from "./builtin-model.js";
import { charTrigramLm } from "./char-trigram-lm.js";
import { buildMlpClassifierOnnx, mlpClassifierManifest } from "./mlp-classifier.js";
import { ppocrRecV4 } from "./ppocr-rec.js";
import { ppocrV4 } from "./ppocr-v4.js";
import { sileroVadV5 } from "./silero-vad.js";

export type { BuiltinModel, ModelArtifact } from "./builtin-model.js";

export function modelKey(name: string, version: string): string {
  return `${name}@${version}`;
}

function entry(model: BuiltinModel): [string, BuiltinModel] {
  return [modelKey(model.manifest.name, model.manifest.version), model];
}

export const builtinModels: Readonly<Record<string, BuiltinModel>> = Object.freeze(
  Object.fromEntries([
    entry({ manifest: mlpClassifierManifest, build: buildMlpClassifierOnnx }),
    entry(sileroVadV5),
    entry(ppocrV4),
    entry(ppocrRecV4),
    entry(charTrigramLm),
  ]),
);

/** The builtin model name@version, or undefined if there is none. */
export function findBuiltinModel(name: string, version: string): BuiltinModel | undefined {
  const key = modelKey(name, version);
  return Object.hasOwn(builtinModels, key) ? builtinModels[key] : undefined;
}
