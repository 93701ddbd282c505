import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Role } from "../db/entities/index.js";
import { ReputationStore } from "../verification/reputation-store.js";
import { AccountType } from "./account.type.js";
import type { ApiContext } from "./context.js";
import { NodeType } from "./node.type.js";
import { ReputationType } from "./reputation.type.js";

/** `Node.reputation`: as whoever may read the node may read it (its provider, an admin). */
@Resolver(() => NodeType)
export class NodeReputationResolver {
  @FieldResolver(() => ReputationType, { description: "The node's reputation from result verification." })
  reputation(@Root() node: NodeType, @Ctx() ctx: ApiContext): Promise<ReputationType> {
    return new ReputationStore(ctx.em).ofNode(node.id);
  }
}

/** `Account.reputation`: a provider's, over all its nodes; null for any other account. */
@Resolver(() => AccountType)
export class AccountReputationResolver {
  @FieldResolver(() => ReputationType, {
    nullable: true,
    description:
      "A provider's reputation from result verification, over all its nodes; null for other accounts.",
  })
  async reputation(@Root() account: AccountType, @Ctx() ctx: ApiContext): Promise<ReputationType | null> {
    if (account.role !== Role.PROVIDER) return null;
    return new ReputationStore(ctx.em).ofProvider(account.id);
  }
}
