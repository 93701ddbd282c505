import { Field, ID, ObjectType } from "type-graphql";
import type { Node } from "../db/entities/index.js";
import { Connection } from "./connection.js";

@ObjectType("NodeQuarantine", {
  description:
    "A quarantined node takes no new actors (its actors moved to other nodes) until an admin restores it.",
})
export class NodeQuarantineType {
  @Field(() => Date)
  since!: Date;

  @Field(() => String, { description: "Why, e.g. its reputation fell below the quarantine floor." })
  reason!: string;
}

@ObjectType("Node", {
  description: "A provider's machine, as registered, with its live state in the cluster.",
})
export class NodeType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ID)
  providerId!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  revokedAt?: Date | undefined;

  @Field(() => String, { description: "ALIVE or DEAD at the head; OFFLINE when its worker never joined." })
  state!: string;

  @Field(() => Date, { nullable: true })
  lastHeartbeatAt?: Date | undefined;

  @Field(() => NodeQuarantineType, {
    nullable: true,
    description: "Set while the node is quarantined (result verification found it wrong too often).",
  })
  quarantine?: NodeQuarantineType | undefined;
}

export const NodeConnection = Connection("Node", NodeType);

@ObjectType("RegisteredNode")
export class RegisteredNode {
  @Field(() => NodeType)
  node!: NodeType;

  @Field(() => String, {
    description:
      "Start the worker with `neurogrid worker --head ADDR --node-id ID --node-token TOKEN`. Shown once; it expires in 90 days, and revokeNode ends it at once.",
  })
  nodeToken!: string;
}

export function toNodeType(node: Node, live?: { state: string; lastHeartbeatMs: number }): NodeType {
  return {
    id: node.id,
    name: node.name,
    providerId: node.provider.id,
    createdAt: node.createdAt,
    revokedAt: node.revokedAt ?? undefined,
    state: live?.state ?? "OFFLINE",
    lastHeartbeatAt: live?.lastHeartbeatMs ? new Date(live.lastHeartbeatMs) : undefined,
    quarantine: node.quarantinedAt
      ? { since: node.quarantinedAt, reason: node.quarantineReason ?? "" }
      : undefined,
  };
}
