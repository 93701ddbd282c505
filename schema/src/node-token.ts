import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Node tokens bind a worker to the node id it registered as. The api issues one when a provider
 * registers a node (registerNode); the head verifies it without a database, with the secret it
 * shares with the api (NEUROGRID_NODE_TOKEN_SECRET):
 *
 *   ngn.<nodeId, base64url>.<HMAC-SHA256(secret, "neurogrid-node:" + nodeId), base64url>
 *
 * A worker presenting a token can act only as that node id.
 */
const PREFIX = "ngn";

export function signNodeToken(secret: string, nodeId: string): string {
  const id = Buffer.from(nodeId, "utf8").toString("base64url");
  return `${PREFIX}.${id}.${mac(secret, nodeId)}`;
}

/** The node id a valid token was issued for, or null. */
export function verifyNodeToken(secret: string, token: string): string | null {
  const [prefix, id, signature] = token.split(".");
  if (prefix !== PREFIX || !id || !signature) return null;
  const nodeId = Buffer.from(id, "base64url").toString("utf8");
  const expected = Buffer.from(mac(secret, nodeId));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? nodeId : null;
}

function mac(secret: string, nodeId: string): string {
  return createHmac("sha256", secret).update(`neurogrid-node:${nodeId}`).digest("base64url");
}
