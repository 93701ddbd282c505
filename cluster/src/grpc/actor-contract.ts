/** The Actor service (actor.proto): its typed definition and the shape of its implementation. */
import type * as grpc from "@grpc/grpc-js";
import type * as wire from "./wire.js";

type Method<Req, Res> = grpc.MethodDefinition<Req, Res>;

export type ActorService = {
  Call: Method<wire.ActorCallRequest, wire.ActorCallReply>;
  Connect: Method<wire.ActorChannelRequests, wire.ActorChannelReplies>;
};

export type ActorImplementation = {
  Call: grpc.handleUnaryCall<wire.ActorCallRequest, wire.ActorCallReply>;
  Connect: grpc.handleBidiStreamingCall<wire.ActorChannelRequests, wire.ActorChannelReplies>;
};
