/**
 * A driver's credential for a head on this machine that checks callers with a secret it made
 * itself (auth/local-secret.ts): a client given neither TLS nor a credential presents a driver
 * token minted from it, as a local process of the head's user. None with TLS, or when this
 * machine holds no such secret for the head's port (the head then refuses the calls).
 */
import { mintCredential } from "../auth/credential-token.js";
import { localSecretOfHead } from "../auth/local-secret.js";
import type { ClusterClientOptions } from "./types.js";

export function localDriverCredential(
  opts: Pick<ClusterClientOptions, "headAddress" | "tls">,
): string | undefined {
  if (opts.tls !== undefined) return undefined;
  const secret = localSecretOfHead(opts.headAddress);
  return secret === undefined ? undefined : mintCredential(secret, { role: "driver" });
}
