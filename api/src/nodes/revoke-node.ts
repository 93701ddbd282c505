/**
 * Revoking a provider's node (the `revokeNode` mutation, `neurogrid node revoke`): the head is
 * told first, so the node is refused at once (its token no longer registers it, a connected node
 * is DEAD and its heartbeat stream closed, its actors restart elsewhere or die), then the node's
 * row records when. Revoking again is harmless: the head keeps refusing, and revokedAt keeps the
 * first time. A head that cannot be reached fails the revocation (UNAVAILABLE) with nothing
 * written, so it can be tried again.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { type ClusterClient, isClusterError } from "@neurogrid/cluster";
import { Node } from "../db/entities/index.js";
import { ApiError, notFound } from "../errors.js";

export interface RevokedNode {
  node: Node;
  /** Whether the head had it ALIVE (it is DEAD now). */
  wasAlive: boolean;
}

export async function revokeNode(
  em: EntityManager,
  cluster: Pick<ClusterClient, "revokeNode">,
  nodeId: string,
  now: Date = new Date(),
): Promise<RevokedNode> {
  const node = nodeId === "" ? null : await em.findOne(Node, nodeId, { populate: ["provider"] });
  if (!node) throw notFound(`node ${nodeId}`);
  let wasAlive: boolean;
  try {
    ({ wasAlive } = await cluster.revokeNode(node.id));
  } catch (err) {
    if (!isClusterError(err)) throw err;
    throw new ApiError(
      "UNAVAILABLE",
      `the head did not take the revocation of node ${node.id}: ${err.message}`,
    );
  }
  node.revokedAt ??= now;
  await em.flush();
  return { node, wasAlive };
}
