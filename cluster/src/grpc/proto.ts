/**
 * The cluster contract (schema/proto/cluster.proto), loaded once per process at run time with
 * @grpc/proto-loader: no generated code. The service definitions are typed here, once, with
 * the message shapes of wire.ts; everything else in the package uses these typed definitions.
 */
import type * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { CLUSTER_PROTO } from "@neurogrid/schema";
import type * as wire from "./wire.js";

type Method<Req, Res> = grpc.MethodDefinition<Req, Res>;

export type HeadService = {
  RegisterNode: Method<wire.RegisterNodeRequest, wire.RegisterNodeReply>;
  Heartbeat: Method<wire.HeartbeatRequest, wire.HeartbeatReply>;
  GetOrCreateActor: Method<wire.GetOrCreateActorRequest, wire.ActorInfo>;
  GetActor: Method<wire.GetActorRequest, wire.ActorInfo>;
  ListNodes: Method<wire.ListNodesRequest, wire.ListNodesReply>;
};

export type WorkerService = {
  StartActor: Method<wire.StartActorRequest, wire.StartActorReply>;
  KillActor: Method<wire.KillActorRequest, wire.KillActorReply>;
};

export type ActorService = {
  Call: Method<wire.ActorCallRequest, wire.ActorCallReply>;
};

/** Server-side implementations, checked against the contract. */
export type HeadImplementation = {
  RegisterNode: grpc.handleUnaryCall<wire.RegisterNodeRequest, wire.RegisterNodeReply>;
  Heartbeat: grpc.handleBidiStreamingCall<wire.HeartbeatRequest, wire.HeartbeatReply>;
  GetOrCreateActor: grpc.handleUnaryCall<wire.GetOrCreateActorRequest, wire.ActorInfo>;
  GetActor: grpc.handleUnaryCall<wire.GetActorRequest, wire.ActorInfo>;
  ListNodes: grpc.handleUnaryCall<wire.ListNodesRequest, wire.ListNodesReply>;
};

export type WorkerImplementation = {
  StartActor: grpc.handleUnaryCall<wire.StartActorRequest, wire.StartActorReply>;
  KillActor: grpc.handleUnaryCall<wire.KillActorRequest, wire.KillActorReply>;
};

export type ActorImplementation = {
  Call: grpc.handleUnaryCall<wire.ActorCallRequest, wire.ActorCallReply>;
};

export interface ClusterServices {
  head: HeadService;
  worker: WorkerService;
  actor: ActorService;
}

const PACKAGE = "neurogrid.cluster.v1";
let loaded: ClusterServices | undefined;

export function clusterServices(): ClusterServices {
  if (loaded === undefined) {
    const definition = protoLoader.loadSync(CLUSTER_PROTO, {
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const service = <T>(name: string): T => {
      const found = definition[`${PACKAGE}.${name}`];
      if (found === undefined) throw new Error(`service ${PACKAGE}.${name} missing from ${CLUSTER_PROTO}`);
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
