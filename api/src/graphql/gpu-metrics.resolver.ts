import { Arg, Args, Authorized, Ctx, ID, Query, Resolver, Root, Subscription } from "type-graphql";
import { Node } from "../db/entities/index.js";
import { badInput, notFound } from "../errors.js";
import { MAX_POINTS, queryMetrics } from "../gpu-metrics/gpu-metrics-store.js";
import { AsyncQueue } from "../tasks/async-queue.js";
import { providerNodeScope, requireCaller } from "./caller.js";
import type { ApiContext } from "./context.js";
import { GpuMetricsArgs } from "./gpu-metrics.args.js";
import { GpuMetricPointType, GpuTelemetryEventType } from "./gpu-metrics.type.js";

const MAX_STEP_S = 86_400;

@Resolver()
export class GpuMetricsResolver {
  @Authorized("provider", "scope:nodes:read")
  @Query(() => [GpuMetricPointType], {
    description: "One GPU's metrics history of your node (an admin: any node), averaged per step.",
  })
  async gpuMetrics(@Args(() => GpuMetricsArgs) args: GpuMetricsArgs, @Ctx() ctx: ApiContext) {
    const { account } = requireCaller(ctx);
    const node = await ctx.em.findOne(Node, { id: args.nodeId }, { fields: ["id", "provider"] });
    if (!node || (account.role !== "admin" && node.provider.id !== account.id)) throw notFound("node");
    const nowMs = Date.now();
    const to = args.to ?? new Date(nowMs);
    if (args.step < 1 || args.step > MAX_STEP_S) throw badInput(`step must be 1 to ${MAX_STEP_S} seconds`);
    if (to.getTime() <= args.from.getTime()) throw badInput("from must be before to");
    if ((to.getTime() - args.from.getTime()) / 1000 / args.step > MAX_POINTS) {
      throw badInput(`at most ${MAX_POINTS} points: widen the step or narrow the range`);
    }
    return queryMetrics(ctx.em, {
      nodeId: args.nodeId,
      gpu: args.gpu,
      from: args.from,
      to,
      stepS: args.step,
      nowMs,
    });
  }

  @Subscription(() => GpuTelemetryEventType, {
    description:
      "Your nodes' GPUs as each heartbeat brings them (an admin hears every node); optionally one node.",
    subscribe: ({ args, context }) =>
      subscribeTelemetry(context as ApiContext, args.nodeId as string | undefined),
  })
  gpuTelemetry(
    @Root() event: GpuTelemetryEventType,
    @Arg("nodeId", () => ID, { nullable: true }) _nodeId?: string,
  ): GpuTelemetryEventType {
    return event;
  }
}

async function subscribeTelemetry(
  ctx: ApiContext,
  nodeId?: string,
): Promise<AsyncIterable<GpuTelemetryEventType>> {
  // A provider hears its own nodes: the set is read when the subscription starts.
  const owned = await providerNodeScope(ctx);
  const queue = new AsyncQueue<GpuTelemetryEventType>(() => stop());
  const stop = ctx.services.clusterWatch.listen((event) => {
    if (event.kind !== "telemetry") return;
    if (owned && !owned.has(event.nodeId)) return;
    if (nodeId && event.nodeId !== nodeId) return;
    queue.push({
      nodeId: event.nodeId,
      at: new Date(event.telemetry.sampledAtMs || event.atMs),
      status: event.telemetry.status,
      gpus: event.telemetry.gpus,
    });
  });
  return queue;
}
