/**
 * @neurogrid/cluster/models: the models this project builds itself, their manifests, the
 * content-addressed model file cache, and the tensor validation the api shares with the model
 * actor (so input rejected at submit time is exactly the input the actor would reject).
 */

export type { InferResult, ModelActorInitArgs, ModelHealth } from "../runtime/model-actor.js";
export {
  type FlatTensor,
  formatShape,
  parseTensorMap,
  type TensorData,
  tensorFromNested,
  tensorToNested,
  type Validation,
  validateTensorMap,
} from "../runtime/tensor.js";
export { type BuiltinModel, builtinModels, findBuiltinModel, modelKey } from "./builtin-models.js";
export { formatZodIssues, modelManifestSchema, tensorSpecSchema } from "./manifest-schema.js";
export {
  buildMlpClassifierOnnx,
  type MlpClassifierWeights,
  mlpClassifierManifest,
  mlpClassifierWeights,
} from "./mlp-classifier.js";
export { type CachedModelFile, ensureModelFile, loadModelFile, sha256Hex } from "./model-file-cache.js";
