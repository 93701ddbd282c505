import { readFileSync } from "node:fs";
import { ClusterClient, type ClusterClientOptions, loadTls } from "@neurogrid/cluster";
import type { Reputation } from "../verification/reputation.js";

/** Each node's reputation (verification/reputation-store.ts), read from the api's database. */
export type ReputationsOf = (nodeId: string) => Promise<Reputation>;

/**
 * `neurogrid status --head ADDR`, after `ray status`: the cluster's nodes with resources used
 * and free (GPUs with their VRAM, a quarantine), its actors by state (with the reason a pending
 * or restarting one waits), its placement groups and its deployments (replicas and load). Read
 * from the head; prints text, or JSON with --json.
 * With the api's database (--database-url), each node's reputation from result verification too.
 */
export async function printStatus(
  headAddress: string,
  json: boolean,
  access: Omit<ClusterClientOptions, "headAddress"> = {},
  reputationOf?: ReputationsOf,
): Promise<void> {
  const client = new ClusterClient({ headAddress, ...access });
  try {
    const [nodes, actors, groups, deployments] = await Promise.all([
      client.listNodes(),
      client.listActors(),
      client.listPlacementGroups(),
      client.listDeployments(),
    ]);
    const reputations = new Map<string, Reputation>();
    if (reputationOf) for (const n of nodes) reputations.set(n.nodeId, await reputationOf(n.nodeId));
    if (json) {
      const reputation = reputationOf ? { reputation: Object.fromEntries(reputations) } : {};
      process.stdout.write(
        `${JSON.stringify({ nodes, actors, placementGroups: groups, deployments, ...reputation })}\n`,
      );
      return;
    }
    const out: string[] = [];
    const alive = nodes.filter((n) => n.state === "ALIVE");
    out.push(`======== Cluster status (head ${headAddress}) ========`);
    out.push(`Nodes: ${alive.length} alive, ${nodes.length - alive.length} dead`);
    for (const n of nodes) {
      const usedCpu = n.total.cpus - n.available.cpus;
      const usedMem = n.total.memoryMb - n.available.memoryMb;
      out.push(` ${n.state === "ALIVE" ? "●" : "○"} ${n.nodeId}  ${n.address}  ${n.state}`);
      out.push(
        `     CPU ${fmt(usedCpu)}/${fmt(n.total.cpus)} used   memory ${usedMem}/${n.total.memoryMb} MiB used`,
      );
      for (const gpu of n.total.gpus) {
        const free = n.available.gpus.find((g) => g.index === gpu.index);
        const vramFree = free ? free.memoryMb : 0;
        out.push(
          `     GPU ${gpu.index} ${gpu.name}: VRAM ${gpu.memoryMb - vramFree}/${gpu.memoryMb} MiB used`,
        );
      }
      const r = reputations.get(n.nodeId);
      if (r) out.push(`     reputation ${r.score.toFixed(3)} (${r.agreed} agreed, ${r.faults} faults)`);
      if (n.quarantine) out.push(`     quarantined: ${n.quarantine.reason}`);
      const labels = Object.entries(n.labels).map(([k, v]) => `${k}=${v}`);
      if (labels.length) out.push(`     labels ${labels.join(" ")}`);
    }
    const byState = new Map<string, number>();
    for (const a of actors) byState.set(a.state, (byState.get(a.state) ?? 0) + 1);
    out.push(`Actors: ${[...byState].map(([s, n]) => `${n} ${s}`).join(", ") || "none"}`);
    for (const a of actors) {
      const waits = a.state === "PENDING_CREATION" || (a.state === "RESTARTING" && a.pendingReason);
      const where = waits ? `pending: ${a.pendingReason ?? "?"}` : `${a.nodeId} ${a.address}`;
      out.push(
        `  ${a.namespace}/${a.name}  ${a.state}  ${where}${a.numRestarts ? `  restarts ${a.numRestarts}` : ""}`,
      );
    }
    out.push(`Placement groups: ${groups.length}`);
    for (const g of groups) {
      out.push(
        `  ${g.name || g.placementGroupId}  ${g.strategy}  ${g.state}  ${g.bundles.length} bundles${g.pendingReason ? `  (${g.pendingReason})` : ""}`,
      );
    }
    out.push(`Deployments: ${deployments.length}`);
    for (const d of deployments) {
      const { spec } = d;
      const alive = d.replicas.filter((r) => r.state === "ALIVE").length;
      out.push(
        `  ${spec.namespace}/${spec.name}  replicas ${alive} alive of ${d.targetReplicas} (min ${spec.minReplicas}, max ${spec.maxReplicas})  ongoing ${d.ongoingRequests} (target ${spec.targetOngoingRequests}/replica)`,
      );
    }
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    client.close();
  }
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** The credential `neurogrid status` presents: an observer certificate, or a credential file. */
export function statusAccess(o: {
  credentialFile?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}): Omit<ClusterClientOptions, "headAddress"> {
  if (o.tlsCa !== undefined && o.tlsCert !== undefined && o.tlsKey !== undefined)
    return { tls: loadTls({ caFile: o.tlsCa, certFile: o.tlsCert, keyFile: o.tlsKey }) };
  if (o.credentialFile !== undefined) return { credential: readFileSync(o.credentialFile, "utf8").trim() };
  return {};
}
