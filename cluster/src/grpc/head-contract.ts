/** The Head service (head.proto): its typed definition and the shape of its implementation. */
import type * as grpc from "@grpc/grpc-js";
import type * as wire from "./wire.js";

type Method<Req, Res> = grpc.MethodDefinition<Req, Res>;

export type HeadService = {
  RegisterNode: Method<wire.RegisterNodeRequest, wire.RegisterNodeReply>;
  Heartbeat: Method<wire.HeartbeatRequest, wire.HeartbeatReply>;
  GetOrCreateActor: Method<wire.GetOrCreateActorRequest, wire.ActorInfo>;
  GetActor: Method<wire.GetActorRequest, wire.ActorInfo>;
  ListNodes: Method<wire.ListNodesRequest, wire.ListNodesReply>;
};

export type HeadImplementation = {
  RegisterNode: grpc.handleUnaryCall<wire.RegisterNodeRequest, wire.RegisterNodeReply>;
  Heartbeat: grpc.handleBidiStreamingCall<wire.HeartbeatRequest, wire.HeartbeatReply>;
  GetOrCreateActor: grpc.handleUnaryCall<wire.GetOrCreateActorRequest, wire.ActorInfo>;
  GetActor: grpc.handleUnaryCall<wire.GetActorRequest, wire.ActorInfo>;
  ListNodes: grpc.handleUnaryCall<wire.ListNodesRequest, wire.ListNodesReply>;
};
