import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { restoreNode } from "../nodes/node-quarantine.js";
import type { ApiContext } from "./context.js";
import { NodeType, toNodeType } from "./node.type.js";

/** Admins take a node out of quarantine (nodes/node-quarantine.ts). */
@Resolver()
export class NodeRestoreResolver {
  @Authorized("admin")
  @Mutation(() => NodeType, {
    description:
      "Admin: takes a node out of quarantine: the head places actors on it again. Its reputation " +
      "is unchanged (still sampled more; quarantined again at a fault below the floor). " +
      "Restoring a node that is not quarantined changes nothing and answers the node.",
  })
  async restoreNode(@Arg("nodeId", () => ID) nodeId: string, @Ctx() ctx: ApiContext): Promise<NodeType> {
    const node = await restoreNode(ctx.em, ctx.services.cluster, nodeId);
    const live = (await ctx.services.cluster.listNodes()).find((n) => n.nodeId === node.id);
    return toNodeType(node, live);
  }
}
