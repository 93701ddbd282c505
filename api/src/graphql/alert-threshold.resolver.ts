import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import {
  EVERY_GPU,
  listThresholds,
  removeThreshold,
  setThreshold,
  type ThresholdRow,
} from "../alerts/threshold-overrides.js";
import type { AlertMetric } from "../alerts/thresholds.js";
import { badInput } from "../errors.js";
import { AlertThresholdKeyInput, SetAlertThresholdInput } from "./alert-threshold.input.js";
import { AlertThresholdType } from "./alert-threshold.type.js";
import { requireCaller } from "./caller.js";
import type { ApiContext } from "./context.js";

const METRICS: readonly string[] = ["temperature", "memory", "power"];
const NODE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

@Resolver()
export class AlertThresholdResolver {
  @Authorized("admin")
  @Query(() => [AlertThresholdType], { description: "Admin: GPU alert thresholds set per node or GPU." })
  async alertThresholds(
    @Arg("nodeId", () => ID, { nullable: true }) nodeId: string | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<AlertThresholdType[]> {
    return (await listThresholds(ctx.em, nodeId)).map(toType);
  }

  @Authorized("admin")
  @Mutation(() => AlertThresholdType, {
    description: "Admin: sets the warning and critical thresholds of a metric for a node's GPUs or one GPU.",
  })
  async setAlertThreshold(
    @Arg("input", () => SetAlertThresholdInput) input: SetAlertThresholdInput,
    @Ctx() ctx: ApiContext,
  ): Promise<AlertThresholdType> {
    const { account } = requireCaller(ctx);
    const key = checkedKey(input);
    if (
      !(Number.isFinite(input.warning) && Number.isFinite(input.critical) && input.warning < input.critical)
    ) {
      throw badInput("warning must be below critical");
    }
    const row = await setThreshold(ctx.em, {
      ...key,
      warning: input.warning,
      critical: input.critical,
      by: account.id,
    });
    await ctx.services.alerts.thresholdsChanged();
    return toType(row);
  }

  @Authorized("admin")
  @Mutation(() => Boolean, { description: "Admin: back to the defaults; false when nothing was set." })
  async removeAlertThreshold(
    @Arg("input", () => AlertThresholdKeyInput) input: AlertThresholdKeyInput,
    @Ctx() ctx: ApiContext,
  ): Promise<boolean> {
    const removed = await removeThreshold(ctx.em, checkedKey(input));
    if (removed) await ctx.services.alerts.thresholdsChanged();
    return removed;
  }
}

function checkedKey(input: AlertThresholdKeyInput): {
  nodeId: string;
  gpuIndex: number;
  metric: AlertMetric;
} {
  if (!METRICS.includes(input.metric)) throw badInput(`metric must be one of ${METRICS.join(", ")}`);
  if (input.gpuIndex !== undefined && input.gpuIndex !== null && input.gpuIndex < 0) {
    throw badInput("gpuIndex must be 0 or more");
  }
  // Any node id the cluster may know: a worker's node need not be registered with an owner.
  if (!NODE_ID.test(input.nodeId)) throw badInput("nodeId must be 1-128 letters, digits, . _ : -");
  return { nodeId: input.nodeId, gpuIndex: input.gpuIndex ?? EVERY_GPU, metric: input.metric as AlertMetric };
}

function toType(r: ThresholdRow): AlertThresholdType {
  return {
    nodeId: r.node_id,
    gpuIndex: r.gpu_index === EVERY_GPU ? undefined : r.gpu_index,
    metric: r.metric,
    warning: Number(r.warning),
    critical: Number(r.critical),
    updatedAt: new Date(r.updated_at),
    updatedBy: r.updated_by ?? undefined,
  };
}
