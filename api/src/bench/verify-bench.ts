#!/usr/bin/env node
/**
 * `npm run bench:verify -- --json`: result verification against a provider that lies, on real
 * parts (PostgreSQL and Redis from DATABASE_URL and REDIS_URL, a database and prefix of its own; a
 * head, three workers and an api as child processes on loopback).
 *
 * Three providers, one node each, one mlp-classifier replica per node; one node's model actor lies
 * on a share q of its answers (--fault-injection-rate, default 0.2). CLIENTS concurrent clients
 * submit --tasks N tasks (default 2,000) through GraphQL and follow each to its end on
 * taskProgress, at the api's default sampling; the bench then waits for every open check to end
 * and reads the outcome from the database against the model's own reference (verify-metrics.ts).
 * With --json the last line of output is one JSON object.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { apiEnv, startApi } from "../testing/local-cluster.js";
import { startLyingCluster } from "../testing/lying-cluster.js";
import { seedProviderNodes } from "../testing/provider-nodes.js";
import { createTestDatabase, uniquePrefix } from "../testing/test-database.js";
import { KeepAliveClient } from "./keep-alive-client.js";
import { readVerifyMetrics } from "./verify-metrics.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const TASKS = option("--tasks", 2000);
const LIE_RATE = option("--lie-rate", 0.2);
const CLIENTS = 16;
/** How long the bench waits, after the last task, for the checks still open to end. */
const SETTLE_WAIT_MS = 120_000;
const LIAR = "verify-bench-liar";
const HONEST = ["verify-bench-honest-1", "verify-bench-honest-2"];
const log = (msg: string) => (json ? process.stderr : process.stdout).write(`${msg}\n`);

const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id } }`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status } }`;

/** The input of task i: a row of features no other task has. */
const featuresOf = (i: number) => [Array.from({ length: 16 }, (_, j) => Math.sin(i * 16 + j))];

async function main(): Promise<void> {
  const children: Child[] = [];
  const db = await createTestDatabase();
  const orm = await openOrm(db.url);
  try {
    await migrate(orm);
    const { clientKey } = await seedProviderNodes(orm, [LIAR, ...HONEST], {
      label: "bench",
      deposit: 10n ** 15n,
    });
    const cluster = await startLyingCluster(db.url, { liar: LIAR, honest: HONEST }, { lieRate: LIE_RATE });
    children.push(...cluster.children);
    const api = await startApi(
      apiEnv(db.url, uniquePrefix("verify-bench"), cluster.headAddress, {
        NEUROGRID_RATE_LIMIT_PER_SECOND: "1000000",
        NEUROGRID_RATE_LIMIT_BURST: "1000000",
      }),
    );
    children.push(api.child);
    const http = new KeepAliveClient(api.url, clientKey, CLIENTS);
    const ws = createClient({
      url: api.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${clientKey}` },
      lazy: false,
      retryAttempts: 0,
    });
    const followToEnd = (id: string) =>
      new Promise<void>((resolve, reject) => {
        ws.subscribe(
          { query: PROGRESS, variables: { id } },
          { next: () => {}, error: reject, complete: resolve },
        );
      });
    let next = 0;
    const t0 = performance.now();
    log(`${TASKS} tasks, ${CLIENTS} clients, the liar lies on ${LIE_RATE * 100}% of its answers…`);
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < TASKS) {
          const i = next++;
          const submitted = await http.post<{ submitTask: { id: string } }>(SUBMIT, {
            input: { model: "mlp-classifier", input: { features: featuresOf(i) } },
          });
          const id = submitted.data?.submitTask.id;
          if (!id) throw new Error(`submit failed: ${JSON.stringify(submitted.errors)}`);
          await followToEnd(id);
          if (i % 500 === 499) log(`  ${i + 1} tasks submitted`);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    await ws.dispose();
    http.close();
    await waitForChecks(orm.em.fork(), SETTLE_WAIT_MS);
    const metrics = await readVerifyMetrics(orm.em.fork(), LIAR);
    const round = (x: number, places = 3) => Math.round(x * 10 ** places) / 10 ** places;
    const result = {
      ...metrics,
      lieRate: LIE_RATE,
      tasksPerS: round(TASKS / seconds, 1),
      extraComputeRatio: round(metrics.extraComputeRatio),
      verifiedLatencyP50Ms:
        metrics.verifiedLatencyP50Ms === null ? null : round(metrics.verifiedLatencyP50Ms, 1),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const child of children.reverse()) await child.stop();
    await orm.close();
    await db.drop();
  }
}

/** Waits until no check or dispute is open, or `ms` have passed. */
async function waitForChecks(em: EntityManager, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const [row] = await em
      .getConnection()
      .execute<{ open: string }[]>(
        `select count(*) as open from task_verifications where status in ('SAMPLED', 'DISPUTED')`,
      );
    if (Number(row?.open ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`some checks were still open after ${ms} ms`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
