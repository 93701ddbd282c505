#!/usr/bin/env node
/**
 * `npm run bench:api -- --json`: what the api costs on top of what it stands on.
 *
 *   raw BullMQ    trivial jobs through a queue, added in bulk (addBulk of 500), worker in this
 *                 process (concurrency 64): jobs/s, warm: the median of three runs after two
 *                 discarded ones (rawBullmqRuns: the three; rawBullmqColdJobsPerS: the first run,
 *                 which is all an earlier version of this bench measured — BullMQ's own code
 *                 not yet optimised by the JIT runs it half as fast, while the api is measured
 *                 warm, after its own warm-up)
 *   api single    mlp-classifier tasks through GraphQL, one submitTask per request (64 concurrent
 *                 clients on 64 keep-alive connections: keep-alive-client.ts): submitted and
 *                 COMPLETED per second (apiTasksPerS); every task holds escrow, captures and writes
 *                 its ledger entries in PostgreSQL, and runs on a real actor process. Measured as
 *                 the baseline is: runs of as many tasks as its runs have jobs, warm (the median
 *                 of three after a discarded one; the runs and the cold one are logged). An
 *                 earlier version measured one cold run of 2,000 tasks, still compiling the path
 *                 and filling the pools, its last tasks' drain a larger share of so short a run
 *   api batched   the same tasks submitted in bulk as the baseline adds its jobs: submitTasks with
 *                 batches of 100 from 4 concurrent clients, COMPLETED per second
 *                 (apiBatchedTasksPerS), warm as the baseline is: the median of three runs after
 *                 a discarded one (apiBatchedRuns: the three; apiBatchedColdTasksPerS: the
 *                 discarded first run, the JIT still compiling the batch path — all an earlier
 *                 version of this bench measured)
 *   vsBullmqRatio batched / raw (both add in bulk); vsBullmqRatioSingle = single / raw
 *   added p50     one task at a time: submit -> the client knows it COMPLETED, minus one direct
 *                 actor call through the cluster client, p50 of each. The client follows the task
 *                 over graphql-ws until its COMPLETED event, unless the submit itself answered
 *                 COMPLETED (a task run here once held, waited for: NEUROGRID_ANSWER_WAIT_MS) — as a
 *                 client would; answeredAtSubmit counts those
 *
 * Real processes (head, worker, api via the `neurogrid` CLI), the PostgreSQL and Redis named by
 * DATABASE_URL / REDIS_URL (defaults: local). The last line with --json is one JSON object.
 */
import { ClusterClient } from "@neurogrid/cluster";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Child } from "../cli/child-process.js";
import { Model } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { seedFixture } from "../e2e/fixture.js";
import { modelActorSpec } from "../tasks/model-actor-spec.js";
import { collectSubscription } from "../testing/graphql-clients.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, uniquePrefix } from "../testing/test-database.js";
import { rawBullmqJobsPerS } from "./bullmq-baseline.js";
import { KeepAliveClient } from "./keep-alive-client.js";

const json = process.argv.includes("--json");
const N_JOBS = 5000;
const N_TASKS = Number(process.env.BENCH_TASKS ?? N_JOBS);
const N_BATCHED = Number(process.env.BENCH_BATCHED_TASKS ?? 6000);
const BATCH = 100;
const BATCH_CLIENTS = 4;
const CONCURRENCY = 64;
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 200);
const log = (msg: string) => {
  if (!json) process.stdout.write(`${msg}\n`);
  else process.stderr.write(`${msg}\n`);
};

const SUBMIT = `mutation($f: [[Float!]!]!) { submitTask(input: { model: "mlp-classifier", input: { features: $f } }) { id status } }`;
const SUBMIT_MANY = `mutation($inputs: [SubmitTaskInput!]!) { submitTasks(inputs: $inputs) { id } }`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status } }`;
const features = (i: number) => [Array.from({ length: 16 }, (_, j) => Math.sin(i + j))];

function p50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const children: Child[] = [];
  const db = await createTestDatabase();
  const orm = await openOrm(db.url);
  try {
    await migrate(orm);
    const fx = await seedFixture(orm, ["bench-worker"], 10n ** 15n);
    const head = await startHead();
    children.push(head.child);
    children.push(await startWorker(head.address, "bench-worker"));
    const prefix = uniquePrefix("bench-api");
    const api = await startApi(
      apiEnv(db.url, prefix, head.address, {
        NEUROGRID_DISPATCHER_CONCURRENCY: String(CONCURRENCY),
        NEUROGRID_RATE_LIMIT_PER_SECOND: "1000000",
        NEUROGRID_RATE_LIMIT_BURST: "1000000",
      }),
    );
    children.push(api.child);

    log("raw BullMQ…");
    const rawBullmq = () => rawBullmqJobsPerS(N_JOBS, CONCURRENCY);
    const warmup = [await rawBullmq(), await rawBullmq()];
    const bullmqRuns: number[] = [];
    for (let i = 0; i < 3; i++) bullmqRuns.push(await rawBullmq());
    const bullmq = p50(bullmqRuns);
    log(
      `raw BullMQ: ${bullmqRuns.map((r) => r.toFixed(0)).join(", ")} jobs/s warm (median ` +
        `${bullmq.toFixed(0)}; cold ${warmup.map((r) => r.toFixed(0)).join(", ")})`,
    );

    // Every request of the bench goes out through one pool of keep-alive connections.
    const client = new KeepAliveClient(api.url, fx.clientKey, CONCURRENCY);
    // Warm the actor and the connections.
    const warm = await client.post<{ submitTask: { id: string } }>(SUBMIT, { f: features(0) });
    await collectSubscription(api.url, { authorization: `Bearer ${fx.clientKey}` }, PROGRESS, {
      id: warm.data?.submitTask.id,
    });

    const em = orm.em.fork();
    // Polled every 20 ms: "is any task still open?" reads only the open tasks' index entries
    // (a count of every COMPLETED row, read that often, cost PostgreSQL as much CPU as a tenth
    // of the tasks it measured). Once none is open, every task must have COMPLETED.
    const completedAtLeast = async (n: number) => {
      for (;;) {
        const open = await em.execute<unknown[]>(
          "select 1 from tasks where status in ('QUEUED', 'SCHEDULED', 'RUNNING') limit 1",
        );
        if (open.length === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const [row] = await em.execute<{ n: string }[]>(
        "select count(*) as n from tasks where status = 'COMPLETED'",
      );
      if (Number(row?.n) < n) throw new Error(`only ${row?.n} of ${n} tasks COMPLETED`);
    };
    let completedSoFar = 1;

    const singleRun = async (): Promise<number> => {
      const t0 = performance.now();
      let next = 0;
      const submitOne = async () => {
        while (next < N_TASKS) {
          const i = next++;
          const res = await client.post<{ submitTask: { id: string } }>(SUBMIT, { f: features(i) });
          if (!res.data) throw new Error(`submit failed: ${JSON.stringify(res.errors)}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, submitOne));
      completedSoFar += N_TASKS;
      await completedAtLeast(completedSoFar);
      return N_TASKS / ((performance.now() - t0) / 1000);
    };
    log(`api: ${N_TASKS} tasks, ${CONCURRENCY} concurrent clients…`);
    const singleCold = await singleRun();
    const singleRuns: number[] = [];
    for (let i = 0; i < 3; i++) singleRuns.push(await singleRun());
    const apiRate = p50(singleRuns);
    log(
      `api: ${singleRuns.map((r) => r.toFixed(0)).join(", ")} tasks/s completed warm (median ` +
        `${apiRate.toFixed(0)}; cold ${singleCold.toFixed(0)})`,
    );

    const batchedRun = async (): Promise<number> => {
      const t1 = performance.now();
      let nextBatch = 0;
      const submitBatches = async () => {
        while (nextBatch < N_BATCHED) {
          const from = nextBatch;
          nextBatch += BATCH;
          const inputs = Array.from({ length: Math.min(BATCH, N_BATCHED - from) }, (_, j) => ({
            model: "mlp-classifier",
            input: { features: features(from + j) },
          }));
          const res = await client.post<{ submitTasks: { id: string }[] }>(SUBMIT_MANY, { inputs });
          if (res.data?.submitTasks.length !== inputs.length) {
            throw new Error(`submitTasks failed: ${JSON.stringify(res.errors)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: BATCH_CLIENTS }, submitBatches));
      completedSoFar += N_BATCHED;
      await completedAtLeast(completedSoFar);
      return N_BATCHED / ((performance.now() - t1) / 1000);
    };
    log(`api batched: ${N_BATCHED} tasks, submitTasks of ${BATCH}, ${BATCH_CLIENTS} concurrent clients…`);
    const batchedCold = await batchedRun();
    const batchedRuns: number[] = [];
    for (let i = 0; i < 3; i++) batchedRuns.push(await batchedRun());
    const batchedRate = p50(batchedRuns);
    log(
      `api batched: ${batchedRuns.map((r) => r.toFixed(0)).join(", ")} tasks/s completed warm (median ` +
        `${batchedRate.toFixed(0)}; cold ${batchedCold.toFixed(0)})`,
    );

    log("latency: one task at a time vs one direct actor call…");
    // As a client would: one HTTP keep-alive connection for submissions, one open WebSocket
    // for progress; submit, then follow the task to COMPLETED.
    const ws = createClient({
      url: api.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${fx.clientKey}` },
      lazy: false,
      retryAttempts: 0,
    });
    const completed = (id: string) =>
      new Promise<void>((resolve, reject) => {
        const stop = ws.subscribe<{ taskProgress: { status: string } }>(
          { query: PROGRESS, variables: { id } },
          {
            next: (v) => {
              if (v.data?.taskProgress.status === "COMPLETED") {
                stop();
                resolve();
              }
            },
            error: reject,
            complete: () => {},
          },
        );
      });
    const apiLatencies: number[] = [];
    let answeredAtSubmit = 0;
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const s = performance.now();
      const res = await client.post<{ submitTask: { id: string; status: string } }>(SUBMIT, {
        f: features(i),
      });
      const submitted = res.data?.submitTask;
      if (!submitted) throw new Error(`submit failed: ${JSON.stringify(res.errors)}`);
      if (submitted.status === "COMPLETED") answeredAtSubmit++;
      else await completed(submitted.id);
      apiLatencies.push(performance.now() - s);
    }
    await ws.dispose();
    client.close();
    const model = await orm.em.fork().findOneOrFail(Model, { name: "mlp-classifier" });
    const cluster = new ClusterClient({ headAddress: head.address });
    // The replica the tasks ran on (the model's deployment), called directly.
    const spec = modelActorSpec(model.manifest);
    const deployment = await cluster.getDeployment(spec.namespace, spec.name);
    const replica = deployment.replicas[0];
    if (!replica) throw new Error(`deployment ${spec.name} has no replica`);
    const actor = await cluster.getActor(replica.namespace, replica.name);
    const directLatencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const s = performance.now();
      await actor.call("infer", { inputs: { features: features(i) } });
      directLatencies.push(performance.now() - s);
    }
    cluster.close();
    const apiP50 = p50(apiLatencies);
    const directP50 = p50(directLatencies);
    const result = {
      rawBullmqJobsPerS: Math.round(bullmq),
      rawBullmqRuns: bullmqRuns.map(Math.round),
      rawBullmqColdJobsPerS: Math.round(warmup[0] ?? 0),
      apiTasksPerS: Math.round(apiRate),
      apiBatchedTasksPerS: Math.round(batchedRate),
      apiBatchedRuns: batchedRuns.map(Math.round),
      apiBatchedColdTasksPerS: Math.round(batchedCold),
      vsBullmqRatio: Number((batchedRate / bullmq).toFixed(3)),
      vsBullmqRatioSingle: Number((apiRate / bullmq).toFixed(3)),
      apiP50Ms: Number(apiP50.toFixed(2)),
      directActorP50Ms: Number(directP50.toFixed(3)),
      addedP50Ms: Number((apiP50 - directP50).toFixed(2)),
      answeredAtSubmit,
      latencySamples: LATENCY_SAMPLES,
      tasks: N_TASKS,
      batchedTasks: N_BATCHED,
      batch: BATCH,
      concurrency: CONCURRENCY,
    };
    log(`api p50 ${result.apiP50Ms} ms, direct actor p50 ${result.directActorP50Ms} ms`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const child of children.reverse()) await child.stop();
    await orm.close();
    await db.drop();
  }
}

await main();
process.exit(0);
