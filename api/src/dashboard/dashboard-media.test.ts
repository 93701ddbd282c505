/**
 * The playground's OCR and speech-detection modes in a real browser (Debian's Chromium through
 * playwright-core) against real parts: PostgreSQL, Redis, a head, a worker and an api started
 * through the `neurogrid` CLI. A client drops a rendered PNG (known text) on the playground and
 * sees the text read back with its boxes over the image and its cost, and the balance falls by
 * exactly that; uploads a WAV with speech between silences and sees one segment where the speech
 * is, and the same as raw pcm_s16le; a file that is not an image is refused by the server with its reason shown at the field
 * and nothing charged, and one over the size limit is refused by the page before anything is
 * sent; each task's page shows the same typed result. Each form of the playground passes axe and
 * fits a phone's width. Screenshots land in api/dist/screenshots.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { MikroORM } from "@mikro-orm/postgresql";
import {
  normaliseText,
  registerTestFont,
  renderPng,
  speechLikeClip,
  wavBytes,
} from "@neurogrid/cluster/testing";
import type { Browser, Page } from "playwright-core";
import type { Child } from "../cli/child-process.js";
import { Account } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { type Fixture, seedFixture } from "../e2e/fixture.js";
import { hashPassword } from "../identity/passwords.js";
import { balancesOf } from "../ledger/accounts.js";
import { launchChromium } from "../testing/chromium.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import {
  endOfTest,
  horizontalOverflow,
  seriousAxeViolations,
  signIn,
  watchPage,
} from "../testing/page-checks.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const OCR_PRICE = 3_000_000n; // the ocr model's price per call
const VAD_PRICE = 100_000n; // silero-vad's
const DEPOSIT = 100n * OCR_PRICE;
const TEXT = "NEUROGRID 2026";
const TOLERANCE_MS = 100;
const PASSWORD = "correct horse battery";
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };
/** Bounds on what the page shows; the waits end as soon as it does. */
const VIEW_TIMEOUT_MS = 15_000;
const TASK_TIMEOUT_MS = 180_000;
/** One byte over the OCR image limit (DEFAULT_OCR_LIMITS in schema/src/task-kind.ts). */
const OVERSIZED_BYTES = 4 * 1024 * 1024 + 1;

/** "9.990000000 NEURO" -> 9990000000n, as a person would read the figure exactly. */
function neuro(text: string | null): bigint {
  const match = /^(-?)(\d+)\.(\d{9}) NEURO$/.exec((text ?? "").trim());
  assert.ok(match, `not an amount: ${text}`);
  const value = BigInt(`${match[2]}${match[3]}`);
  return match[1] ? -value : value;
}

/** "1.53 s" -> 1530. */
function millis(text: string | null): number {
  const match = /^(\d+\.\d+) s$/.exec((text ?? "").trim());
  assert.ok(match, `not a time: ${text}`);
  return Math.round(Number(match[1]) * 1000);
}

describe("dashboard: the playground's OCR and audio modes in Chromium", { timeout: 600_000 }, () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let url: string;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  const children: Child[] = [];

  before(async () => {
    registerTestFont();
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, ["dash-media-worker"], DEPOSIT);
    await orm.em
      .fork()
      .nativeUpdate(Account, { id: fx.clientId }, { passwordHash: await hashPassword(PASSWORD) });
    const head = await startHead();
    children.push(head.child);
    children.push(
      await startWorker(head.address, "dash-media-worker", ["--cpus", "8", "--memory-mb", "8192"]),
    );
    const api = await startApi(apiEnv(db.url, uniquePrefix("dash-media"), head.address));
    children.push(api.child);
    url = api.url;
    origin = new URL(url).origin;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    page.setDefaultTimeout(VIEW_TIMEOUT_MS);
    watched = watchPage(page, origin);
    await signIn(page, origin, "client-a", PASSWORD);
    await page.getByTestId("balance-available").filter({ hasText: "NEURO" }).waitFor();
  });

  afterEach(async (t) => {
    await endOfTest(page, SCREENSHOTS, t.name, watched);
  });

  after(async () => {
    await browser?.close();
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  async function chooseModel(name: string): Promise<void> {
    const option = page
      .locator("option")
      .filter({ hasText: new RegExp(`^${name}@`) })
      .first();
    await page.getByLabel("Model").selectOption((await option.getAttribute("value")) ?? "");
  }

  async function runAndWait(): Promise<void> {
    await page.getByRole("button", { name: "Run task" }).click();
    await page
      .getByTestId("task-status")
      .filter({ hasText: "COMPLETED" })
      .waitFor({ timeout: TASK_TIMEOUT_MS });
    const timeline = await page
      .getByRole("list", { name: "Task timeline" })
      .locator(".state")
      .allTextContents();
    assert.equal(timeline[0], "QUEUED", timeline.join(" → "));
    assert.ok(timeline.includes("RUNNING"), timeline.join(" → "));
    assert.equal(timeline.at(-1), "COMPLETED", timeline.join(" → "));
  }

  /** Accessibility and a phone's width in the mode shown now, with its screenshots. */
  async function checkView(name: string): Promise<void> {
    await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, "no horizontal scroll on a phone");
    await page.screenshot({ path: `${SCREENSHOTS}${name}-phone.png`, fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  test("each of the playground's forms (tensor, streaming text, OCR, audio) passes axe and fits a phone", async () => {
    const forms: [string, string][] = [
      ["mlp-classifier", "Input tensors (JSON)"],
      ["char-trigram-lm", "Prompt"],
      ["ocr", "Image"],
      ["silero-vad", "Audio clip"],
    ];
    for (const [model, field] of forms) {
      await chooseModel(model);
      await page.getByLabel(field).first().waitFor();
      await checkView(`client-playground-form-${model}`);
    }
    assert.deepEqual(watched.errors, []);
  });

  test("a dropped PNG is read back with its boxes and cost, and the balance falls by exactly that", async () => {
    const before = (await balancesOf(orm.em.fork(), fx.clientId)).available;
    const available = page.getByTestId("balance-available");
    assert.equal(neuro(await available.textContent()), before);
    await chooseModel("ocr");
    await page.getByLabel("Image", { exact: true }).waitFor();
    // Dropped as a person would drag it from their files.
    const png = renderPng(TEXT, 128);
    // Evaluated as text: this package's types have no DOM.
    const dropped = await page.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(png)}), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], "sign.png", { type: "image/png" }));
      return transfer;
    })()`);
    await page.getByTestId("drop-zone").dispatchEvent("drop", { dataTransfer: dropped });
    const size = Buffer.from(png, "base64").length;
    await page
      .getByTestId("picked-file")
      .filter({ hasText: `sign.png — ${Math.round(size / 1024)} KiB` })
      .waitFor();
    await page.getByRole("img", { name: "Preview of sign.png" }).waitFor();

    await runAndWait();
    await page.getByTestId("ocr-line-text").first().waitFor();
    const lines = await page.getByTestId("ocr-line-text").allTextContents();
    assert.equal(normaliseText(lines.join("\n")), TEXT, JSON.stringify(lines));
    for (const c of await page.getByTestId("ocr-line-confidence").allTextContents()) {
      assert.ok(Number.parseFloat(c) > 80, `confidence ${c}`);
    }
    assert.equal(await page.getByTestId("ocr-boxes").locator("rect").count(), lines.length, "a box per line");
    await page.getByRole("img", { name: "What was sent to be read" }).waitFor();

    const cost = neuro(await page.getByTestId("task-cost").filter({ hasText: "NEURO" }).textContent());
    assert.equal(cost, OCR_PRICE);
    const expected = (before - cost).toString().padStart(10, "0");
    await available.filter({ hasText: `${expected.slice(0, -9)}.${expected.slice(-9)} NEURO` }).waitFor();
    await page.getByTestId("balance-held").filter({ hasText: "0.000000000 NEURO" }).waitFor();
    assert.equal(
      (await balancesOf(orm.em.fork(), fx.clientId)).available,
      before - cost,
      "as the ledger holds",
    );
    await checkView("client-playground-ocr");
    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
    assert.deepEqual(watched.foreignRequests, []);
  });

  test("a WAV with speech between silences shows one segment where the speech is", async () => {
    const before = (await balancesOf(orm.em.fork(), fx.clientId)).available;
    const clip = speechLikeClip({ silenceMs: 1500, speechMs: 2400, rateHz: 22_050 });
    const wav = Buffer.from(wavBytes(clip.samples, clip.rateHz));
    await chooseModel("silero-vad");
    await page
      .getByLabel("Audio clip")
      .setInputFiles({ name: "speech.wav", mimeType: "audio/wav", buffer: wav });
    const seconds = (clip.samples.length / clip.rateHz).toFixed(2);
    await page
      .getByTestId("picked-file")
      .filter({ hasText: `${seconds} s at 22050 Hz` })
      .waitFor();
    await page.getByTestId("waveform").waitFor();

    await runAndWait();
    const rows = page.getByTestId("speech-segment");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    const [start, end] = await rows.first().locator("td").allTextContents();
    assert.ok(Math.abs(millis(start ?? "") - clip.speech.startMs) <= TOLERANCE_MS, `start ${start}`);
    assert.ok(Math.abs(millis(end ?? "") - clip.speech.endMs) <= TOLERANCE_MS, `end ${end}`);
    assert.equal(await page.getByTestId("speech-mark").count(), 1, "the segment is marked on the clip");

    const cost = neuro(await page.getByTestId("task-cost").filter({ hasText: "NEURO" }).textContent());
    assert.equal(cost, VAD_PRICE);
    assert.equal((await balancesOf(orm.em.fork(), fx.clientId)).available, before - cost);
    await checkView("client-playground-audio");
    assert.deepEqual(watched.errors, []);
  });

  test("raw pcm_s16le audio is sent with its format; a WAV over the length limit is refused by the page", async () => {
    const clip = speechLikeClip({ silenceMs: 1000, speechMs: 1920 });
    const pcm = Int16Array.from(clip.samples, (v) => Math.round(Math.max(-1, Math.min(1, v)) * 32767));
    await chooseModel("silero-vad");
    await page.getByLabel("Audio format").selectOption("pcm_s16le");
    await page.getByLabel("Audio clip").setInputFiles({
      name: "speech.pcm",
      mimeType: "application/octet-stream",
      buffer: Buffer.from(pcm.buffer),
    });
    await page
      .getByTestId("picked-file")
      .filter({ hasText: `${(pcm.length / 16_000).toFixed(2)} s at 16000 Hz` })
      .waitFor();
    await runAndWait();
    const rows = page.getByTestId("speech-segment");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    const [start, end] = await rows.first().locator("td").allTextContents();
    assert.ok(Math.abs(millis(start ?? "") - clip.speech.startMs) <= TOLERANCE_MS, `start ${start}`);
    assert.ok(Math.abs(millis(end ?? "") - clip.speech.endMs) <= TOLERANCE_MS, `end ${end}`);

    // A WAV whose header says an hour: refused from its header before anything is sent.
    const hour = Uint8Array.from(wavBytes(clip.samples, clip.rateHz));
    new DataView(hour.buffer).setUint32(40, 3600 * 16_000 * 2, true);
    await page.getByLabel("Audio format").selectOption("wav");
    await page
      .getByLabel("Audio clip")
      .setInputFiles({ name: "hour.wav", mimeType: "audio/wav", buffer: Buffer.from(hour) });
    await page
      .getByTestId("file-error")
      .filter({ hasText: "hour.wav is 3600.0 s long; a clip may be at most 300 s" })
      .waitFor();
    assert.deepEqual(watched.errors, []);
  });

  test("a file that is not an image shows the server's reason at the field and charges nothing", async () => {
    const before = await balancesOf(orm.em.fork(), fx.clientId);
    const tasks = `{ tasks(first: 1) { totalCount } }`;
    const countBefore = (await graphqlRequest<{ tasks: { totalCount: number } }>(url, fx.clientKey, tasks))
      .data?.tasks.totalCount;
    await chooseModel("ocr");
    const field = page.getByLabel("Image", { exact: true });
    await field.setInputFiles({
      name: "notes.png",
      mimeType: "image/png",
      buffer: Buffer.from("this is not an image"),
    });
    await page.getByTestId("picked-file").filter({ hasText: "notes.png" }).waitFor();
    await page.getByRole("button", { name: "Run task" }).click();
    const refusal = page.getByTestId("file-error");
    await refusal.filter({ hasText: /not a PNG or JPEG/ }).waitFor();
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByTestId("task-status").count(), 0, "no task was made");
    await checkView("client-playground-ocr-refused");

    // Over the limit: the page refuses it before sending anything.
    await field.setInputFiles({
      name: "huge.png",
      mimeType: "image/png",
      buffer: Buffer.alloc(OVERSIZED_BYTES),
    });
    await refusal
      .filter({
        hasText: "huge.png is 4,194,305 bytes; the largest image a task takes is 4.0 MiB (4,194,304 bytes)",
      })
      .waitFor();
    await page.getByRole("button", { name: "Run task" }).click();
    await page.getByText("choose an image first").waitFor();

    assert.deepEqual(await balancesOf(orm.em.fork(), fx.clientId), before, "nothing charged");
    const countAfter = (await graphqlRequest<{ tasks: { totalCount: number } }>(url, fx.clientKey, tasks))
      .data?.tasks.totalCount;
    assert.equal(countAfter, countBefore);
    assert.deepEqual(watched.errors, []);
  });

  test("each task's page shows its typed result: the lines over the image, the segment on the clip", async () => {
    await page.getByRole("link", { name: "ocr", exact: true }).first().click();
    await page.waitForURL(/#\/tasks\//);
    await page.getByTestId("task-status").filter({ hasText: "COMPLETED" }).waitFor();
    await page.getByTestId("ocr-line-text").first().waitFor();
    const lines = await page.getByTestId("ocr-line-text").allTextContents();
    assert.equal(normaliseText(lines.join("\n")), TEXT);
    await page.getByRole("img", { name: "What was sent to be read" }).waitFor();
    assert.equal(await page.getByTestId("ocr-boxes").locator("rect").count(), lines.length);
    await checkView("client-task-page-ocr");

    await page.getByRole("link", { name: "All tasks" }).click();
    await page.getByRole("link", { name: "silero-vad", exact: true }).first().click();
    await page.getByTestId("task-status").filter({ hasText: "COMPLETED" }).waitFor();
    await page.getByTestId("speech-segment").first().waitFor();
    assert.equal(await page.getByTestId("speech-segment").count(), 1);
    assert.equal(await page.getByTestId("speech-mark").count(), 1);
    assert.equal(
      await page.getByTestId("waveform").locator("path.wave").count(),
      1,
      "the clip's waveform, from its input",
    );
    await checkView("client-task-page-audio");
    assert.deepEqual(watched.errors, []);
  });
});
