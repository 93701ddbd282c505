/**
 * `neurogrid submit`: a client's task through the api's GraphQL, as any client sends it.
 *
 *   neurogrid submit --model ocr --image FILE                 (PNG or JPEG)
 *   neurogrid submit --model silero-vad --audio FILE          (WAV, or --format pcm_s16le)
 *   neurogrid submit --model NAME --input JSON                (any kind: the input as JSON)
 *     [--version V] [--url URL] [--api-key KEY] [--json]
 *
 * The task is submitted (submitTask), followed over taskProgress (graphql-ws) to its final
 * state, and read back: its typed result is printed on stdout (an OCR task's lines, a speech
 * detection's segments, a generation's text, else the result JSON), or with --json the task as
 * one JSON object. Progress (reading the file, submitted, each state) goes to stderr
 * (progress.ts). A task that fails exits 1 with its error; a refused submit exits 1 with the
 * api's code and message (BAD_USER_INPUT, INSUFFICIENT_FUNDS...).
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { type CliEnv, required } from "./cli-env.js";
import { graphqlRequest } from "./graphql-request.js";
import { cliProgress } from "./progress.js";
import { type SubmittedTask, typedResultLines } from "./task-result-lines.js";

const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id status } }`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status } }`;
const TASK = `query($id: ID!) { task(id: $id) {
  id status kind model modelVersion error result executionProvider latencyMs cost { total units }
  ocr { text width height lines { text confidence box { x0 y0 x1 y1 } } }
  vad { durationMs segments { startMs endMs probability } }
  generation { text finishReason }
} }`;
/** Reading, submitting, then QUEUED, SCHEDULED, RUNNING as the task passes them. */
const STEPS = 5;
const WAITING_STATES = ["QUEUED", "SCHEDULED", "RUNNING"];

interface SubmitOptions {
  model: string;
  version?: string;
  image?: string;
  audio?: string;
  format?: string;
  input?: string;
  url?: string;
  apiKey?: string;
  json?: boolean;
}

export function registerSubmitCommand(program: Command, env: CliEnv): void {
  program
    .command("submit")
    .description("submit a task to the api and print its typed result (OCR lines, speech segments, text)")
    .requiredOption("--model <name>", "the model, e.g. ocr, silero-vad, char-trigram-lm")
    .option("--version <version>", "the model's version (the latest when omitted)")
    .option("--image <file>", "an image (PNG or JPEG) for an OCR model")
    .option("--audio <file>", "a WAV file (or raw PCM with --format pcm_s16le) for speech detection")
    .option("--format <format>", "the audio's format: wav or pcm_s16le")
    .option("--input <json>", "the task's input as JSON")
    .option(
      "--url <url>",
      "the api's URL, with or without /graphql (NEUROGRID_API_URL)",
      env.apiUrl ?? "http://127.0.0.1:4000/graphql",
    )
    .option("--api-key <key>", "a client API key (NEUROGRID_API_KEY)", env.apiKey)
    .option("--json", "print the task as one JSON object (and no progress)")
    .action(async (o: SubmitOptions, command: Command) => {
      const apiKey = required(o.apiKey, "NEUROGRID_API_KEY or --api-key");
      // NEUROGRID_API_URL is the api's base URL for `node register` too: both forms work.
      const url = `${(o.url ?? "").replace(/\/+$/, "").replace(/\/graphql$/, "")}/graphql`;
      const json = Boolean(o.json);
      const progress = cliProgress(
        "submit",
        STEPS,
        { json, quiet: command.optsWithGlobals().quiet },
        { TERM: env.term },
      );
      const task = await progress.run(async () => {
        progress.step(
          (o.image ?? o.audio) ? `reading ${basename(o.image ?? o.audio ?? "")}` : "reading the input",
        );
        const input = await inputOf(o);
        progress.step(`submitting to ${o.model}`);
        const submitted = await graphqlRequest<{ submitTask: { id: string } }>(url, apiKey, SUBMIT, {
          input: { model: o.model, ...(o.version ? { version: o.version } : {}), input },
        });
        const id = submitted.data?.submitTask.id;
        if (!id) {
          const e = submitted.errors?.[0];
          throw new Error(`${e?.extensions?.code ?? "ERROR"}: ${e?.message ?? "no task"}`);
        }
        await followTask(url, apiKey, id, (status) => {
          const at = WAITING_STATES.indexOf(status);
          if (at >= 0) progress.step(`task ${id} ${status}`);
        });
        const read = await graphqlRequest<{ task: SubmittedTask }>(url, apiKey, TASK, { id });
        if (!read.data) throw new Error(read.errors?.[0]?.message ?? `cannot read task ${id}`);
        return read.data.task;
      });
      if (json) process.stdout.write(`${JSON.stringify(task)}\n`);
      else for (const line of typedResultLines(task)) process.stdout.write(`${line}\n`);
      if (task.status !== "COMPLETED") {
        if (!json) process.stderr.write(`task ${task.id} ${task.status}: ${task.error ?? ""}\n`);
        process.exitCode = 1;
      }
    });
}

async function inputOf(o: SubmitOptions): Promise<Record<string, unknown>> {
  const given = [o.image, o.audio, o.input].filter((x) => x !== undefined).length;
  if (given !== 1) throw new Error("give one of --image, --audio or --input");
  if (o.image) return { image: (await readFile(o.image)).toString("base64") };
  if (o.audio) {
    const audio = (await readFile(o.audio)).toString("base64");
    return o.format ? { audio, format: o.format } : { audio };
  }
  try {
    return JSON.parse(o.input ?? "") as Record<string, unknown>;
  } catch (err) {
    throw new Error(`--input is not JSON: ${(err as Error).message}`);
  }
}

/** Follows taskProgress until the server completes it (the task is final). */
function followTask(
  url: string,
  apiKey: string,
  id: string,
  onStatus: (status: string) => void,
): Promise<void> {
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    retryAttempts: 0,
    lazy: true,
  });
  return new Promise<void>((resolve, reject) => {
    client.subscribe<{ taskProgress: { status: string } }>(
      { query: PROGRESS, variables: { id } },
      {
        next: (value) => {
          if (value.data) onStatus(value.data.taskProgress.status);
        },
        error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
        complete: () => resolve(),
      },
    );
  }).finally(() => client.dispose());
}
