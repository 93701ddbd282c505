/**
 * GET /models/:sha256 — a registered model's ONNX bytes, for workers that fetch artifacts on
 * first use (artifact-download-cache.ts). Content-addressed, so immutable: the sha256 is the
 * strong ETag, `If-None-Match` answers 304, and caches may keep it forever.
 *
 * Who may fetch: a worker with its node token (`Authorization: Bearer ngn.…`, signed with the
 * node token secret the api shares with the head), or an admin (API key or access token).
 *   401 no or a bad credential; 403 a valid credential that is neither; 400 not a sha256;
 *   404 no registered artifact has that sha256.
 */
import { verifyNodeToken } from "@neurogrid/schema";
import express, { type Request, type Router } from "express";
import type { Services } from "../graphql/context.js";
import { apiKeyFromHeaders } from "../identity/api-keys.js";
import { resolveCaller } from "../server/auth-context.js";
import { readArtifact } from "./register-model.js";
import { SHA256_HEX } from "./registry-manifest.js";

type Verdict = { ok: true; who: string } | { ok: false; status: 401 | 403; message: string };

export function modelArtifactRoutes(services: Services): Router {
  const router = express.Router();

  const authorize = async (req: Request): Promise<Verdict> => {
    const credential = apiKeyFromHeaders(req.headers);
    if (!credential) return { ok: false, status: 401, message: "send a node token or an admin API key" };
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
      const verdict = await authorize(req);
      if (!verdict.ok) {
        res.status(verdict.status).json({ error: verdict.message });
        return;
      }
      const sha256 = String(req.params.sha256).toLowerCase();
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
