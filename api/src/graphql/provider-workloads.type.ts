import { Field, ID, Int, ObjectType } from "type-graphql";
import { ClusterActorType } from "./cluster-overview.type.js";

@ObjectType("ProviderDeployment", {
  description: "A model deployment with replicas on your nodes: how many of its replicas run there.",
})
export class ProviderDeploymentType {
  @Field(() => String)
  namespace!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: "Replicas the deployment wants, on any node." })
  targetReplicas!: number;

  @Field(() => Int, { description: "Its replicas alive on any node." })
  aliveReplicas!: number;

  @Field(() => Int, { description: "Its replicas alive on your nodes." })
  aliveOnYourNodes!: number;

  @Field(() => [ID], { description: "Your nodes its replicas run on (alive or not)." })
  nodeIds!: string[];
}

@ObjectType("ProviderWorkloads", { description: "What the cluster runs on your nodes, now." })
export class ProviderWorkloadsType {
  @Field(() => [ID], { description: "Your nodes (an admin: every node the head knows)." })
  nodeIds!: string[];

  @Field(() => [ClusterActorType], { description: "Actors placed on your nodes, replicas included." })
  actors!: ClusterActorType[];

  @Field(() => [ProviderDeploymentType])
  deployments!: ProviderDeploymentType[];
}
