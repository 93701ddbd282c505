#!/usr/bin/env node
/**
 * `npm run bench:soak -- --json [--minutes M]`: does the api hold steady under long load?
 *
 * 1,000 followers over 100 graphql-ws sockets (10 a socket, all of one client account, as a
 * busy dashboard or SDK pool would), each in a closed loop: submit one task over HTTP
 * (keep-alive), follow it with a taskProgress subscription on its socket until COMPLETED, and
 * submit the next at once. So about 1,000 subscriptions are open at every moment (a follower is
 * between subscriptions only while its submit is in flight), and the tasks are a steady load:
 * as many as the machine completes, with each subscription opened, fed and closed, for
 * M minutes (10 unless told), measured after a warm-up of WARMUP_MS (the 1,000 first submits
 * arrive at once, and the JIT is cold: neither is what minute 1 of a long run should measure).
 *
 * Reported: the api process's resident memory (VmRSS) after minute 1 and at the end, and the
 * growth (`rssGrowthMb`, goal < 50); p99 submit latency (the HTTP submit, not the task) over the
 * first and the last minute (`p99FirstMs`, `p99LastMs`: the last at most 1.5x the first), and of
 * every minute (`p99ByMinuteMs`, with `submitsByMinute`); the
 * open subscriptions sampled each second (`openSubscriptionsMin`, `...Mean`); submits sent again
 * after their keep-alive connection was reset (`submitsResent`). The last line with
 * --json is one JSON object.
 *
 * Real processes (head, worker, api via the `neurogrid` CLI), the PostgreSQL and Redis named by
 * DATABASE_URL / REDIS_URL (defaults: local).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { seedFixture } from "../e2e/fixture.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, uniquePrefix } from "../testing/test-database.js";
import { KeepAliveClient } from "./keep-alive-client.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    minutes: { type: "string", default: "10" },
    sockets: { type: "string", default: "100" },
    "per-socket": { type: "string", default: "10" },
  },
});
const MINUTE_MS = 60_000;
const SAMPLE_MS = 1_000;
const WARMUP_MS = 30_000;
const minutes = Number(values.minutes);
const sockets = Number(values.sockets);
const perSocket = Number(values["per-socket"]);
const log = (msg: string) => (values.json ? process.stderr : process.stdout).write(`${msg}\n`);

const SUBMIT = `mutation($f: [[Float!]!]!, $k: String!) { submitTask(input: { model: "mlp-classifier", input: { features: $f }, idempotencyKey: $k }) { id } }`;
/** A submit whose connection broke is sent again under its idempotency key, as a client does. */
const SUBMIT_ATTEMPTS = 3;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status } }`;
const features = (i: number) => [Array.from({ length: 16 }, (_, j) => Math.sin(i + j))];

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Number.NaN;
}

/** Resolves when the task's progress reaches COMPLETED; rejects on any other end. */
function followToCompletion(ws: Client, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const seen: string[] = [];
    const stop = ws.subscribe<{ taskProgress: { status: string } }>(
      { query: PROGRESS, variables: { id } },
      {
        next: (v) => {
          const status = v.data?.taskProgress.status;
          seen.push(String(status ?? JSON.stringify(v)));
          if (status === "COMPLETED") {
            done = true;
            stop();
            resolve();
          } else if (status === "FAILED" || status === "CANCELLED" || v.errors) {
            reject(new Error(`task ${id}: ${status ?? JSON.stringify(v.errors)}`));
          }
        },
        error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
        complete: () => {
          if (!done) reject(new Error(`task ${id}: stream ended before COMPLETED (${seen.join(",")})`));
        },
      },
    );
  });
}

let resent = 0;

async function submitWithRetry(http: KeepAliveClient, variables: Record<string, unknown>) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await http.post<{ submitTask: { id: string } }>(SUBMIT, variables);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= SUBMIT_ATTEMPTS || (code !== "ECONNRESET" && code !== "EPIPE")) throw err;
      resent++;
    }
  }
}

async function main(): Promise<void> {
  const followers = sockets * perSocket;
  const children: Child[] = [];
  const db = await createTestDatabase();
  const orm = await openOrm(db.url);
  const clients: Client[] = [];
  let closing = false;
  try {
    await migrate(orm);
    const fx = await seedFixture(orm, ["soak-worker"], 10n ** 15n);
    const head = await startHead();
    children.push(head.child);
    children.push(await startWorker(head.address, "soak-worker"));
    const api = await startApi(
      apiEnv(db.url, uniquePrefix("bench-soak"), head.address, {
        NEUROGRID_RATE_LIMIT_PER_SECOND: "1000000",
        NEUROGRID_RATE_LIMIT_BURST: "1000000",
        NEUROGRID_WS_SOCKETS_PER_ADDRESS: String(sockets + 8),
        NEUROGRID_WS_SOCKETS_PER_ACCOUNT: String(sockets + 8),
        NEUROGRID_WS_OPERATIONS_PER_SOCKET: String(perSocket * 2),
      }),
    );
    children.push(api.child);
    const apiPid = api.child.process.pid;
    if (apiPid === undefined) throw new Error("the api has no PID");
    const http = new KeepAliveClient(api.url, fx.clientKey, 64);
    for (let s = 0; s < sockets; s++) {
      clients.push(
        createClient({
          url: api.url.replace(/^http/, "ws"),
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${fx.clientKey}` },
          lazy: false,
          // graphql-ws closes a socket the moment its last subscription ends, even when not
          // lazy; a follower between two tasks must find its socket open.
          lazyCloseTimeout: 10 * MINUTE_MS,
          retryAttempts: 0,
          on: {
            closed: (e) => {
              const { code, reason } = e as { code?: number; reason?: string };
              if (!closing) log(`soak: socket ${s} closed: ${code} ${reason}`);
            },
          },
        }),
      );
    }

    log(`soak: ${followers} followers on ${sockets} sockets for ${minutes} min…`);
    const startedAt = performance.now() + WARMUP_MS;
    const endAt = startedAt + minutes * MINUTE_MS;
    const submits: { at: number; ms: number }[] = [];
    let open = 0;
    let completed = 0;
    let seq = 0;
    const follower = async (ws: Client) => {
      while (performance.now() < endAt) {
        const t0 = performance.now();
        const i = seq++;
        const res = await submitWithRetry(http, { f: features(i), k: `soak-${i}` });
        const id = res.data?.submitTask.id;
        if (!id) throw new Error(`submit failed: ${JSON.stringify(res.errors)}`);
        if (t0 >= startedAt) submits.push({ at: t0 - startedAt, ms: performance.now() - t0 });
        open++;
        try {
          await followToCompletion(ws, id);
        } finally {
          open--;
        }
        if (performance.now() >= startedAt) completed++;
      }
    };
    const openSamples: number[] = [];
    let rssMinute1 = Number.NaN;
    const sampler = setInterval(() => {
      const elapsed = performance.now() - startedAt;
      if (elapsed < 0) return;
      openSamples.push(open);
      if (Number.isNaN(rssMinute1) && elapsed >= MINUTE_MS) rssMinute1 = rssMb(apiPid);
      if (openSamples.length % 30 === 0) {
        log(
          `soak: ${(elapsed / 1000).toFixed(0)} s, ${completed} tasks, ${open} open, rss ${rssMb(apiPid).toFixed(0)} MB`,
        );
      }
    }, SAMPLE_MS);
    try {
      await Promise.all(clients.flatMap((ws) => Array.from({ length: perSocket }, () => follower(ws))));
    } finally {
      clearInterval(sampler);
    }
    const durationMs = performance.now() - startedAt;
    const rssEnd = rssMb(apiPid);
    const first = submits.filter((s) => s.at < MINUTE_MS).map((s) => s.ms);
    const last = submits.filter((s) => s.at >= durationMs - MINUTE_MS).map((s) => s.ms);
    http.close();
    // The last seconds are the followers' wind-down, not the steady state.
    const steady = openSamples.slice(0, -2);
    const result = {
      minutes,
      followers,
      sockets,
      tasks: completed,
      tasksPerS: Math.round(completed / (durationMs / 1000)),
      openSubscriptionsMin: Math.min(...steady),
      openSubscriptionsMean: Math.round(steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length)),
      rssMinute1Mb: Number(rssMinute1.toFixed(1)),
      rssEndMb: Number(rssEnd.toFixed(1)),
      rssGrowthMb: Number((rssEnd - rssMinute1).toFixed(1)),
      p99FirstMs: Number(p99(first).toFixed(1)),
      p99LastMs: Number(p99(last).toFixed(1)),
      // Whole minutes, one by one: a steady climb (something grows with the data) reads differently from
      // one bad minute (a vacuum, a checkpoint, the machine's other work).
      p99ByMinuteMs: Array.from({ length: Math.floor(durationMs / MINUTE_MS) }, (_, m) =>
        Number(p99(submits.filter((x) => Math.floor(x.at / MINUTE_MS) === m).map((x) => x.ms)).toFixed(1)),
      ),
      submitsByMinute: Array.from(
        { length: Math.floor(durationMs / MINUTE_MS) },
        (_, m) => submits.filter((x) => Math.floor(x.at / MINUTE_MS) === m).length,
      ),
      submitsResent: resent,
    };
    log(
      `soak: ${result.tasks} tasks, rss ${result.rssMinute1Mb} -> ${result.rssEndMb} MB, ` +
        `p99 submit ${result.p99FirstMs} -> ${result.p99LastMs} ms`,
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    closing = true;
    await Promise.all(clients.map((c) => c.dispose()));
    for (const child of children.reverse()) await child.stop();
    await orm.close();
    await db.drop();
  }
}

await main();
process.exit(0);
