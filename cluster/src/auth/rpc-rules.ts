/**
 * Who may call each cluster RPC: the one table. Every method of every service in the .proto
 * must have a rule here, or the server that serves it refuses to start (authorize.ts), and the
 * authorisation matrix test (cli/rpc-authorization.test.ts) fails.
 *
 * An entry names the identities allowed (identity.ts):
 *   head, driver, observer   that role
 *   worker:request           a worker, for the node id its request names (each message of a stream)
 *   worker:serving           a worker, for the node this server runs on (its own worker)
 *
 * Reads are for drivers and observers (`neurogrid status` shows deployments; an observer's
 * credential is an operator's); everything that changes the cluster is for drivers (actors,
 * groups, deployments) or the head (actor processes on workers).
 */
import type { ActorService } from "../grpc/actor-contract.js";
import type { HeadService } from "../grpc/head-contract.js";
import type { WorkerService } from "../grpc/worker-contract.js";

export type Allowed = "head" | "driver" | "observer" | "worker:request" | "worker:serving";

export type ServiceName = "Head" | "Worker" | "Actor";

type Rules<S> = { readonly [K in keyof S]: readonly Allowed[] };

const DRIVER = ["driver"] as const;
const READ = ["driver", "observer"] as const;
const OWN_NODE = ["worker:request"] as const;

export const RPC_RULES: {
  Head: Rules<HeadService>;
  Worker: Rules<WorkerService>;
  Actor: Rules<ActorService>;
} = {
  Head: {
    RegisterNode: OWN_NODE,
    Heartbeat: OWN_NODE,
    ReportActorExit: OWN_NODE,
    GetOrCreateActor: DRIVER,
    GetActor: READ,
    ListNodes: READ,
    RevokeNode: DRIVER,
    SetNodeQuarantine: DRIVER,
    ListActors: READ,
    KillActor: DRIVER,
    WatchActors: READ,
    WatchCluster: READ,
    DriverSession: DRIVER,
    CreatePlacementGroup: DRIVER,
    RemovePlacementGroup: DRIVER,
    GetPlacementGroup: READ,
    ListPlacementGroups: READ,
    ApplyDeployment: DRIVER,
    GetDeployment: READ,
    ListDeployments: READ,
    ReportDeploymentLoad: DRIVER,
    DeleteDeployment: DRIVER,
  },
  Worker: {
    StartActor: ["head"],
    KillActor: ["head"],
    GetStatus: ["head", "observer", "worker:serving"],
  },
  Actor: {
    Call: ["driver", "worker:serving"],
    Connect: ["driver", "worker:serving"],
  },
};
