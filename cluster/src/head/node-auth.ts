/**
 * How the head checks a registering node's token. Three modes:
 *
 *   none                 any node may register (a cluster on one machine, tests)
 *   --node-token T       a shared cluster token: whoever holds it may register, as any node id
 *   --node-token-secret  per-node tokens issued by the api (signNodeToken in @neurogrid/schema):
 *                        the token must verify and name the node id it registers as, so a
 *                        provider's token lets its machine act as its own node and no other
 *
 * The two token modes exclude each other (config-head.ts). Comparisons take constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { verifyNodeToken } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";

export interface NodeAuthOptions {
  /** A shared token every node must present. */
  nodeToken?: string | undefined;
  /** The secret per-node tokens are signed with: a node's token must be issued for its id. */
  nodeTokenSecret?: string | undefined;
}

/** Throws UNAUTHENTICATED unless `token` lets a node register as `nodeId`. */
export function nodeTokenCheck(options: NodeAuthOptions): (nodeId: string, token: string) => void {
  const { nodeToken, nodeTokenSecret } = options;
  if (nodeTokenSecret !== undefined) {
    return (nodeId, token) => {
      if (token === "") throw new ClusterError("UNAUTHENTICATED", `node ${nodeId}: no node token`);
      const issuedFor = verifyNodeToken(nodeTokenSecret, token);
      if (issuedFor === null) throw new ClusterError("UNAUTHENTICATED", `node ${nodeId}: bad node token`);
      if (issuedFor !== nodeId) {
        throw new ClusterError(
          "UNAUTHENTICATED",
          `node ${nodeId}: the node token was issued for another node id`,
        );
      }
    };
  }
  if (nodeToken !== undefined) {
    const expected = digest(nodeToken);
    return (nodeId, token) => {
      if (!timingSafeEqual(digest(token), expected))
        throw new ClusterError("UNAUTHENTICATED", `node ${nodeId}: bad node token`);
    };
  }
  return () => {};
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
