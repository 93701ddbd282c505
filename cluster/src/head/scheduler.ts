/**
 * Actor placement: a pure function from a resource request and the live nodes to a node and
 * the specific GPU indices the actor gets. Simple for now; the full policies (hybrid/pack,
 * spread, node affinity, strict variants, GPU fractions, labels) come in a later issue.
 *
 * Assumptions of this policy:
 * - A node fits when its free CPUs, memory and custom resources cover the request and it has
 *   at least `gpus` whole free GPUs. GPUs are given out lowest free index first.
 * - Among the nodes that fit, a request for no GPUs prefers nodes without GPUs (as Ray's hybrid
 *   policy avoids GPU nodes), then the least loaded node (see loadOf), then the smallest node id
 *   so the choice is deterministic.
 * - No fit is RESOURCES_UNAVAILABLE with, per node, why it did not fit. Nothing waits in a
 *   queue for resources to free up (later).
 */
import type { NodeResources, ResourceRequest } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { loadOf } from "./node-resources.js";

export interface SchedulableNode {
  nodeId: string;
  total: NodeResources;
  available: NodeResources;
}

export interface Placement {
  nodeId: string;
  gpuIds: number[];
}

/** Why `available` cannot host `request`, or undefined when it can. */
export function misfit(request: ResourceRequest, available: NodeResources): string | undefined {
  const reasons: string[] = [];
  if (available.cpus < request.cpus) reasons.push(`cpus ${available.cpus} free < ${request.cpus}`);
  if (available.memoryMb < request.memoryMb) {
    reasons.push(`memoryMb ${available.memoryMb} free < ${request.memoryMb}`);
  }
  if (available.gpus.length < request.gpus)
    reasons.push(`gpus ${available.gpus.length} free < ${request.gpus}`);
  for (const [name, amount] of Object.entries(request.custom)) {
    const free = available.custom[name] ?? 0;
    if (free < amount) reasons.push(`${name} ${free} free < ${amount}`);
  }
  return reasons.length === 0 ? undefined : reasons.join(", ");
}

export function describeRequest(request: ResourceRequest): string {
  const custom = Object.entries(request.custom).map(([name, amount]) => `, ${name}=${amount}`);
  return `cpus=${request.cpus}, memoryMb=${request.memoryMb}, gpus=${request.gpus}${custom.join("")}`;
}

/** Picks a node for `request` among live `nodes`; throws RESOURCES_UNAVAILABLE when none fits. */
export function schedule(request: ResourceRequest, nodes: readonly SchedulableNode[]): Placement {
  if (nodes.length === 0) {
    throw new ClusterError("RESOURCES_UNAVAILABLE", `no live nodes (needs ${describeRequest(request)})`);
  }
  const fits: SchedulableNode[] = [];
  const reasons: string[] = [];
  for (const node of nodes) {
    const why = misfit(request, node.available);
    if (why === undefined) fits.push(node);
    else reasons.push(`${node.nodeId}: ${why}`);
  }
  const best = fits.sort((a, b) => compare(request, a, b))[0];
  if (best === undefined) {
    throw new ClusterError(
      "RESOURCES_UNAVAILABLE",
      `no node can host the actor (needs ${describeRequest(request)}): ${reasons.join("; ")}`,
    );
  }
  const gpuIds = best.available.gpus
    .map((gpu) => gpu.index)
    .sort((a, b) => a - b)
    .slice(0, request.gpus);
  return { nodeId: best.nodeId, gpuIds };
}

function compare(request: ResourceRequest, a: SchedulableNode, b: SchedulableNode): number {
  if (request.gpus === 0) {
    const gpuNodeOrder = Number(a.total.gpus.length > 0) - Number(b.total.gpus.length > 0);
    if (gpuNodeOrder !== 0) return gpuNodeOrder;
  }
  const loadOrder = loadOf(a.total, a.available) - loadOf(b.total, b.available);
  if (loadOrder !== 0) return loadOrder;
  return a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0;
}
