/**
 * GET /models/:sha256 — a registered model's ONNX bytes, for model actors that download
 * artifacts on first use (cluster's models/artifact-download.ts). Content-addressed, so
 * immutable: the sha256 is the strong ETag, `If-None-Match` answers 304, and caches may keep it
 * forever.
 *
 * Who may fetch:
 *   - a node, with the artifact token for this sha256 (`Authorization: Bearer nga.…`,
 *     artifact-token.ts: what the api signs into a model actor's initArgs), unexpired, AND its own
 *     node token (`ngn.…`, signed with the secret the api shares with the head) in the
 *     x-neurogrid-node header, AND only while the head places an actor of that model on that
 *     node (artifact-grants.ts): a token copied to another node, or kept after its actor left,
 *     opens nothing. A node token alone opens nothing either;
 *   - an admin (API key or access token).
 *   401 no credential, a bad or expired one, an artifact token without a valid node token;
 *   403 a valid credential that may not have it (an artifact token for another artifact, a node
 *   that runs no actor of the model, a client's key); 400 not a sha256; 404 no registered
 *   artifact has that sha256; 429 over the download rate limit.
 *
 * Rate-limited: a token bucket per holder (the node, the admin),
 * else per client address (no credential or a bad one), NEUROGRID_ARTIFACT_RATE_LIMIT_*.
 *
 * Streamed, never held whole in the api's memory: from the api's model cache directory when the
 * file is there with the registered size (the downloader checks the sha256 anyway), else from
 * PostgreSQL in 1 MiB slices (`substring` of the bytea; the column is stored uncompressed, so
 * PostgreSQL reads only each slice's pages: Migration20261206300000_artifact_storage).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isClusterError } from "@neurogrid/cluster";
import {
  checkNodeToken,
  isArtifactToken,
  NODE_CREDENTIAL_HEADER,
  verifyArtifactToken,
} from "@neurogrid/schema";
import express, { type Request, type Router } from "express";
import type { Services } from "../graphql/context.js";
import { apiKeyFromHeaders } from "../identity/api-keys.js";
import { addressKey } from "../protection/admission.js";
import { TokenBucket } from "../protection/token-bucket.js";
import { resolveCaller } from "../server/auth-context.js";
import { nodeServesArtifact } from "./artifact-grants.js";
import { artifactTokenSecret } from "./artifact-token.js";
import { artifactPath, modelCacheDirOf } from "./model-cache-dir.js";
import { SHA256_HEX } from "./registry-manifest.js";

type Verdict = { ok: true; who: string } | { ok: false; status: 401 | 403 | 503; message: string };

/** Bytes per slice read from PostgreSQL. */
const SLICE_BYTES = 1024 * 1024;

export function modelArtifactRoutes(services: Services): Router {
  const router = express.Router();
  const bucket = new TokenBucket(
    services.redis,
    `${services.config.redisPrefix}:artifacts`,
    services.config.artifactRateLimitBurst,
    services.config.artifactRateLimitPerSecond,
  );

  const authorize = async (req: Request, sha256: string): Promise<Verdict> => {
    const credential = apiKeyFromHeaders(req.headers);
    if (!credential) {
      return { ok: false, status: 401, message: "send the api-signed artifact token or an admin API key" };
    }
    if (isArtifactToken(credential)) return authorizeNode(services, req, credential, sha256);
    if (credential.startsWith("ngn.")) {
      return {
        ok: false,
        status: 401,
        message: `a node downloads with its actor's artifact token, its node token in ${NODE_CREDENTIAL_HEADER}`,
      };
    }
    const resolved = await resolveCaller(
      services.orm.em.fork(),
      services.jwt,
      req.headers,
      services.credentials,
    );
    if (!resolved.caller)
      return { ok: false, status: 401, message: resolved.authError ?? "invalid credential" };
    if (resolved.caller.account.role !== "admin") {
      return { ok: false, status: 403, message: "model artifacts are served to nodes and admins only" };
    }
    return { ok: true, who: `admin:${resolved.caller.account.id}` };
  };

  router.get("/models/:sha256", async (req, res, next) => {
    try {
      const sha256 = String(req.params.sha256).toLowerCase();
      // The address pays for every credential that is not (yet) known good, before it is checked.
      const credential = apiKeyFromHeaders(req.headers);
      const cheap =
        credential !== undefined && (isArtifactToken(credential) || credential.startsWith("ngn."));
      if (!cheap && !(await taken(bucket, addressKey(req.ip), res))) return;
      const verdict = await authorize(req, sha256);
      if (!verdict.ok) {
        if (cheap && !(await taken(bucket, addressKey(req.ip), res))) return;
        res.status(verdict.status).json({ error: verdict.message });
        return;
      }
      if (cheap && !(await taken(bucket, verdict.who, res))) return;
      if (!SHA256_HEX.test(sha256)) {
        res.status(400).json({ error: "expected a sha256: 64 hex digits" });
        return;
      }
      const etag = `"${sha256}"`;
      res.setHeader("ETag", etag);
      res.setHeader("Cache-Control", "private, max-age=31536000, immutable");
      if (req.headers["if-none-match"]?.split(",").some((t) => t.trim() === etag)) {
        res.status(304).end();
        return;
      }
      const em = services.orm.em.fork();
      const [row] = await em.execute<{ size_bytes: string }[]>(
        "select size_bytes from model_artifacts where sha256 = ?",
        [sha256],
      );
      if (!row) {
        res.status(404).json({ error: `no registered model artifact has sha256 ${sha256}` });
        return;
      }
      const size = Number(row.size_bytes);
      const file = artifactPath(modelCacheDirOf(services.config.modelCacheDir), sha256);
      const onDisk = await stat(file).then(
        (s) => s.isFile() && s.size === size,
        () => false,
      );
      res.status(200).type("application/octet-stream").setHeader("Content-Length", String(size));
      const body = onDisk ? createReadStream(file) : Readable.from(slices(services, sha256, size));
      await pipeline(body, res);
    } catch (err) {
      if (res.headersSent) res.destroy();
      else next(err);
    }
  });
  return router;
}

/**
 * A node's download: the api-signed artifact token (this sha256, unexpired), the node's own
 * token beside it (which node asks), and that node runs or is being given an actor of the model.
 */
async function authorizeNode(
  services: Services,
  req: Request,
  artifactToken: string,
  sha256: string,
): Promise<Verdict> {
  const check = verifyArtifactToken(artifactTokenSecret(services.config), artifactToken, sha256);
  if (!check.ok)
    return { ok: false, status: check.reason === "other-artifact" ? 403 : 401, message: check.message };
  const header = req.headers[NODE_CREDENTIAL_HEADER];
  const nodeToken = typeof header === "string" ? header : undefined;
  const secret = services.config.nodeTokenSecret;
  if (!nodeToken || !secret)
    return { ok: false, status: 401, message: `send the node's token in ${NODE_CREDENTIAL_HEADER}` };
  const node = checkNodeToken(secret, nodeToken);
  if (!node.ok) return { ok: false, status: 401, message: node.message };
  let serves: boolean;
  try {
    serves = await nodeServesArtifact(services.orm.em.fork(), services.cluster, node.nodeId, check.sha256);
  } catch (err) {
    if (!isClusterError(err)) throw err;
    return { ok: false, status: 503, message: `cannot ask the head where the model runs: ${err.message}` };
  }
  if (!serves) {
    return {
      ok: false,
      status: 403,
      message: `node ${node.nodeId} runs no actor of a model with artifact ${check.sha256}`,
    };
  }
  return { ok: true, who: `node:${node.nodeId}` };
}

/** Takes a download token for `key`; answers 429 and false when the bucket is empty. */
async function taken(bucket: TokenBucket, key: string, res: express.Response): Promise<boolean> {
  const d = await bucket.take(key);
  if (d.allowed) return true;
  res.setHeader("retry-after", String(Math.max(1, Math.ceil(d.retryAfterMs / 1000))));
  res.status(429).json({ error: `rate limit exceeded: retry in ${d.retryAfterMs} ms` });
  return false;
}

/** The artifact's bytes from PostgreSQL, one slice per statement. */
async function* slices(services: Services, sha256: string, size: number): AsyncGenerator<Buffer> {
  for (let from = 0; from < size; from += SLICE_BYTES) {
    const [row] = await services.orm.em
      .fork()
      .execute<{ slice: Buffer }[]>(
        "select substring(bytes from ? for ?) as slice from model_artifacts where sha256 = ?",
        [from + 1, SLICE_BYTES, sha256],
      );
    if (!row) throw new Error(`model artifact ${sha256} disappeared while it was being sent`);
    yield row.slice;
  }
}
