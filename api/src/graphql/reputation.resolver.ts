import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Role } from "../db/entities/index.js";
import { faultsWithEvidence } from "../verification/fault-evidence.js";
import { ReputationStore } from "../verification/reputation-store.js";
import { AccountType } from "./account.type.js";
import type { ApiContext } from "./context.js";
import { NodeType } from "./node.type.js";
import { NodeFaultType } from "./node-fault.type.js";
import { ReputationType } from "./reputation.type.js";

/**
 * `Node.reputation` and `Node.faults`: as whoever may read the node may read them (its provider,
 * an admin).
 */
@Resolver(() => NodeType)
export class NodeReputationResolver {
  @FieldResolver(() => ReputationType, {
    description: "The node's reputation from result verification and known-answer checks.",
  })
  reputation(@Root() node: NodeType, @Ctx() ctx: ApiContext): Promise<ReputationType> {
    return new ReputationStore(ctx.em).ofNode(node.id);
  }

  @FieldResolver(() => [NodeFaultType], {
    description:
      "The node's newest faults (50 at most): each wrong result with the dispute's evidence, each wrong known answer (canary, onboarding) with the answer expected.",
  })
  faults(@Root() node: NodeType, @Ctx() ctx: ApiContext): Promise<NodeFaultType[]> {
    return faultsWithEvidence(ctx.em, node.id);
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
