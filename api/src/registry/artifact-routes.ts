/**
 * GET /models/:sha256 — a registered model's ONNX bytes, for model actors that download
 * artifacts on first use (cluster's models/artifact-download.ts). Content-addressed, so
 * immutable: the sha256 is the strong ETag, `If-None-Match` answers 304, and caches may keep it
 * forever.
 *
 * Who may fetch (`Authorization: Bearer <credential>`):
 *   - the holder of an artifact token for this sha256 (`nga.…`, artifact-token.ts: what the api
 *     signs into a model actor's initArgs), until it expires;
 *   - a worker with its node token (`ngn.…`, signed with the node token secret the api shares
 *     with the head);
 *   - an admin (API key or access token).
 *   401 no credential, a bad or expired one; 403 a valid credential that is none of these (an
 *   artifact token for another artifact, a client's key); 400 not a sha256; 404 no registered
 *   artifact has that sha256.
 */
import { isArtifactToken, verifyArtifactToken, verifyNodeToken } from "@neurogrid/schema";
import express, { type Request, type Router } from "express";
import type { Services } from "../graphql/context.js";
import { apiKeyFromHeaders } from "../identity/api-keys.js";
import { resolveCaller } from "../server/auth-context.js";
import { artifactTokenSecret } from "./artifact-token.js";
import { readArtifact } from "./register-model.js";
import { SHA256_HEX } from "./registry-manifest.js";

type Verdict = { ok: true; who: string } | { ok: false; status: 401 | 403; message: string };

export function modelArtifactRoutes(services: Services): Router {
  const router = express.Router();

  const authorize = async (req: Request, sha256: string): Promise<Verdict> => {
    const credential = apiKeyFromHeaders(req.headers);
    if (!credential) {
      return { ok: false, status: 401, message: "send an artifact token, a node token or an admin API key" };
    }
    if (isArtifactToken(credential)) {
      const check = verifyArtifactToken(artifactTokenSecret(services.config), credential, sha256);
      if (check.ok) return { ok: true, who: `artifact token for ${check.sha256}` };
      return { ok: false, status: check.reason === "other-artifact" ? 403 : 401, message: check.message };
    }
    const secret = services.config.nodeTokenSecret;
    if (credential.startsWith("ngn.")) {
      const nodeId = secret ? verifyNodeToken(secret, credential) : null;
      return nodeId
        ? { ok: true, who: `node ${nodeId}` }
        : { ok: false, status: 401, message: "invalid node token" };
    }
    const resolved = await resolveCaller(services.orm.em.fork(), services.jwt, req.headers);
    if (!resolved.caller)
      return { ok: false, status: 401, message: resolved.authError ?? "invalid credential" };
    if (resolved.caller.account.role !== "admin") {
      return { ok: false, status: 403, message: "model artifacts are served to nodes and admins only" };
    }
    return { ok: true, who: `admin ${resolved.caller.account.id}` };
  };

  router.get("/models/:sha256", async (req, res, next) => {
    try {
      const sha256 = String(req.params.sha256).toLowerCase();
      const verdict = await authorize(req, sha256);
      if (!verdict.ok) {
        res.status(verdict.status).json({ error: verdict.message });
        return;
      }
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
      const bytes = await readArtifact(services.orm.em.fork(), sha256);
      if (!bytes) {
        res.status(404).json({ error: `no registered model artifact has sha256 ${sha256}` });
        return;
      }
      res.status(200).type("application/octet-stream").setHeader("Content-Length", String(bytes.length));
      res.end(bytes);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
