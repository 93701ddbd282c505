/**
 * Where a model's bytes may come from on a worker's machine, whatever a caller asks. The head
 * relays a driver's ActorSpec as it is, so the node that runs the actor (a provider's machine)
 * decides for itself which bytes it loads and where it writes. The worker checks a model actor's
 * start arguments before any process starts (checkStartArgs, worker/worker-service.ts), and a
 * model mux checks each model reference a call carries (checkModelSource). Refused:
 *
 *   cacheDir                 always: where model files are written is the worker's own
 *                            --model-cache-dir, never a caller's choice
 *   path                     unless it is this worker's own content-addressed cache file for the
 *                            sha256 given with it (<modelCacheDir>/<sha256>.onnx, a file the
 *                            cluster itself wrote; the single-machine path): no other file of
 *                            the machine is ever loaded as a model
 *   artifact.url             unless it is <artifactOrigin>/models/<sha256>, the api the worker's
 *                            operator named (--artifact-origin): no request to any other host
 *                            (SSRF), no bytes from anywhere else; a worker without an origin
 *                            takes no downloaded artifacts
 *   artifact.token           missing, not an artifact token, for another sha256, or expired (its
 *                            signature is checked by the api that serves the bytes, and the bytes
 *                            must hash to the sha256 whatever the token says); the download also
 *                            carries this node's own token (nodeToken), so the api hands the bytes
 *                            only to a node that runs an actor of that model
 *
 * The same rules hold for every model a model mux is started with. Refusals are
 * PERMISSION_DENIED and name the field; the head hands them to the driver that asked.
 */
import { join, resolve } from "node:path";
import { artifactTokenClaims } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";

export interface ModelSourcePolicy {
  /** The worker's model file cache. */
  modelCacheDir: string;
  /** Base URL of the api that serves artifacts (GET <origin>/models/<sha256>); none: no downloads. */
  artifactOrigin?: string | undefined;
  /**
   * This node's token, sent with every artifact download (NODE_CREDENTIAL_HEADER) so the api
   * serves an artifact only to the node that runs, or is being given, an actor of its model.
   */
  nodeToken?: string | undefined;
  now?: () => Date;
}

/** Classes whose start arguments name model sources. */
const MODEL_CLASSES = new Set(["model", "model-mux"]);

/** Throws PERMISSION_DENIED when `initArgs` of an actor of `className` break the policy. */
export function checkStartArgs(className: string, initArgs: unknown, policy: ModelSourcePolicy): void {
  if (!MODEL_CLASSES.has(className) || !isRecord(initArgs)) return;
  if (initArgs.cacheDir !== undefined)
    deny("cacheDir", "the model cache directory is the worker's own (--model-cache-dir)");
  if (className === "model") {
    checkSource(initArgs, policy, "");
    return;
  }
  const models = Array.isArray(initArgs.models) ? initArgs.models : [];
  models.forEach((ref, i) => {
    if (isRecord(ref)) checkSource(ref, policy, `models[${i}].`);
  });
}

/** Throws PERMISSION_DENIED when one model source (`at` prefixes the field names) breaks the policy. */
export function checkModelSource(source: unknown, policy: ModelSourcePolicy, at = ""): void {
  if (isRecord(source)) checkSource(source, policy, at);
}

function checkSource(source: Record<string, unknown>, policy: ModelSourcePolicy, at: string): void {
  if (source.path !== undefined) {
    const sha256 = typeof source.sha256 === "string" ? source.sha256.toLowerCase() : "";
    const own = join(resolve(policy.modelCacheDir), `${sha256}.onnx`);
    if (typeof source.path !== "string" || resolve(source.path) !== own)
      deny(`${at}path`, "a model file is loaded only from the worker's own cache, by its sha256");
  }
  if (source.artifact === undefined) return;
  const artifact = isRecord(source.artifact) ? source.artifact : {};
  const sha256 = typeof artifact.sha256 === "string" ? artifact.sha256.toLowerCase() : "";
  if (policy.artifactOrigin === undefined)
    deny(`${at}artifact`, "this worker downloads no artifacts (it was started without --artifact-origin)");
  const expected = `${policy.artifactOrigin.replace(/\/+$/, "")}/models/${sha256}`;
  if (artifact.url !== expected)
    deny(`${at}artifact.url`, `artifacts come only from this worker's artifact origin (${expected})`);
  const claims = typeof artifact.token === "string" ? artifactTokenClaims(artifact.token) : undefined;
  if (claims === undefined) deny(`${at}artifact.token`, "an api-signed artifact token is required");
  if (claims.sha256 !== sha256) deny(`${at}artifact.token`, `the token is for artifact ${claims.sha256}`);
  const now = policy.now?.() ?? new Date();
  if (claims.expiresAt.getTime() <= now.getTime())
    deny(`${at}artifact.token`, `the token expired at ${claims.expiresAt.toISOString()}`);
}

function deny(field: string, why: string): never {
  throw new ClusterError("PERMISSION_DENIED", `model source: ${field} refused: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
