import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { NodeChecks } from "../verification/node-checks.js";
import type { ApiContext } from "./context.js";
import { NodeType } from "./node.type.js";
import { NodeModelOnboardingType, OnboardingStatus } from "./node-onboarding.type.js";

/**
 * `Node.onboarding`: as whoever may read the node may read it (its provider, an admin). The
 * record (node_checks) says PASSED or FAILED; a pair this process is onboarding now and has no
 * record yet is PENDING.
 */
@Resolver(() => NodeType)
export class NodeOnboardingResolver {
  @FieldResolver(() => [NodeModelOnboardingType], {
    description:
      "The node's onboarding for each model it was onboarded for (known-answer tasks before paid work).",
  })
  async onboarding(@Root() node: NodeType, @Ctx() ctx: ApiContext): Promise<NodeModelOnboardingType[]> {
    const recorded = await new NodeChecks(ctx.em).onboardingsOf(node.id);
    const pending = (ctx.services.trust?.onboarding.pendingOf(node.id) ?? []).filter(
      (p) => !recorded.some((r) => r.modelId === p.modelId),
    );
    return [
      ...recorded.map((r) => ({ model: r.model, status: OnboardingStatus[r.status], at: r.at })),
      ...pending.map((p) => ({ model: p.model, status: OnboardingStatus.PENDING })),
    ];
  }
}
