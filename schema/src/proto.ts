import { fileURLToPath } from "node:url";

/** Folder holding the cluster's .proto files (shipped with this package). */
export const PROTO_DIR = fileURLToPath(new URL("../proto", import.meta.url));
/** The cluster contract: Head, Worker and Actor services. */
export const CLUSTER_PROTO = fileURLToPath(new URL("../proto/cluster.proto", import.meta.url));
