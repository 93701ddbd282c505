#!/usr/bin/env node
/**
 * `npm run bench:ocr -- --json`: OCR tasks through GraphQL against the same pipeline called
 * directly through the cluster client, in the same run, on a real head, worker and api
 * (PostgreSQL and Redis from DATABASE_URL and REDIS_URL, a database and prefix of its own).
 *
 *   graphql  CLIENTS concurrent clients, each in a loop: submitTask(model: "ocr", { image }) over
 *            one pool of keep-alive HTTP connections, follow taskProgress to the final state
 *            over one WebSocket, read the task's `ocr` back; as a client does
 *   direct   CLIENTS concurrent callers of the ocr model's deployment handle (`ocr`, the same
 *            image bytes), no api, no database, no escrow
 * Each phase runs --tasks N tasks (default 160) after one warm-up task per image. Measured:
 *   graphqlTasksPerS, directTasksPerS and vsDirectRatio = graphql / direct (goal >= 0.7)
 *   meanRecBatch          mean crops per recognition inference the GraphQL tasks' lines ran in
 *   meanRecBatchRequests  mean OCR calls sharing that inference (the pipeline's `stats`)
 *   graphqlCorrect, directCorrect  tasks whose text read back as rendered (of the tasks run)
 * With --json the last line of output is one JSON object.
 */
import { ClusterClient, type DeploymentHandle } from "@neurogrid/cluster";
import { normaliseText, registerTestFont, renderPng } from "@neurogrid/cluster/testing";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { seedFixture } from "../e2e/fixture.js";
import { MODEL_NAMESPACE } from "../tasks/model-actor-spec.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, uniquePrefix } from "../testing/test-database.js";
import { KeepAliveClient } from "./keep-alive-client.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const tasksArg = args.indexOf("--tasks");
const TASKS = tasksArg >= 0 ? Number(args[tasksArg + 1]) : 160;
const CLIENTS = 16;
const IMAGE_HEIGHT_PX = 96;
const WORDS = [
  "NEUROGRID 7",
  "ALPHA 12",
  "BRAVO 345",
  "CHARLIE 6",
  "DELTA 78",
  "ECHO 901",
  "FOXTROT 2",
  "GOLF 34",
];
const OCR_DEPLOYMENT = "model:ocr@1";
const log = (msg: string) => (json ? process.stderr : process.stdout).write(`${msg}\n`);

const SUBMIT = `mutation($image: String!) { submitTask(input: { model: "ocr", input: { image: $image } }) { id status } }`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status } }`;
const TASK = `query($id: ID!) { task(id: $id) { status error ocr { text } } }`;

interface Stats {
  calls: number;
  recognitionInferences: number;
  recognitionBatchRequests: number;
  recognitionBatchSize: number;
}

/** Runs `one(i)` for i < TASKS with CLIENTS at a time; tasks per second and how many read right. */
async function phase(one: (i: number) => Promise<string>): Promise<{ perS: number; correct: number }> {
  let next = 0;
  let correct = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < TASKS) {
        const i = next++;
        if (normaliseText(await one(i)) === WORDS[i % WORDS.length]) correct++;
      }
    }),
  );
  return { perS: TASKS / ((performance.now() - t0) / 1000), correct };
}

async function pipelineStats(cluster: ClusterClient): Promise<Stats> {
  const deployment = await cluster.getDeployment(MODEL_NAMESPACE, OCR_DEPLOYMENT);
  const total: Stats = {
    calls: 0,
    recognitionInferences: 0,
    recognitionBatchRequests: 0,
    recognitionBatchSize: 0,
  };
  for (const replica of deployment.replicas) {
    const actor = await cluster.getActor(replica.namespace, replica.name);
    const s = (await actor.call("stats", {})) as Stats;
    for (const k of Object.keys(total) as (keyof Stats)[]) total[k] += s[k];
  }
  return total;
}

async function main(): Promise<void> {
  registerTestFont();
  const images = WORDS.map((w) => renderPng(w, IMAGE_HEIGHT_PX));
  const children: Child[] = [];
  const db = await createTestDatabase();
  const orm = await openOrm(db.url);
  let cluster: ClusterClient | undefined;
  let handle: DeploymentHandle | undefined;
  try {
    await migrate(orm);
    const fx = await seedFixture(orm, ["ocr-bench-worker"], 10n ** 15n);
    const head = await startHead();
    children.push(head.child);
    children.push(
      await startWorker(head.address, "ocr-bench-worker", ["--cpus", "16", "--memory-mb", "16384"]),
    );
    const api = await startApi(
      apiEnv(db.url, uniquePrefix("ocr-bench"), head.address, {
        NEUROGRID_RATE_LIMIT_PER_SECOND: "1000000",
        NEUROGRID_RATE_LIMIT_BURST: "1000000",
      }),
    );
    children.push(api.child);
    const http = new KeepAliveClient(api.url, fx.clientKey, CLIENTS);
    const ws = createClient({
      url: api.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${fx.clientKey}` },
      lazy: false,
      retryAttempts: 0,
    });
    const final = (id: string) =>
      new Promise<void>((resolve, reject) => {
        ws.subscribe(
          { query: PROGRESS, variables: { id } },
          { next: () => {}, error: reject, complete: () => resolve() },
        );
      });
    const viaGraphql = async (i: number): Promise<string> => {
      const submitted = await http.post<{ submitTask: { id: string; status: string } }>(SUBMIT, {
        image: images[i % images.length],
      });
      const id = submitted.data?.submitTask.id;
      if (!id) throw new Error(`submit failed: ${JSON.stringify(submitted.errors)}`);
      await final(id);
      const task = await http.post<{
        task: { status: string; error: string | null; ocr: { text: string } | null };
      }>(TASK, { id });
      if (task.data?.task.status !== "COMPLETED") throw new Error(`task ${id}: ${JSON.stringify(task)}`);
      return task.data.task.ocr?.text ?? "";
    };

    log(`warming up: ${WORDS.length} OCR tasks through GraphQL (deployments applied on the first)…`);
    for (let i = 0; i < WORDS.length; i++) await viaGraphql(i);
    cluster = new ClusterClient({ headAddress: head.address, callTimeoutMs: 120_000 });
    const ocr = await cluster.deployment(MODEL_NAMESPACE, OCR_DEPLOYMENT);
    handle = ocr;
    const direct = async (i: number) =>
      (await ocr.call<{ text: string }>("ocr", { file: images[i % images.length] })).text;

    log(`graphql: ${TASKS} OCR tasks, ${CLIENTS} concurrent clients…`);
    const before = await pipelineStats(cluster);
    const graphql = await phase(viaGraphql);
    const after = await pipelineStats(cluster);
    log(`graphql: ${graphql.perS.toFixed(2)} tasks/s, ${graphql.correct}/${TASKS} read right`);
    log(`direct: ${TASKS} pipeline calls, ${CLIENTS} concurrent callers…`);
    const directRun = await phase(direct);
    log(`direct: ${directRun.perS.toFixed(2)} calls/s, ${directRun.correct}/${TASKS} read right`);
    await ws.dispose();
    http.close();
    const inferences = after.recognitionInferences - before.recognitionInferences;
    const round = (x: number, places = 2) => Math.round(x * 10 ** places) / 10 ** places;
    const result = {
      tasks: TASKS,
      clients: CLIENTS,
      graphqlTasksPerS: round(graphql.perS),
      directTasksPerS: round(directRun.perS),
      vsDirectRatio: round(graphql.perS / directRun.perS),
      meanRecBatch: round((after.recognitionBatchSize - before.recognitionBatchSize) / inferences),
      meanRecBatchRequests: round(
        (after.recognitionBatchRequests - before.recognitionBatchRequests) / inferences,
      ),
      graphqlCorrect: graphql.correct,
      directCorrect: directRun.correct,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    handle?.close();
    cluster?.close();
    for (const child of children.reverse()) await child.stop();
    await orm.close();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
