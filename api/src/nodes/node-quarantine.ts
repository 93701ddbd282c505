/**
 * A node's quarantine, in PostgreSQL (nodes.quarantined_at, quarantine_reason) and at the head
 * (SetNodeQuarantine): quarantined, it takes no new actors and its actors move to other nodes
 * (cluster/src/head/node-quarantine.ts). Result verification quarantines (verification/
 * quarantine.ts); an admin restores (the `restoreNode` mutation, `neurogrid node restore`).
 *
 * The head is told first, and the row written only once it has taken it: a head that cannot be
 * reached fails the call (UNAVAILABLE) with nothing written, so the next fault, or the admin,
 * tries again. Restoring a node that is not quarantined is a no-op on its row, and still tells
 * the head (which clears anything it may have kept), so a restore can always be repeated.
 */
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import { type ClusterClient, isClusterError } from "@neurogrid/cluster";
import { Node } from "../db/entities/index.js";
import { ApiError, notFound } from "../errors.js";
import { QuarantinePolicy } from "../verification/quarantine.js";
import type { ReputationStore } from "../verification/reputation-store.js";

export type HeadQuarantine = Pick<ClusterClient, "setNodeQuarantine">;

async function tellHead(cluster: HeadQuarantine, nodeId: string, reason: string): Promise<void> {
  try {
    await cluster.setNodeQuarantine(nodeId, reason);
  } catch (err) {
    if (!isClusterError(err)) throw err;
    const what = reason === "" ? "restore" : "quarantine";
    throw new ApiError("UNAVAILABLE", `the head did not take the ${what} of node ${nodeId}: ${err.message}`);
  }
}

async function nodeOf(em: EntityManager, nodeId: string): Promise<Node> {
  const node = nodeId === "" ? null : await em.findOne(Node, nodeId, { populate: ["provider"] });
  if (!node) throw notFound(`node ${nodeId}`);
  return node;
}

/** Quarantines the node (`reason`); one already quarantined keeps its first time and reason. */
export async function quarantineNode(
  em: EntityManager,
  cluster: HeadQuarantine,
  nodeId: string,
  reason: string,
  now: Date = new Date(),
): Promise<Node> {
  const node = await nodeOf(em, nodeId);
  if (node.quarantinedAt) return node;
  await tellHead(cluster, node.id, reason);
  node.quarantinedAt = now;
  node.quarantineReason = reason;
  await em.flush();
  return node;
}

/** Takes the node out of quarantine (a no-op on a node that is not in it; see above). */
export async function restoreNode(em: EntityManager, cluster: HeadQuarantine, nodeId: string): Promise<Node> {
  const node = await nodeOf(em, nodeId);
  await tellHead(cluster, node.id, "");
  node.quarantinedAt = null;
  node.quarantineReason = null;
  await em.flush();
  return node;
}

/** The quarantine policy (verification/quarantine.ts) over the database and the head. */
export function quarantinePolicyOf(
  orm: MikroORM,
  cluster: HeadQuarantine,
  reputations: Pick<ReputationStore, "ofNode">,
  floor: number,
  log?: (msg: string) => void,
): QuarantinePolicy {
  return new QuarantinePolicy({
    floor,
    reputationOf: (nodeId) => reputations.ofNode(nodeId),
    isQuarantined: async (nodeId) => {
      const node = await orm.em.fork().findOne(Node, nodeId, { fields: ["quarantinedAt"] });
      return Boolean(node?.quarantinedAt);
    },
    quarantine: async (nodeId, reason) => {
      await quarantineNode(orm.em.fork(), cluster, nodeId, reason);
    },
    ...(log ? { log } : {}),
  });
}
