import { createOcrPipelineActor } from "../serve/ocr-pipeline-actor.js";
import type { ActorClass } from "./actor-class.js";
import { createEchoActor } from "./echo-actor.js";
import { createModelActor } from "./model-actor.js";
import { createModelMux } from "./model-mux.js";

/** Actor classes an actor process can instantiate, by ActorSpec.className. */
export const actorClasses: Readonly<Record<string, ActorClass>> = {
  /** Runs an ONNX model (onnxruntime-node); see model-actor.ts. */
  model: createModelActor,
  /** Serves several small models from one replica, loaded on use, LRU-evicted; see model-mux.ts. */
  "model-mux": createModelMux,
  /** OCR composed of two deployments (detection, recognition); see serve/ocr-pipeline-actor.ts. */
  "ocr-pipeline": createOcrPipelineActor,
  /** Diagnostics: reports its args, pid and GPU environment; used by cluster tests and `status`. */
  echo: createEchoActor,
};
