import { fileURLToPath } from "node:url";

/**
 * The cluster's gRPC contract, shipped with this package: common.proto (shared messages),
 * head.proto (Head service), worker.proto (Worker service), actor.proto (Actor service), all in
 * package neurogrid.cluster.v1. Load them together with PROTO_DIR as the include path.
 */
export const PROTO_DIR = fileURLToPath(new URL("../proto", import.meta.url));
export const CLUSTER_PROTO_FILES = ["head.proto", "worker.proto", "actor.proto"] as const;
