import type { ActorClass } from "./actor-class.js";
import { createEchoActor } from "./echo-actor.js";
import { createModelActor } from "./model-actor.js";

/** Actor classes an actor process can instantiate, by ActorSpec.className. */
export const actorClasses: Readonly<Record<string, ActorClass>> = {
  /** Runs an ONNX model (onnxruntime-node); see model-actor.ts. */
  model: createModelActor,
  /** Diagnostics: reports its args, pid and GPU environment; used by cluster tests and `status`. */
  echo: createEchoActor,
};
