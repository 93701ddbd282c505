/**
 * The model mux's contract (ActorSpec.className "model-mux"): one replica serving several
 * models of a multiplex group, each loaded on first use, least recently used released.
 *
 *   initArgs  ModelMuxInit { maxModels?, maxBytes? (at least one), models? (the only models
 *             served), and the model actor's runtime options }
 *   infer     MuxInferArgs { model: "name@version" | ModelSource, inputs }
 *             -> MuxInferResult: the model actor's InferResult plus `model`, the id that answered
 */

import type { TensorMap } from "./model.js";
import type { InferResult, ModelRuntimeOptions, ModelSource } from "./model-actor-contract.js";

export interface ModelMuxInit extends ModelRuntimeOptions {
  /** Models resident at once (one being loaded counts). */
  maxModels?: number | undefined;
  /** Total bytes of resident models' files. */
  maxBytes?: number | undefined;
  /** The only models this mux serves; any builtin, or any source a call carries, when absent. */
  models?: ModelSource[] | undefined;
}

export interface MuxInferArgs {
  /** "name@version" (an allowed, builtin or resident model), or the model and its source. */
  model: string | ModelSource;
  inputs: TensorMap;
}

export interface MuxInferResult extends InferResult {
  /** The model that answered: "name@version". */
  model: string;
}
