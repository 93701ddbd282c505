/**
 * @neurogrid/cluster/models: the models this project builds itself, their manifests, the
 * content-addressed model file cache (and artifact downloads into it), and the tensor validation the api shares with the model
 * actor (so input rejected at submit time is exactly the input the actor would reject).
 */

export type { ModelHealth } from "../runtime/model-actor.js";
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
export {
  type ArtifactDownloadOptions,
  ArtifactFetchError,
  ArtifactIntegrityError,
  type ArtifactRef,
  DEFAULT_ARTIFACT_CACHE_LIMIT_BYTES,
  type DownloadedArtifact,
  downloadArtifact,
} from "./artifact-download.js";
export { type AudioFormat, inspectAudio } from "./audio-clip.js";
export {
  type BuiltinModel,
  builtinModels,
  findBuiltinModel,
  type ModelArtifact,
  modelKey,
} from "./builtin-models.js";
export { buildCharTrigramLmOnnx, charTrigramLmManifest, LM_VOCAB } from "./char-trigram-lm.js";
export { generationArgsSchema } from "./generation-args.js";
export { generationResult } from "./generation-result.js";
export { inspectImage } from "./image-header.js";
export {
  batchingSchema,
  formatZodIssues,
  modelManifestSchema,
  pricingSchema,
  tensorSpecSchema,
} from "./manifest-schema.js";
export {
  buildMlpClassifierOnnx,
  type MlpClassifierWeights,
  mlpClassifierManifest,
  mlpClassifierWeights,
} from "./mlp-classifier.js";
export { mlpForwardReference } from "./mlp-forward-reference.js";
export { type CachedModelFile, ensureModelFile, loadModelFile, sha256Hex } from "./model-file-cache.js";
export type { ModelMethod, ModelMethods, ModelProgram, ModelRuntime } from "./model-program.js";
export { artifactSourceSchema } from "./model-source-schema.js";
export { MAX_IMAGE_SIDE } from "./ocr-image.js";
export { ocrTaskManifest } from "./ocr-task-model.js";
export { type OcrBox, type OcrResult, ppocrV4Manifest } from "./ppocr-v4.js";
export { mulberry32 } from "./prng.js";
export {
  type ComparisonVerdict,
  compareResults,
  comparisonOf,
  comparisonProblem,
} from "./result-comparison.js";
export { sileroVadManifest } from "./silero-vad.js";
export { speechLikeClip, wavBytes } from "./speech-test-audio.js";
export { compareTaskResults } from "./task-result-comparison.js";
export { buildWideMlpOnnx, DEFAULT_WIDE_MLP, type WideMlpShape, wideMlpManifest } from "./wide-mlp.js";
