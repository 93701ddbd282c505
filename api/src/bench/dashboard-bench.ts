#!/usr/bin/env node
/**
 * `npm run bench:dashboard -- --json [--seconds 120] [--nodes 100] [--gpus 8]`: the provider
 * view in headless Chromium with NODES x GPUS GPUs streaming telemetry every second.
 *
 *   firstViewMs        navigation (a reload, the session resumed from its cookie) to the first
 *                      full render: every node listed and the first node's GPU charts drawing
 *   jsKbGzip           the dashboard's JavaScript, gzipped (goal <= 300)
 *   longTasksOver50ms  main-thread tasks over 50 ms, per minute of streaming (goal <= 5)
 *   heapGrowthMb       the page's JS heap after the run less after the first view, both after
 *                      a forced GC (goal <= 20)
 *
 * The api runs in this process on a fresh database with synthetic telemetry in place of a head
 * (bench/synthetic-telemetry.ts); everything else (GraphQL, graphql-ws, the metrics recorder,
 * the built page) is the real thing. DATABASE_URL / REDIS_URL: defaults local. With --json the
 * last line is one JSON object.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { Account, Node, Role } from "../db/entities/index.js";
import { hashPassword } from "../identity/passwords.js";
import { launchChromium } from "../testing/chromium.js";
import { startInProcessApi } from "../testing/in-process-api.js";
import { syntheticTelemetry } from "./synthetic-telemetry.js";

const ASSETS = fileURLToPath(new URL("../public/assets/", import.meta.url));
const PASSWORD = "bench-password-1";
const TELEMETRY_INTERVAL_MS = 1000;
const VIEW_TIMEOUT_MS = 60_000;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const json = process.argv.includes("--json");
const seconds = flag("seconds", 120);
const nodeCount = flag("nodes", 100);
const gpus = flag("gpus", 8);
const say = (msg: string) => {
  if (!json) process.stdout.write(`${msg}\n`);
};

function jsKbGzip(): number {
  const bytes = readdirSync(ASSETS)
    .filter((f) => f.endsWith(".js"))
    .reduce((sum, f) => sum + gzipSync(readFileSync(`${ASSETS}${f}`)).length, 0);
  return Math.round(bytes / 102.4) / 10;
}

async function main(): Promise<void> {
  const nodeIds = Array.from({ length: nodeCount }, (_, i) => `bench-node-${String(i).padStart(3, "0")}`);
  const api = await startInProcessApi(
    {},
    { clusterEvents: syntheticTelemetry(nodeIds, gpus, TELEMETRY_INTERVAL_MS) },
  );
  const browser = await launchChromium();
  try {
    const em = api.orm.em.fork();
    const provider = em.create(Account, {
      name: "bench-provider",
      role: Role.PROVIDER,
      passwordHash: await hashPassword(PASSWORD),
    });
    for (const id of nodeIds) em.persist(em.create(Node, { id, provider }));
    await em.persist(provider).flush();
    const origin = new URL(api.url).origin;

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => {
      const w = globalThis as unknown as { __longTasks: number };
      w.__longTasks = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (entry.duration > 50) w.__longTasks++;
      }).observe({ type: "longtask" as never, buffered: true });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(VIEW_TIMEOUT_MS);
    await page.goto(`${origin}/`);
    await page.getByLabel("Name or email").fill("bench-provider");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .locator("tr[data-node]")
      .nth(nodeCount - 1)
      .waitFor();

    say(`first view: reloading with ${nodeCount} nodes x ${gpus} GPUs streaming`);
    const t0 = performance.now();
    await page.reload();
    await page
      .locator("tr[data-node]")
      .nth(nodeCount - 1)
      .waitFor();
    await page
      .locator(".chart-plot[data-points]")
      .nth(gpus - 1)
      .waitFor();
    const firstViewMs = Math.round(performance.now() - t0);

    const cdp = await context.newCDPSession(page);
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      return (await cdp.send("Runtime.getHeapUsage")).usedSize;
    };
    const longTasks = () => page.evaluate<number>("globalThis.__longTasks");
    const heapBefore = await heap();
    const longBefore = await longTasks();
    say(`streaming for ${seconds} s`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const longAfter = await longTasks();
    const heapAfter = await heap();

    const result = {
      bench: "dashboard",
      nodes: nodeCount,
      gpusPerNode: gpus,
      seconds,
      firstViewMs,
      jsKbGzip: jsKbGzip(),
      longTasksOver50ms: Math.round(((longAfter - longBefore) / (seconds / 60)) * 10) / 10,
      heapGrowthMb: Math.round(((heapAfter - heapBefore) / 1024 / 1024) * 10) / 10,
    };
    say(
      `firstViewMs ${result.firstViewMs}, jsKbGzip ${result.jsKbGzip}, long tasks/min ${result.longTasksOver50ms}, heap growth ${result.heapGrowthMb} MB`,
    );
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
    await api.stop();
  }
}

await main();
