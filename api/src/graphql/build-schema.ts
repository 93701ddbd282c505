import { AccountLimitsResolver } from "./account-limits.resolver.js";
import "reflect-metadata";
import { createPubSub } from "@graphql-yoga/subscription";
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { AccountResolver } from "./account.resolver.js";
import { AdminAccountsResolver } from "./admin-accounts.resolver.js";
import { AlertThresholdResolver } from "./alert-threshold.resolver.js";
import { AlertWebhookResolver } from "./alert-webhook.resolver.js";
import { AlertWebhookRetriesResolver } from "./alert-webhook-retries.resolver.js";
import { ApiKeyResolver } from "./api-key.resolver.js";
import { AuthResolver } from "./auth.resolver.js";
import { authChecker } from "./auth-checker.js";
import { ClusterEventsResolver } from "./cluster-events.resolver.js";
import { ClusterOverviewResolver } from "./cluster-overview.resolver.js";
import { DepositResolver } from "./deposit.resolver.js";
import { GpuAlertsResolver } from "./gpu-alerts.resolver.js";
import { GpuMetricsResolver } from "./gpu-metrics.resolver.js";
import { LedgerResolver } from "./ledger.resolver.js";
import { ModelResolver } from "./model.resolver.js";
import { ModelRegistryResolver } from "./model-registry.resolver.js";
import { MoneyAttentionResolver } from "./money-attention.resolver.js";
import { NodeResolver } from "./node.resolver.js";
import { NodeOnboardingResolver } from "./node-onboarding.resolver.js";
import { NodeRestoreResolver } from "./node-restore.resolver.js";
import { NodeRevokeResolver } from "./node-revoke.resolver.js";
import { PayoutResolver } from "./payout.resolver.js";
import { ProviderWorkloadsResolver } from "./provider-workloads.resolver.js";
import { AccountReputationResolver, NodeReputationResolver } from "./reputation.resolver.js";
import { StakeResolver } from "./stake.resolver.js";
import { TaskResolver } from "./task.resolver.js";
import { TaskVerificationResolver } from "./task-verification.resolver.js";
import { WithdrawalResolver } from "./withdrawal.resolver.js";

/**
 * The executable schema: every resolver and the role checker. type-graphql's class-validator pass
 * is off: no input type here carries a class-validator rule (inputs are checked where they are
 * used: tasks/task-input.ts, the resolvers' own checks), and the pass still loaded the module and
 * walked every object argument of every request for nothing.
 */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      TaskResolver,
      TaskVerificationResolver,
      NodeReputationResolver,
      NodeOnboardingResolver,
      AccountReputationResolver,
      AccountLimitsResolver,
      AccountResolver,
      AuthResolver,
      ApiKeyResolver,
      NodeResolver,
      NodeRevokeResolver,
      NodeRestoreResolver,
      LedgerResolver,
      ModelResolver,
      ModelRegistryResolver,
      PayoutResolver,
      DepositResolver,
      WithdrawalResolver,
      StakeResolver,
      ClusterEventsResolver,
      GpuAlertsResolver,
      GpuMetricsResolver,
      ClusterOverviewResolver,
      AlertThresholdResolver,
      AlertWebhookResolver,
      AlertWebhookRetriesResolver,
      AdminAccountsResolver,
      MoneyAttentionResolver,
      ProviderWorkloadsResolver,
    ],
    authChecker,
    validate: false,
    // Every subscription here brings its own Redis-backed stream (`subscribe:` option), but
    // type-graphql refuses to build subscriptions without a pubSub; this one carries nothing.
    pubSub: createPubSub(),
  });
}

/** The SDL checked in at schema/graphql/schema.graphql (sorted, so the file is stable). */
export function printSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
