import { Field, ID, InputType, registerEnumType } from "type-graphql";

@InputType("RegisterNodeInput")
export class RegisterNodeInput {
  @Field(() => String, { description: "A name for the machine (letters, digits, . _ -)." })
  name!: string;
}

export enum NodeStateFilter {
  ALIVE = "ALIVE",
  DEAD = "DEAD",
  OFFLINE = "OFFLINE",
}
registerEnumType(NodeStateFilter, {
  name: "NodeState",
  description: "ALIVE or DEAD at the head; OFFLINE when the head does not know the node.",
});

@InputType("NodeFilter")
export class NodeFilter {
  @Field(() => [NodeStateFilter], { nullable: true, description: "Nodes in any of these states." })
  state?: NodeStateFilter[];

  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => ID, { nullable: true, description: "Admin only: one provider's nodes." })
  providerId?: string;
}
