import { ClusterError } from "../errors.js";
import type { ActorClass } from "./actor-class.js";

// NOT BUILT YET: being written in this session. Replaced, not kept.
export const createEchoActor: ActorClass = async () => {
  throw new ClusterError("INTERNAL", "echo actor not built yet");
};
