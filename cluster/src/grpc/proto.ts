/**
 * The cluster contract (schema/proto/*.proto), loaded once per process at run time with
 * @grpc/proto-loader: no generated code. Each service's typed definition lives in its own
 * contract file (head-contract.ts, worker-contract.ts, actor-contract.ts) with the message
 * shapes of wire*.ts; everything else in the package uses these typed definitions.
 */
import * as protoLoader from "@grpc/proto-loader";
import { CLUSTER_PROTO_FILES, PROTO_DIR } from "@neurogrid/schema";
import type { ActorService } from "./actor-contract.js";
import type { HeadService } from "./head-contract.js";
import type { WorkerService } from "./worker-contract.js";

export type { ActorImplementation } from "./actor-contract.js";
export type { HeadDeploymentImplementation, HeadImplementation, HeadService } from "./head-contract.js";
export type { WorkerImplementation } from "./worker-contract.js";

export interface ClusterServices {
  head: HeadService;
  worker: WorkerService;
  actor: ActorService;
}

const PACKAGE = "neurogrid.cluster.v1";
let loaded: ClusterServices | undefined;

export function clusterServices(): ClusterServices {
  if (loaded === undefined) {
    const definition = protoLoader.loadSync([...CLUSTER_PROTO_FILES], {
      includeDirs: [PROTO_DIR],
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const service = <T>(name: string): T => {
      const found = definition[`${PACKAGE}.${name}`];
      if (found === undefined) throw new Error(`service ${PACKAGE}.${name} missing from ${PROTO_DIR}`);
      return found as unknown as T;
    };
    loaded = {
      head: service<HeadService>("Head"),
      worker: service<WorkerService>("Worker"),
      actor: service<ActorService>("Actor"),
    };
  }
  return loaded;
}
