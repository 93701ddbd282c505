/**
 * The head's Prometheus metrics, read at scrape time from its tables (plus one histogram fed by
 * actor events):
 *
 *   neurogrid_head_nodes{state}                         nodes by state
 *   neurogrid_head_node_cpus{node,kind}                 kind = total | available
 *   neurogrid_head_node_memory_bytes{node,kind}
 *   neurogrid_head_node_gpus{node,kind}                 available = GPUs with anything free
 *   neurogrid_head_node_heartbeat_age_seconds{node}     since the node's last heartbeat
 *   neurogrid_head_node_telemetry_up{node}              1 when its last sample was "ok"
 *   neurogrid_head_actors{state}                        actors by state
 *   neurogrid_head_placement_groups{state}
 *   neurogrid_head_actor_start_duration_seconds         PENDING_CREATION/RESTARTING -> ALIVE
 *   neurogrid_gpu_*{node,gpu,uuid}                      every live node's GPU telemetry (gpu-gauges.ts)
 *   neurogrid_host_*{node}                              every live node's CPU, memory, network (host-gauges.ts)
 *   neurogrid_gpu_unschedulable{node,gpu,uuid}          1 while the GPU takes no new actors (too hot)
 *   neurogrid_deployment_replicas{deployment,kind}      kind = target | alive
 *   neurogrid_deployment_ongoing_requests{deployment}   over its callers' latest reports
 *   neurogrid_head_rpc_duration_seconds{method,outcome} (head-rpc-metrics.ts)
 */
import { ActorState, NodeState } from "@neurogrid/schema";
import { Gauge, Histogram, Registry } from "prom-client";
import { registerGpuGauges } from "../metrics/gpu-gauges.js";
import { registerHostGauges } from "../metrics/host-gauges.js";
import type { ActorManager } from "./actor-manager.js";
import type { DeploymentManager } from "./deployment-manager.js";
import type { NodeManager } from "./node-manager.js";
import type { PlacementGroupManager } from "./placement-group-manager.js";
import type { ResourceTable } from "./resource-table.js";

export interface HeadMetricsDeps {
  nodes: NodeManager;
  actors: ActorManager;
  groups: PlacementGroupManager;
  resources: ResourceTable;
  deployments?: DeploymentManager;
}

const MIB = 1024 * 1024;
const START_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function headMetrics({ nodes, actors, groups, resources, deployments }: HeadMetricsDeps): Registry {
  const registry = new Registry();
  if (deployments) registerDeploymentGauges(registry, deployments);
  const live = () => nodes.list().filter((n) => n.state === NodeState.ALIVE);
  new Gauge({
    name: "neurogrid_head_nodes",
    help: "Nodes known to the head, by state",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      for (const state of Object.values(NodeState)) this.set({ state }, 0);
      for (const node of nodes.list()) this.inc({ state: node.state });
    },
  });
  const perNode = (
    name: string,
    help: string,
    read: (n: ReturnType<typeof live>[number]) => [number, number],
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ["node", "kind"],
      registers: [registry],
      collect() {
        this.reset();
        for (const node of live()) {
          const [total, available] = read(node);
          this.set({ node: node.nodeId, kind: "total" }, total);
          this.set({ node: node.nodeId, kind: "available" }, available);
        }
      },
    });
  perNode("neurogrid_head_node_cpus", "CPUs of a live node", (n) => [n.total.cpus, nodes.available(n).cpus]);
  perNode("neurogrid_head_node_memory_bytes", "Memory of a live node", (n) => [
    n.total.memoryMb * MIB,
    nodes.available(n).memoryMb * MIB,
  ]);
  perNode("neurogrid_head_node_gpus", "GPUs of a live node (available: with anything free)", (n) => [
    n.total.gpus.length,
    nodes.available(n).gpus.length,
  ]);
  new Gauge({
    name: "neurogrid_head_node_heartbeat_age_seconds",
    help: "Time since a live node's last heartbeat",
    labelNames: ["node"],
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const node of live())
        this.set({ node: node.nodeId }, Math.max(0, now - node.lastHeartbeatMs) / 1000);
    },
  });
  new Gauge({
    name: "neurogrid_head_node_telemetry_up",
    help: "1 when the node's last GPU telemetry sample was ok",
    labelNames: ["node"],
    registers: [registry],
    collect() {
      this.reset();
      for (const node of live()) this.set({ node: node.nodeId }, node.telemetry?.status === "ok" ? 1 : 0);
    },
  });
  new Gauge({
    name: "neurogrid_head_actors",
    help: "Actors by state",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      for (const state of Object.values(ActorState)) this.set({ state }, 0);
      for (const actor of actors.list()) this.inc({ state: actor.state });
    },
  });
  new Gauge({
    name: "neurogrid_head_placement_groups",
    help: "Placement groups by state",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      this.reset();
      for (const group of groups.list()) this.inc({ state: group.state });
    },
  });
  new Gauge({
    name: "neurogrid_gpu_unschedulable",
    help: "1 while the GPU takes no new actors (e.g. over its critical temperature)",
    labelNames: ["node", "gpu", "uuid"],
    registers: [registry],
    collect() {
      this.reset();
      for (const node of live()) {
        const blocked = resources.unschedulableGpus(node.nodeId);
        for (const gpu of node.total.gpus) {
          this.set(
            { node: node.nodeId, gpu: String(gpu.index), uuid: gpu.uuid },
            blocked.has(gpu.index) ? 1 : 0,
          );
        }
      }
    },
  });
  registerGpuGauges(registry, () => live().map((n) => ({ nodeId: n.nodeId, telemetry: n.telemetry })));
  registerHostGauges(registry, () => live().map((n) => ({ nodeId: n.nodeId, telemetry: n.telemetry })));

  const startDuration = new Histogram({
    name: "neurogrid_head_actor_start_duration_seconds",
    help: "From an actor waiting to be (re)started to ALIVE",
    buckets: START_BUCKETS,
    registers: [registry],
  });
  const waitingSince = new Map<string, number>();
  actors.onEvent((event) => {
    const { actorId, state } = event.actor;
    if (state === ActorState.PENDING_CREATION || state === ActorState.RESTARTING) {
      if (!waitingSince.has(actorId)) waitingSince.set(actorId, event.atMs);
    } else {
      const since = waitingSince.get(actorId);
      waitingSince.delete(actorId);
      if (state === ActorState.ALIVE && since !== undefined)
        startDuration.observe((event.atMs - since) / 1000);
    }
  });
  return registry;
}

function registerDeploymentGauges(registry: Registry, deployments: DeploymentManager): void {
  const label = (d: { spec: { namespace: string; name: string } }) =>
    d.spec.namespace === "" ? d.spec.name : `${d.spec.namespace}/${d.spec.name}`;
  new Gauge({
    name: "neurogrid_deployment_replicas",
    help: "Replicas of each deployment: the autoscaler's target, and those alive",
    labelNames: ["deployment", "kind"],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of deployments.list()) {
        this.set({ deployment: label(d), kind: "target" }, d.targetReplicas);
        this.set(
          { deployment: label(d), kind: "alive" },
          d.replicas.filter((r) => r.state === ActorState.ALIVE).length,
        );
      }
    },
  });
  new Gauge({
    name: "neurogrid_deployment_ongoing_requests",
    help: "Requests in flight or waiting at each deployment, over its callers' latest reports",
    labelNames: ["deployment"],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of deployments.list()) this.set({ deployment: label(d) }, d.ongoingRequests);
    },
  });
}
