import { createHash, randomBytes } from "node:crypto";
import { signNodeToken } from "@neurogrid/schema";
import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Account, Node } from "../db/entities/index.js";
import { ApiError, badInput } from "../errors.js";
import { requireCaller } from "./caller.js";
import { afterFilter, type ConnectionShape, pageSize, toConnection } from "./connection.js";
import type { ApiContext } from "./context.js";
import { NodesArgs } from "./node.args.js";
import { NodeStateFilter, RegisterNodeInput } from "./node.input.js";
import { NodeConnection, NodeType, RegisteredNode, toNodeType } from "./node.type.js";

const NAME = /^[A-Za-z0-9._-]{1,48}$/;

@Resolver()
export class NodeResolver {
  @Authorized("provider", "scope:nodes:read")
  @Query(() => NodeConnection, {
    description: "Your nodes (an admin sees every node), with their live state.",
  })
  async nodes(
    @Args(() => NodesArgs) args: NodesArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<ConnectionShape<NodeType>> {
    const { account } = requireCaller(ctx);
    const n = pageSize(args.first);
    const filter = args.filter ?? {};
    if (filter.providerId !== undefined && account.role !== "admin") {
      throw new ApiError("FORBIDDEN", "only an admin filters nodes by provider");
    }
    const live = await liveNodes(ctx);
    const where: Record<string, unknown> = account.role === "admin" ? {} : { provider: account.id };
    if (filter.providerId !== undefined) where.provider = filter.providerId;
    if (filter.name !== undefined) where.name = filter.name;
    if (filter.state !== undefined) where.id = idsInStates(live, filter.state);
    const rows = await ctx.em.find(
      Node,
      { ...where, ...afterFilter(args.after) },
      { orderBy: { createdAt: "desc", id: "desc" }, limit: n + 1 },
    );
    const total = await ctx.em.count(Node, where);
    return toConnection(rows, n, total, Boolean(args.after), (node) => toNodeType(node, live.get(node.id)));
  }

  @Authorized("provider", "scope:nodes:write")
  @Mutation(() => RegisteredNode, {
    description: "Registers a machine you own; returns its node token, once.",
  })
  async registerNode(
    @Arg("input", () => RegisterNodeInput) input: RegisterNodeInput,
    @Ctx() ctx: ApiContext,
  ): Promise<RegisteredNode> {
    const { account } = requireCaller(ctx);
    if (!NAME.test(input.name))
      throw badInput("name must be 1-48 letters, digits, dots, underscores or dashes");
    const secret = ctx.services.config.nodeTokenSecret;
    if (!secret)
      throw new ApiError(
        "CONFLICT",
        "this deployment issues no node tokens (NEUROGRID_NODE_TOKEN_SECRET is not set)",
      );
    await ctx.services.stakes?.requireNodeStake(account.id);
    const id = `${input.name}-${randomBytes(4).toString("hex")}`;
    const token = signNodeToken(secret, id);
    const node = ctx.em.create(Node, {
      id,
      name: input.name,
      provider: ctx.em.getReference(Account, account.id),
      tokenHash: createHash("sha256").update(token).digest("hex"),
    });
    await ctx.em.persist(node).flush();
    return { node: toNodeType(node), nodeToken: token };
  }
}

/** The head's view of every node, fetched at most once per request. */
/**
 * A node's state comes from the head (ALIVE or DEAD), OFFLINE when the head does not know it:
 * the head's list is complete, so a state filter becomes an exact id condition in SQL (and
 * pages stay keyset pages).
 */
function idsInStates(
  live: Map<string, { state: string }>,
  states: NodeStateFilter[],
): Record<string, unknown> {
  const known = [...live.keys()];
  const inStates = known.filter((id) => states.includes(live.get(id)?.state as NodeStateFilter));
  if (!states.includes(NodeStateFilter.OFFLINE)) return { $in: inStates };
  const others = known.filter((id) => !inStates.includes(id));
  return { $nin: others };
}

async function liveNodes(ctx: ApiContext): Promise<Map<string, { state: string; lastHeartbeatMs: number }>> {
  try {
    const nodes = await ctx.services.cluster.listNodes();
    return new Map(nodes.map((n) => [n.nodeId, { state: n.state, lastHeartbeatMs: n.lastHeartbeatMs }]));
  } catch {
    return new Map();
  }
}
