/**
 * OCR and speech detection as tasks, end to end through GraphQL with a real head, worker and
 * api: a rendered PNG and the same text as JPEG read back as their text (Task.ocr), a WAV of
 * speech-like sound with silence around it gives one segment within 100 ms of the truth
 * (Task.vad), each charged its model's price per call; then every bad input is BAD_USER_INPUT
 * at submit with nothing charged, and an image whose header passes but whose pixels are corrupt
 * fails refunded while the pipeline goes on serving.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import {
  normaliseText,
  pngHeaderOnly,
  registerTestFont,
  renderJpeg,
  renderPng,
  speechLikeClip,
  wavBytes,
} from "@neurogrid/cluster/testing";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { balancesOf } from "../ledger/accounts.js";
import { collectSubscription, errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, runCli, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";
import { type Fixture, seedFixture } from "./fixture.js";

const OCR_PRICE = 3_000_000n; // the ocr model's price per call
const VAD_PRICE = 100_000n; // silero-vad's
const TOLERANCE_MS = 100;
const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id kind maxPrice } }`;
const TASK = `query($id: ID!) { task(id: $id) {
  status kind error cost { total }
  ocr { text width height lines { text confidence box { x0 y0 x1 y1 } } }
  vad { durationMs segments { startMs endMs probability } }
} }`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status } }`;

interface TaskView {
  status: string;
  kind: string;
  error: string | null;
  cost: { total: string } | null;
  ocr: {
    text: string;
    width: number;
    lines: { text: string; confidence: number; box: { x0: number } }[];
  } | null;
  vad: { durationMs: number; segments: { startMs: number; endMs: number; probability: number }[] } | null;
}

describe("OCR and speech detection tasks through GraphQL", { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let url: string;
  let dir: string;
  const children: Child[] = [];

  before(async () => {
    registerTestFont();
    dir = await mkdtemp(join(tmpdir(), "media-tasks-"));
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, ["media-worker"], 1_000_000_000n);
    const head = await startHead();
    children.push(head.child);
    children.push(await startWorker(head.address, "media-worker", ["--cpus", "8", "--memory-mb", "8192"]));
    const api = await startApi(apiEnv(db.url, uniquePrefix("media"), head.address));
    children.push(api.child);
    url = api.url;
  });

  after(async () => {
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function submit(model: string, input: Record<string, unknown>) {
    return graphqlRequest<{ submitTask: { id: string; kind: string } }>(url, fx.clientKey, SUBMIT, {
      input: { model, input },
    });
  }

  /** Submits, follows taskProgress to the final state, and reads the task back. */
  async function run(model: string, input: Record<string, unknown>): Promise<TaskView> {
    const submitted = await submit(model, input);
    const id = submitted.data?.submitTask.id;
    assert.ok(id, JSON.stringify(submitted.errors));
    const { errors } = await collectSubscription(
      url,
      { authorization: `Bearer ${fx.clientKey}` },
      PROGRESS,
      { id },
      180_000,
    );
    assert.deepEqual(errors, []);
    const read = await graphqlRequest<{ task: TaskView }>(url, fx.clientKey, TASK, { id });
    assert.ok(read.data, JSON.stringify(read.errors));
    return read.data.task;
  }

  test("models declares what each kind of task takes and returns", async () => {
    const res = await graphqlRequest<{
      models: {
        edges: {
          node: {
            name: string;
            kind: string;
            input: { name: string; type: string }[];
            output: { name: string }[];
          };
        }[];
      };
    }>(
      url,
      fx.clientKey,
      "{ models(first: 50) { edges { node { name kind input { name type } output { name } } } } }",
    );
    const byName = new Map(res.data?.models.edges.map((e) => [e.node.name, e.node]));
    const names = (name: string, side: "input" | "output") => byName.get(name)?.[side].map((f) => f.name);
    assert.equal(byName.get("char-trigram-lm")?.kind, "GENERATE");
    assert.deepEqual(names("char-trigram-lm", "input"), ["prompt", "maxTokens", "temperature", "seed"]);
    assert.deepEqual(names("char-trigram-lm", "output"), ["text", "finishReason"]);
    assert.equal(byName.get("ocr")?.kind, "OCR");
    assert.deepEqual(names("ocr", "input"), ["image"]);
    assert.deepEqual(names("ocr", "output"), ["text", "lines", "width", "height"]);
    assert.equal(byName.get("silero-vad")?.kind, "VAD");
    assert.deepEqual(names("silero-vad", "input"), ["audio", "format"]);
    assert.deepEqual(byName.get("mlp-classifier")?.input, [{ name: "features", type: "float32[-1,16]" }]);
  });

  test("a PNG and a JPEG read back as their text, charged per call", async () => {
    const before = await balancesOf(orm.em.fork(), fx.clientId);
    const [png, jpeg] = await Promise.all([
      run("ocr", { image: renderPng("NEUROGRID 2026", 128) }),
      run("ocr", { image: renderJpeg("ALPHA BRAVO 42", 128) }),
    ]);
    for (const [task, text] of [
      [png, "NEUROGRID 2026"],
      [jpeg, "ALPHA BRAVO 42"],
    ] as const) {
      assert.equal(task.status, "COMPLETED", task.error ?? "");
      assert.equal(task.kind, "OCR");
      assert.equal(normaliseText(task.ocr?.text ?? ""), text, JSON.stringify(task.ocr));
      assert.ok(
        task.ocr?.lines.every((l) => l.confidence > 0.8),
        JSON.stringify(task.ocr?.lines),
      );
      assert.equal(BigInt(task.cost?.total ?? "0"), OCR_PRICE);
    }
    const after = await balancesOf(orm.em.fork(), fx.clientId);
    assert.equal(before.available - after.available, 2n * OCR_PRICE);
    assert.equal(after.held, 0n);
  });

  test(`a WAV with speech between silences gives one segment within ${TOLERANCE_MS} ms of it`, async () => {
    const clip = speechLikeClip({ silenceMs: 1500, speechMs: 2400, rateHz: 22_050 });
    const task = await run("silero-vad", {
      audio: Buffer.from(wavBytes(clip.samples, clip.rateHz, 2)).toString("base64"),
    });
    assert.equal(task.status, "COMPLETED", task.error ?? "");
    assert.equal(task.kind, "VAD");
    const segments = task.vad?.segments ?? [];
    assert.equal(segments.length, 1, JSON.stringify(segments));
    assert.ok(
      Math.abs((segments[0]?.startMs ?? 0) - clip.speech.startMs) <= TOLERANCE_MS,
      JSON.stringify(segments),
    );
    assert.ok(
      Math.abs((segments[0]?.endMs ?? 0) - clip.speech.endMs) <= TOLERANCE_MS,
      JSON.stringify(segments),
    );
    assert.equal(BigInt(task.cost?.total ?? "0"), VAD_PRICE);
  });

  test("bad images and clips are BAD_USER_INPUT at submit, and nothing is charged", async () => {
    const png = Buffer.from(renderPng("TRUNCATED", 96), "base64");
    const wav = wavBytes(speechLikeClip({ silenceMs: 200, speechMs: 400 }).samples, 16_000);
    const wrongHeader = Uint8Array.from(wav);
    wrongHeader.set(Buffer.from("WAVX"), 8);
    const hour = Uint8Array.from(wav);
    new DataView(hour.buffer).setUint32(40, 3600 * 16_000 * 2, true);
    const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["ocr", { image: b64(Buffer.from("this is not an image")) }, /not a PNG or JPEG/],
      ["ocr", { image: b64(png.subarray(0, png.length - 40)) }, /truncated PNG/],
      ["ocr", { image: b64(pngHeaderOnly(20_000, 20_000)) }, /20000x20000 is over the limit/],
      ["ocr", { image: "not base64!" }, /not base64/],
      ["silero-vad", { audio: b64(wrongHeader) }, /not a WAV file/],
      ["silero-vad", { audio: b64(hour) }, /3600\.0 s long/],
    ];
    const before = await balancesOf(orm.em.fork(), fx.clientId);
    for (const [model, input, message] of cases) {
      const res = await submit(model, input);
      assert.equal(errorCode(res), "BAD_USER_INPUT", JSON.stringify(res));
      assert.match(res.errors?.[0]?.message ?? "", message);
    }
    assert.deepEqual(await balancesOf(orm.em.fork(), fx.clientId), before);
  });

  test("an image whose pixels are corrupt fails refunded, and the pipeline goes on serving", async () => {
    const png = Buffer.from(renderPng("CORRUPT", 96), "base64");
    const idat = png.indexOf("IDAT");
    png.fill(0x55, idat + 8, idat + 40); // the compressed stream's start, not its length or chunk
    const before = await balancesOf(orm.em.fork(), fx.clientId);
    const failed = await run("ocr", { image: png.toString("base64") });
    assert.equal(failed.status, "FAILED");
    assert.match(failed.error ?? "", /corrupt image data/);
    assert.deepEqual(await balancesOf(orm.em.fork(), fx.clientId), before);
    const next = await run("ocr", { image: renderPng("SERVING", 128) });
    assert.equal(normaliseText(next.ocr?.text ?? ""), "SERVING");
  });

  test("neurogrid submit --image and --audio print the typed result, with progress on stderr", async () => {
    const image = join(dir, "sign.jpg");
    await writeFile(image, Buffer.from(renderJpeg("CHARLIE 7", 128), "base64"));
    const clip = speechLikeClip({ silenceMs: 1000, speechMs: 1920 });
    const audio = join(dir, "clip.wav");
    await writeFile(audio, wavBytes(clip.samples, clip.rateHz));
    const common = ["--url", url, "--api-key", fx.clientKey];
    const ocr = await runCli(["submit", "--model", "ocr", "--image", image, ...common]);
    assert.equal(ocr.code, 0, ocr.stderr);
    const [first, last] = ocr.stdout.trim().split("\n");
    assert.equal(normaliseText(first?.split("\t")[0] ?? ""), "CHARLIE 7", ocr.stdout);
    assert.match(last ?? "", /^task \S+ COMPLETED \(ocr@1 on cpu, cost 3000000\)$/);
    const steps = ocr.stderr.split("\n").filter((l) => l.startsWith("submit ["));
    assert.deepEqual(steps.slice(0, 2), ["submit [1/5] reading sign.jpg", "submit [2/5] submitting to ocr"]);
    assert.ok(
      steps.some((l) => / RUNNING$/.test(l)),
      ocr.stderr,
    );
    const vad = await runCli(["submit", "--model", "silero-vad", "--audio", audio, "--json", ...common]);
    assert.equal(vad.code, 0, vad.stderr);
    assert.equal(vad.stderr, "", "no progress with --json");
    const task = JSON.parse(vad.stdout) as TaskView;
    assert.equal(task.status, "COMPLETED");
    assert.equal(task.vad?.segments.length, 1, vad.stdout);
    const refused = await runCli(["submit", "--model", "ocr", "--image", audio, ...common]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /BAD_USER_INPUT: image: not a PNG or JPEG/);
  });

  test("POST /v1/tasks takes the file as multipart; GET /v1/tasks/{id} gives the typed result", async () => {
    const post = (parts: Record<string, string | Blob>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(parts)) form.append(k, v);
      const headers = { authorization: `Bearer ${fx.clientKey}` };
      return fetch(new URL("/v1/tasks", url), { method: "POST", body: form, headers });
    };
    const png = new Blob([Buffer.from(renderPng("UPLOAD", 128), "base64")], { type: "image/png" });
    const res = await post({ model: "ocr", file: png });
    assert.equal(res.status, 200);
    const { id, object, kind } = (await res.json()) as { id: string; object: string; kind: string };
    assert.deepEqual([object, kind], ["task", "ocr"]);
    await collectSubscription(url, { authorization: `Bearer ${fx.clientKey}` }, PROGRESS, { id }, 180_000);
    const read = await fetch(new URL(`/v1/tasks/${id}`, url), {
      headers: { authorization: `Bearer ${fx.clientKey}` },
    });
    const task = (await read.json()) as { status: string; ocr: { text: string } | null };
    assert.equal(task.status, "COMPLETED");
    assert.equal(normaliseText(task.ocr?.text ?? ""), "UPLOAD");
    const bad = await post({ model: "ocr", file: new Blob([Buffer.from("not an image")]) });
    assert.equal(bad.status, 400);
    const { error } = (await bad.json()) as { error: { type: string; param: string; message: string } };
    assert.equal(error.type, "invalid_request_error");
    assert.equal(error.param, "image");
    assert.match(error.message, /not a PNG or JPEG/);
  });
});
