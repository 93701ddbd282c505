/**
 * How the head checks a registering node's token. Three modes:
 *
 *   none                 any node may register (a cluster on one machine, tests)
 *   --node-token T       a shared cluster token: whoever holds it may register, as any node id
 *   --node-token-secret  per-node tokens issued by the api (signNodeToken in @neurogrid/schema):
 *                        the token must verify, name the node id it registers as, and be
 *                        unexpired, so a provider's token lets its machine act as its own node
 *                        and no other, until its expiry (which the node manager also holds a
 *                        connected node to)
 *
 * The two token modes exclude each other (config-head.ts). Comparisons take constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { checkNodeToken } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";

export interface NodeAuthOptions {
  /** A shared token every node must present. */
  nodeToken?: string | undefined;
  /** The secret per-node tokens are signed with: a node's token must be issued for its id. */
  nodeTokenSecret?: string | undefined;
}

/** What a token that lets a node register says: until when (per-node tokens only). */
export interface TokenGrant {
  expiresAtMs?: number;
}

/** Throws UNAUTHENTICATED unless `token` lets a node register as `nodeId` at `now`. */
export function nodeTokenCheck(
  options: NodeAuthOptions,
  now: () => number,
): (nodeId: string, token: string) => TokenGrant {
  const { nodeToken, nodeTokenSecret } = options;
  if (nodeTokenSecret !== undefined) {
    return (nodeId, token) => {
      if (token === "") throw new ClusterError("UNAUTHENTICATED", `node ${nodeId}: no node token`);
      const check = checkNodeToken(nodeTokenSecret, token, new Date(now()));
      if (!check.ok) throw new ClusterError("UNAUTHENTICATED", `node ${nodeId}: ${check.message}`);
      if (check.nodeId !== nodeId) {
        throw new ClusterError(
          "UNAUTHENTICATED",
          `node ${nodeId}: the node token was issued for another node id`,
        );
      }
      return { expiresAtMs: check.expiresAt.getTime() };
    };
  }
  if (nodeToken !== undefined) {
    const expected = digest(nodeToken);
    return (nodeId, token) => {
      if (!timingSafeEqual(digest(token), expected))
        throw new ClusterError("UNAUTHENTICATED", `node ${nodeId}: bad node token`);
      return {};
    };
  }
  return () => ({});
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
