import type { ClusterEventWithTelemetry } from "@neurogrid/cluster";
import { Arg, ID, Resolver, Root, Subscription } from "type-graphql";
import { AsyncQueue } from "../tasks/async-queue.js";
import { requireAccess } from "./auth-checker.js";
import { providerNodeScope } from "./caller.js";
import { ClusterEventType, NodeStatusEventType } from "./cluster-events.type.js";
import type { ApiContext } from "./context.js";

@Resolver()
export class ClusterEventsResolver {
  @Subscription(() => NodeStatusEventType, {
    description: "Your nodes joining, rejoining and dying (an admin hears every node); optionally one node.",
    subscribe: ({ args, context }) =>
      subscribeNodeStatus(context as ApiContext, args.nodeId as string | undefined),
  })
  nodeStatus(
    @Root() event: NodeStatusEventType,
    @Arg("nodeId", () => ID, { nullable: true }) _nodeId?: string,
  ): NodeStatusEventType {
    return event;
  }

  @Subscription(() => ClusterEventType, {
    description: "Admin: every node and actor event of the cluster.",
    subscribe: ({ context }) => subscribeClusterEvents(context as ApiContext),
  })
  clusterEvents(@Root() event: ClusterEventType): ClusterEventType {
    return event;
  }
}

async function subscribeNodeStatus(
  ctx: ApiContext,
  nodeId?: string,
): Promise<AsyncIterable<NodeStatusEventType>> {
  // A provider hears its own nodes: the set is read when the subscription starts.
  const owned = await providerNodeScope(ctx);
  return relay(ctx, (event) => {
    if (event.kind !== "node") return undefined;
    const id = event.node.nodeId;
    if (owned && !owned.has(id)) return undefined;
    if (nodeId && id !== nodeId) return undefined;
    return {
      nodeId: id,
      type: event.type,
      state: event.node.state,
      cause: event.cause,
      at: new Date(event.atMs),
    };
  });
}

async function subscribeClusterEvents(ctx: ApiContext): Promise<AsyncIterable<ClusterEventType>> {
  requireAccess(ctx, "admin", "scope:nodes:read");
  return relay(ctx, (event): ClusterEventType | undefined => {
    if (event.kind === "node") {
      return {
        kind: "node",
        type: event.type,
        nodeId: event.node.nodeId,
        cause: event.cause,
        at: new Date(event.atMs),
      };
    }
    if (event.kind === "actor") {
      return {
        kind: "actor",
        type: event.actor.state,
        nodeId: event.actor.nodeId || undefined,
        actor: `${event.actor.namespace}/${event.actor.name}`,
        from: event.from,
        cause: event.cause,
        at: new Date(event.atMs),
      };
    }
    return undefined; // telemetry samples are not cluster events (see gpu telemetry)
  });
}

function relay<T>(
  ctx: ApiContext,
  map: (event: ClusterEventWithTelemetry) => T | undefined,
): AsyncIterable<T> {
  const queue = new AsyncQueue<T>(() => stop());
  const stop = ctx.services.clusterWatch.listen((event) => {
    const mapped = map(event);
    if (mapped !== undefined) queue.push(mapped);
  });
  return queue;
}
