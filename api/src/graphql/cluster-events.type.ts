import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("NodeStatusEvent", { description: "A node joined, rejoined or died." })
export class NodeStatusEventType {
  @Field(() => ID)
  nodeId!: string;

  @Field(() => String, { description: "REGISTERED, REREGISTERED or DEAD." })
  type!: string;

  @Field(() => String, { description: "ALIVE or DEAD." })
  state!: string;

  @Field(() => String)
  cause!: string;

  @Field(() => Date)
  at!: Date;
}

@ObjectType("ClusterEvent", { description: "Something happened in the cluster: a node or an actor changed." })
export class ClusterEventType {
  @Field(() => String, { description: "node or actor." })
  kind!: string;

  @Field(() => String, {
    description: "For a node: REGISTERED, REREGISTERED, DEAD; for an actor: its new state.",
  })
  type!: string;

  @Field(() => ID, { nullable: true })
  nodeId?: string | undefined;

  @Field(() => String, { nullable: true, description: "namespace/name of the actor." })
  actor?: string | undefined;

  @Field(() => String, { nullable: true, description: "The actor's state before." })
  from?: string | undefined;

  @Field(() => String)
  cause!: string;

  @Field(() => Date)
  at!: Date;
}
