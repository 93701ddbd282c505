/** The Head service (head.proto): its typed definition and the shape of its implementation. */
import type * as grpc from "@grpc/grpc-js";
import type * as wire from "./wire.js";

type Method<Req, Res> = grpc.MethodDefinition<Req, Res>;

export type HeadService = {
  RegisterNode: Method<wire.RegisterNodeRequest, wire.RegisterNodeReply>;
  Heartbeat: Method<wire.HeartbeatRequest, wire.HeartbeatReply>;
  ReportActorExit: Method<wire.ReportActorExitRequest, wire.ReportActorExitReply>;
  GetOrCreateActor: Method<wire.GetOrCreateActorRequest, wire.ActorInfo>;
  GetActor: Method<wire.GetActorRequest, wire.ActorInfo>;
  ListNodes: Method<wire.ListNodesRequest, wire.ListNodesReply>;
  RevokeNode: Method<wire.RevokeNodeRequest, wire.RevokeNodeReply>;
  SetNodeQuarantine: Method<wire.SetNodeQuarantineRequest, wire.SetNodeQuarantineReply>;
  ListActors: Method<wire.ListActorsRequest, wire.ListActorsReply>;
  KillActor: Method<wire.KillNamedActorRequest, wire.KillNamedActorReply>;
  WatchActors: Method<wire.WatchActorsRequest, wire.ActorEvent>;
  WatchCluster: Method<wire.WatchClusterRequest, wire.ClusterEvent>;
  DriverSession: Method<wire.DriverSessionRequest, wire.DriverSessionEvent>;
  CreatePlacementGroup: Method<wire.CreatePlacementGroupRequest, wire.PlacementGroupInfo>;
  RemovePlacementGroup: Method<wire.PlacementGroupRequest, wire.PlacementGroupInfo>;
  GetPlacementGroup: Method<wire.PlacementGroupRequest, wire.PlacementGroupInfo>;
  ListPlacementGroups: Method<wire.ListPlacementGroupsRequest, wire.ListPlacementGroupsReply>;
  ApplyDeployment: Method<wire.ApplyDeploymentRequest, wire.DeploymentInfo>;
  GetDeployment: Method<wire.DeploymentRequest, wire.DeploymentInfo>;
  ListDeployments: Method<wire.ListDeploymentsRequest, wire.ListDeploymentsReply>;
  ReportDeploymentLoad: Method<wire.ReportDeploymentLoadRequest, wire.DeploymentInfo>;
  DeleteDeployment: Method<wire.DeploymentRequest, wire.DeploymentInfo>;
};

export type HeadImplementation = {
  RegisterNode: grpc.handleUnaryCall<wire.RegisterNodeRequest, wire.RegisterNodeReply>;
  Heartbeat: grpc.handleBidiStreamingCall<wire.HeartbeatRequest, wire.HeartbeatReply>;
  ReportActorExit: grpc.handleUnaryCall<wire.ReportActorExitRequest, wire.ReportActorExitReply>;
  GetOrCreateActor: grpc.handleUnaryCall<wire.GetOrCreateActorRequest, wire.ActorInfo>;
  GetActor: grpc.handleUnaryCall<wire.GetActorRequest, wire.ActorInfo>;
  ListNodes: grpc.handleUnaryCall<wire.ListNodesRequest, wire.ListNodesReply>;
  RevokeNode: grpc.handleUnaryCall<wire.RevokeNodeRequest, wire.RevokeNodeReply>;
  SetNodeQuarantine: grpc.handleUnaryCall<wire.SetNodeQuarantineRequest, wire.SetNodeQuarantineReply>;
  ListActors: grpc.handleUnaryCall<wire.ListActorsRequest, wire.ListActorsReply>;
  KillActor: grpc.handleUnaryCall<wire.KillNamedActorRequest, wire.KillNamedActorReply>;
  WatchActors: grpc.handleServerStreamingCall<wire.WatchActorsRequest, wire.ActorEvent>;
  WatchCluster: grpc.handleServerStreamingCall<wire.WatchClusterRequest, wire.ClusterEvent>;
  DriverSession: grpc.handleServerStreamingCall<wire.DriverSessionRequest, wire.DriverSessionEvent>;
  CreatePlacementGroup: grpc.handleUnaryCall<wire.CreatePlacementGroupRequest, wire.PlacementGroupInfo>;
  RemovePlacementGroup: grpc.handleUnaryCall<wire.PlacementGroupRequest, wire.PlacementGroupInfo>;
  GetPlacementGroup: grpc.handleUnaryCall<wire.PlacementGroupRequest, wire.PlacementGroupInfo>;
  ListPlacementGroups: grpc.handleUnaryCall<wire.ListPlacementGroupsRequest, wire.ListPlacementGroupsReply>;
};

/** The deployment methods of the Head service (head/deployment-service.ts). */
export type HeadDeploymentImplementation = {
  ApplyDeployment: grpc.handleUnaryCall<wire.ApplyDeploymentRequest, wire.DeploymentInfo>;
  GetDeployment: grpc.handleUnaryCall<wire.DeploymentRequest, wire.DeploymentInfo>;
  ListDeployments: grpc.handleUnaryCall<wire.ListDeploymentsRequest, wire.ListDeploymentsReply>;
  ReportDeploymentLoad: grpc.handleUnaryCall<wire.ReportDeploymentLoadRequest, wire.DeploymentInfo>;
  DeleteDeployment: grpc.handleUnaryCall<wire.DeploymentRequest, wire.DeploymentInfo>;
};
