/**
 * Per-artifact capability tokens (schema's node-token.ts: `nga.<sha256>.<expiry>.<HMAC>`, the
 * HMAC-SHA256 of "artifact:<sha256>:<expiry>"): the api signs one into a model actor's initArgs,
 * and GET /models/:sha256 (artifact-routes.ts) serves that one artifact until it expires, to the
 * node that sends its own node token with it while the head places an actor of that model on
 * that node (artifact-grants.ts). The head picks the node after the token is signed, so the
 * binding to a node is checked at each download rather than written into the token.
 *
 * Signed with the api's own secret (jwtSecret): every api and dispatcher process of a deployment
 * has it, so any of them can sign and any can verify; the "artifact:" message prefix keeps these
 * signatures apart from access tokens (a JWT's signing input never starts with it).
 *
 * Expiry: the head restarts a detached model actor with the initArgs it was created with, so the
 * token must outlive the restarts that may need to download again (a restart on a machine whose
 * cache already holds the artifact needs no token). A week by default; an actor whose token has
 * expired fails to start where it must download, and the next get-or-create signs a new one.
 */
import { signArtifactToken } from "@neurogrid/schema";
import type { ApiConfig } from "../config.js";

export const DEFAULT_ARTIFACT_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The secret artifact tokens are signed and verified with. */
export function artifactTokenSecret(config: Pick<ApiConfig, "jwtSecret">): string {
  return config.jwtSecret;
}

/** A token for that artifact only, valid for ttlMs from now. */
export function issueArtifactToken(
  secret: string,
  sha256: string,
  ttlMs: number = DEFAULT_ARTIFACT_TOKEN_TTL_MS,
  now: Date = new Date(),
): string {
  return signArtifactToken(secret, sha256, new Date(now.getTime() + ttlMs));
}
