import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import express, { type Router } from "express";
import { dashboardSecurityHeaders } from "./security-headers.js";

/**
 * The web dashboard: static files the api build writes with Vite (api/web -> dist/public),
 * served at / from this origin, every response with the dashboard's security headers. Views
 * are chosen by the URL's fragment (#/client, #/provider, #/admin), so the server knows one page.
 * Hashed assets are cached for a year; index.html never.
 */
const PUBLIC_DIR = fileURLToPath(new URL("../public/", import.meta.url));
const ASSET_MAX_AGE_MS = 365 * 24 * 3600 * 1000;

export function dashboardRoutes(): Router {
  const router = express.Router();
  router.use(
    "/assets",
    dashboardSecurityHeaders,
    express.static(`${PUBLIC_DIR}assets`, { immutable: true, maxAge: ASSET_MAX_AGE_MS, fallthrough: false }),
  );
  router.get("/", dashboardSecurityHeaders, (_req, res) => {
    if (!existsSync(`${PUBLIC_DIR}index.html`)) {
      res.status(503).type("text").send("the dashboard is not built: run `npm run build -w api`\n");
      return;
    }
    res.setHeader("cache-control", "no-store");
    res.sendFile(`${PUBLIC_DIR}index.html`);
  });
  return router;
}
