import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import { ApiError } from "../errors.js";
import { ClusterOverviewType } from "./cluster-overview.type.js";
import type { ApiContext } from "./context.js";

@Resolver()
export class ClusterOverviewResolver {
  @Authorized("admin", "scope:nodes:read")
  @Query(() => ClusterOverviewType, {
    description: "Admin: nodes, actors, deployments (target and alive replicas) and task queue depths, now.",
  })
  async clusterOverview(@Ctx() ctx: ApiContext): Promise<ClusterOverviewType> {
    const { cluster, queue } = ctx.services;
    const counts = await queue.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    let nodes: Awaited<ReturnType<typeof cluster.listNodes>>;
    let actors: Awaited<ReturnType<typeof cluster.listActors>>;
    let deployments: Awaited<ReturnType<typeof cluster.listDeployments>>;
    try {
      [nodes, actors, deployments] = await Promise.all([
        cluster.listNodes(),
        cluster.listActors(),
        cluster.listDeployments(),
      ]);
    } catch {
      throw new ApiError("UNAVAILABLE", "the cluster head does not answer");
    }
    return {
      nodes: nodes.map((n) => ({
        nodeId: n.nodeId,
        state: n.state,
        gpus: n.total.gpus.length,
        freeGpus: n.available.gpus.length,
        lastHeartbeatAt: n.lastHeartbeatMs ? new Date(n.lastHeartbeatMs) : undefined,
      })),
      actors: actors.map((a) => ({
        namespace: a.namespace,
        name: a.name,
        state: a.state,
        nodeId: a.nodeId || undefined,
        gpuIds: a.gpuIds,
      })),
      deployments: deployments.map((d) => ({
        namespace: d.spec?.namespace ?? "",
        name: d.spec?.name ?? "",
        targetReplicas: d.targetReplicas,
        aliveReplicas: d.replicas.filter((r) => r.state === "ALIVE").length,
        ongoingRequests: d.ongoingRequests,
      })),
      queue: {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        prioritized: counts.prioritized ?? 0,
      },
    };
  }
}
