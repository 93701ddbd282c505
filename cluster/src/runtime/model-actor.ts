import { ClusterError } from "../errors.js";
import type { ActorClass } from "./actor-class.js";

// NOT BUILT YET: being written in this session (ONNX model actor). Replaced, not kept.
export const createModelActor: ActorClass = async () => {
  throw new ClusterError("INTERNAL", "model actor not built yet");
};
