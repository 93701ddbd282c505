import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import { ApiError } from "../errors.js";
import { providerNodeScope } from "./caller.js";
import type { ApiContext } from "./context.js";
import { ProviderWorkloadsType } from "./provider-workloads.type.js";

@Resolver()
export class ProviderWorkloadsResolver {
  @Authorized("provider", "scope:nodes:read")
  @Query(() => ProviderWorkloadsType, {
    description:
      "Actors and model deployments on your nodes, as the head sees them now (an admin: every node).",
  })
  async providerWorkloads(@Ctx() ctx: ApiContext): Promise<ProviderWorkloadsType> {
    const own = await providerNodeScope(ctx);
    const { cluster } = ctx.services;
    let actors: Awaited<ReturnType<typeof cluster.listActors>>;
    let deployments: Awaited<ReturnType<typeof cluster.listDeployments>>;
    let nodes: Awaited<ReturnType<typeof cluster.listNodes>> = [];
    try {
      [actors, deployments, nodes] = await Promise.all([
        cluster.listActors(),
        cluster.listDeployments(),
        own ? Promise.resolve([]) : cluster.listNodes(),
      ]);
    } catch {
      throw new ApiError("UNAVAILABLE", "the cluster head does not answer");
    }
    const mine = (nodeId: string) => nodeId !== "" && (own ? own.has(nodeId) : true);
    return {
      nodeIds: own ? [...own].sort() : nodes.map((n) => n.nodeId).sort(),
      actors: actors
        .filter((a) => mine(a.nodeId))
        .map((a) => ({
          namespace: a.namespace,
          name: a.name,
          state: a.state,
          nodeId: a.nodeId,
          gpuIds: a.gpuIds,
        })),
      deployments: deployments
        .filter((d) => d.replicas.some((r) => mine(r.nodeId)))
        .map((d) => {
          const here = d.replicas.filter((r) => mine(r.nodeId));
          return {
            namespace: d.spec?.namespace ?? "",
            name: d.spec?.name ?? "",
            targetReplicas: d.targetReplicas,
            aliveReplicas: d.replicas.filter((r) => r.state === "ALIVE").length,
            aliveOnYourNodes: here.filter((r) => r.state === "ALIVE").length,
            nodeIds: [...new Set(here.map((r) => r.nodeId))].sort(),
          };
        }),
    };
  }
}
