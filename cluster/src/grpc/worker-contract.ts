/** The Worker service (worker.proto): its typed definition and the shape of its implementation. */
import type * as grpc from "@grpc/grpc-js";
import type * as wire from "./wire.js";

type Method<Req, Res> = grpc.MethodDefinition<Req, Res>;

export type WorkerService = {
  StartActor: Method<wire.StartActorRequest, wire.StartActorReply>;
  KillActor: Method<wire.KillActorRequest, wire.KillActorReply>;
  GetStatus: Method<wire.WorkerStatusRequest, wire.WorkerStatusReply>;
};

export type WorkerImplementation = {
  StartActor: grpc.handleUnaryCall<wire.StartActorRequest, wire.StartActorReply>;
  KillActor: grpc.handleUnaryCall<wire.KillActorRequest, wire.KillActorReply>;
  GetStatus: grpc.handleUnaryCall<wire.WorkerStatusRequest, wire.WorkerStatusReply>;
};
