import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { GpuAlertEvent } from "../alerts/alert-service.js";
import { type AlertRow, acknowledgeAlert } from "../alerts/alert-store.js";
import { notFound } from "../errors.js";
import { AsyncQueue } from "../tasks/async-queue.js";
import { providerNodeScope, requireCaller } from "./caller.js";
import type { ApiContext } from "./context.js";
import { GpuAlertEventType, GpuAlertType } from "./gpu-alerts.type.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Resolver()
export class GpuAlertsResolver {
  @Authorized("provider", "scope:nodes:read")
  @Query(() => [GpuAlertType], {
    description: "GPU alerts of your nodes (an admin: every node), newest first.",
  })
  async alerts(
    @Arg("openOnly", () => Boolean, { defaultValue: false }) openOnly: boolean,
    @Arg("limit", () => Int, { defaultValue: 50 }) limit: number,
    @Ctx() ctx: ApiContext,
  ): Promise<GpuAlertType[]> {
    const { account } = requireCaller(ctx);
    const where: string[] = [];
    const params: unknown[] = [];
    if (account.role !== "admin") {
      where.push("node_id in (select id from nodes where provider_id = ?)");
      params.push(account.id);
    }
    if (openOnly) where.push("resolved_at is null");
    const rows = await ctx.em.execute<AlertRow[]>(
      `select * from gpu_alerts ${where.length ? `where ${where.join(" and ")}` : ""}
        order by started_at desc, id desc limit ?`,
      [...params, Math.max(1, Math.min(500, limit))],
    );
    return rows.map(toAlert);
  }

  @Authorized("provider", "scope:nodes:write")
  @Mutation(() => GpuAlertType, {
    description:
      "Acknowledges a GPU alert of your node (an admin: any node); the first acknowledgement is kept.",
  })
  async acknowledgeAlert(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext): Promise<GpuAlertType> {
    const { account } = requireCaller(ctx);
    // An id that is not a uuid names no alert.
    if (!UUID.test(id)) throw notFound("alert");
    const row = await acknowledgeAlert(ctx.services.orm, {
      alertId: id,
      accountId: account.id,
      providerId: account.role === "admin" ? undefined : account.id,
      at: new Date(),
    });
    if (!row) throw notFound("alert");
    return toAlert(row);
  }

  @Subscription(() => GpuAlertEventType, {
    description: "Your nodes' GPU alerts as they open, escalate and resolve (an admin hears every node).",
    subscribe: ({ context }) => subscribeGpuAlerts(context as ApiContext),
  })
  gpuAlerts(@Root() event: GpuAlertEventType): GpuAlertEventType {
    return event;
  }
}

async function subscribeGpuAlerts(ctx: ApiContext): Promise<AsyncIterable<GpuAlertEventType>> {
  // A provider hears its own nodes: the set is read when the subscription starts.
  const owned = await providerNodeScope(ctx);
  const queue = new AsyncQueue<GpuAlertEventType>(() => stop());
  const stop = await ctx.services.alerts.subscribe((event: GpuAlertEvent) => {
    if (owned && !owned.has(event.alert.node_id)) return;
    queue.push({ change: event.change, alert: toAlert(event.alert) });
  });
  return queue;
}

function toAlert(r: AlertRow): GpuAlertType {
  return {
    id: r.id,
    nodeId: r.node_id,
    gpuIndex: r.gpu_index,
    gpuUuid: r.gpu_uuid,
    metric: r.metric,
    level: r.level,
    value: Number(r.value),
    threshold: Number(r.threshold),
    startedAt: new Date(r.started_at),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : undefined,
    acknowledgedAt: r.acknowledged_at ? new Date(r.acknowledged_at) : undefined,
    acknowledgedBy: r.acknowledged_by ?? undefined,
  };
}
