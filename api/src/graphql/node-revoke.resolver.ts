import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { revokeNode } from "../nodes/revoke-node.js";
import type { ApiContext } from "./context.js";
import { NodeType, toNodeType } from "./node.type.js";

/** Admins revoke a provider's node (nodes/revoke-node.ts). */
@Resolver()
export class NodeRevokeResolver {
  @Authorized("admin")
  @Mutation(() => NodeType, {
    description:
      "Admin: revokes a node for good. The head refuses it at once: its token no longer registers " +
      "it, a connected node is DEAD and its actors restart elsewhere. Answers the node, DEAD or OFFLINE.",
  })
  async revokeNode(@Arg("nodeId", () => ID) nodeId: string, @Ctx() ctx: ApiContext): Promise<NodeType> {
    const { node } = await revokeNode(ctx.em, ctx.services.cluster, nodeId);
    const live = (await ctx.services.cluster.listNodes()).find((n) => n.nodeId === node.id);
    return toNodeType(node, live);
  }
}
