import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType("ClusterNode", { description: "A node as the head sees it now." })
export class ClusterNodeType {
  @Field(() => ID)
  nodeId!: string;

  @Field(() => String, { description: "ALIVE or DEAD." })
  state!: string;

  @Field(() => Int, { description: "GPUs it registered." })
  gpus!: number;

  @Field(() => Int, { description: "GPUs no actor has reserved." })
  freeGpus!: number;

  @Field(() => Date, { nullable: true })
  lastHeartbeatAt?: Date | undefined;
}

@ObjectType("ClusterActor", { description: "An actor in the head's actor table." })
export class ClusterActorType {
  @Field(() => String)
  namespace!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "PENDING_CREATION, ALIVE, RESTARTING or DEAD." })
  state!: string;

  @Field(() => String, { nullable: true })
  nodeId?: string | undefined;

  @Field(() => [Int])
  gpuIds!: number[];
}

@ObjectType("ClusterDeployment", { description: "A model deployment: replicas wanted and alive." })
export class ClusterDeploymentType {
  @Field(() => String)
  namespace!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  targetReplicas!: number;

  @Field(() => Int)
  aliveReplicas!: number;

  @Field(() => Int)
  ongoingRequests!: number;
}

@ObjectType("QueueDepths", { description: "Jobs in the task queue, by state." })
export class QueueDepthsType {
  @Field(() => Int)
  waiting!: number;

  @Field(() => Int)
  active!: number;

  @Field(() => Int)
  delayed!: number;

  @Field(() => Int)
  prioritized!: number;
}

@ObjectType("ClusterOverview", { description: "The cluster at a glance (admins)." })
export class ClusterOverviewType {
  @Field(() => [ClusterNodeType])
  nodes!: ClusterNodeType[];

  @Field(() => [ClusterActorType])
  actors!: ClusterActorType[];

  @Field(() => [ClusterDeploymentType])
  deployments!: ClusterDeploymentType[];

  @Field(() => QueueDepthsType)
  queue!: QueueDepthsType;
}
