/**
 * The dashboard's client view in a real browser (Debian's Chromium through playwright-core)
 * against real parts: PostgreSQL, Redis, a head, a worker and an api started through the
 * `neurogrid` CLI, the page served by that api. A client signs in with a password, creates an
 * API key, runs a task in the playground, watches it reach COMPLETED live with its cost, and
 * sees the balance fall by exactly that cost; opens that task's page from the tasks list (timeline,
 * result, cost breakdown, node, execution provider); and runs the streaming language model in
 * the playground, its tokens appearing while the task is RUNNING, then COMPLETED with its cost.
 * Screenshots land in api/dist/screenshots.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Queue } from "bullmq";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Child } from "../cli/child-process.js";
import { Account } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { type Fixture, seedFixture } from "../e2e/fixture.js";
import { hashPassword } from "../identity/passwords.js";
import { balancesOf } from "../ledger/accounts.js";
import { TASK_QUEUE } from "../tasks/task-queue.js";
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
import {
  createTestDatabase,
  type TestDatabase,
  testRedisUrl,
  uniquePrefix,
} from "../testing/test-database.js";

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const PRICE = 1_000_000n; // mlp-classifier's price per call
const PRICE_PER_TOKEN = 10_000n; // char-trigram-lm's price per output token
const STREAM_TOKENS = 200;
const PASSWORD = "correct horse battery";
const PHONE = { width: 375, height: 812 };
/** Bounds on what the page shows; the waits end as soon as it does. */
const VIEW_TIMEOUT_MS = 15_000;
const TASK_TIMEOUT_MS = 60_000;

/** "9.990000000 NEURO" -> 9990000000n, as a person would read the figure exactly. */
function neuro(text: string | null): bigint {
  const match = /^(-?)(\d+)\.(\d{9}) NEURO$/.exec((text ?? "").trim());
  assert.ok(match, `not an amount: ${text}`);
  const value = BigInt(`${match[2]}${match[3]}`);
  return match[1] ? -value : value;
}

/** Records, on every change under the timeline, the status shown and how many tokens the stream holds. */
const RECORD_STREAM = `(() => {
  globalThis.streamSeen = [];
  const snap = () => {
    const stream = document.querySelector('[data-testid="task-stream"]');
    const status = document.querySelector('[data-testid="task-status"]');
    globalThis.streamSeen.push({
      status: status ? status.textContent : "",
      tokens: stream ? Number(stream.getAttribute("data-tokens")) : 0,
    });
  };
  new MutationObserver(snap).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

describe("dashboard: the client view in Chromium", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let url: string;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  let queue: Queue;
  const children: Child[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, ["dash-worker-1"], 10n * PRICE);
    await orm.em
      .fork()
      .nativeUpdate(Account, { id: fx.clientId }, { passwordHash: await hashPassword(PASSWORD) });
    const head = await startHead();
    children.push(head.child);
    children.push(await startWorker(head.address, "dash-worker-1"));
    const prefix = uniquePrefix("dash");
    const api = await startApi(apiEnv(db.url, prefix, head.address));
    queue = new Queue(TASK_QUEUE, { connection: { url: testRedisUrl() }, prefix: `${prefix}:bull` });
    children.push(api.child);
    url = api.url;
    origin = new URL(url).origin;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(VIEW_TIMEOUT_MS);
    watched = watchPage(page, origin);
  });

  // Each test leaves what the page showed at its end, and what the page complained about.
  afterEach(async (t) => {
    await endOfTest(page, SCREENSHOTS, t.name, watched);
  });

  after(async () => {
    await queue?.close();
    await browser?.close();
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  test("the page is served with a strict CSP and no framing", async () => {
    const res = await fetch(`${origin}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.doesNotMatch(await res.text(), /<script>|<script(?![^>]*\ssrc=)[^>]*>/, "no inline script");
  });

  test("a client signs in, creates a key, runs a task live and pays exactly its cost", async () => {
    await signIn(page, origin, "client-a", PASSWORD);

    const available = page.getByTestId("balance-available");
    const held = page.getByTestId("balance-held");
    await available.filter({ hasText: "NEURO" }).waitFor();
    const before = neuro(await available.textContent());
    assert.equal(before, 10n * PRICE);
    assert.equal(neuro(await held.textContent()), 0n);

    // An API key, shown once, that works.
    await page.getByLabel("Label").fill("from the browser");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
    const me = await graphqlRequest<{ me: { name: string } }>(url, key, "{ me { name } }");
    assert.equal(me.data?.me.name, "client-a", JSON.stringify(me.errors));
    await page.getByRole("cell", { name: "from the browser" }).waitFor();
    await page.getByRole("button", { name: "Done" }).click();
    assert.equal(await page.getByTestId("new-api-key").count(), 0, "the key is not shown again");

    // The playground: mlp-classifier with the example input built from its declared shape.
    const option = page.locator("option", { hasText: "mlp-classifier@" }).first();
    await page.getByLabel("Model").selectOption((await option.getAttribute("value")) ?? "");
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
    assert.equal(timeline.at(-1), "COMPLETED", timeline.join(" → "));
    assert.ok(timeline.includes("RUNNING"), timeline.join(" → "));

    const costText = page.getByTestId("task-cost");
    await costText.filter({ hasText: "NEURO" }).waitFor();
    const cost = neuro(await costText.textContent());
    assert.equal(cost, PRICE);

    // The balance falls by exactly the cost, with nothing left in escrow.
    const expected = (before - cost).toString().padStart(10, "0");
    const shown = `${expected.slice(0, -9)}.${expected.slice(-9)} NEURO`;
    await available.filter({ hasText: shown }).waitFor();
    await held.filter({ hasText: "0.000000000 NEURO" }).waitFor();
    const ledger = await balancesOf(orm.em.fork(), fx.clientId);
    assert.equal(ledger.available, before - cost, "the page shows what the ledger holds");

    // The task list shows it, costed.
    await page
      .getByRole("row")
      .filter({ hasText: "mlp-classifier" })
      .filter({ hasText: "COMPLETED" })
      .waitFor();
    await page.getByLabel("Status").selectOption("FAILED");
    await page.getByText("no tasks yet").waitFor();
    await page.getByLabel("Status").selectOption("COMPLETED");
    await page.getByText("1–1 of 1").waitFor();

    // The ledger shows the capture; the CSV export holds every entry.
    await page.getByRole("cell", { name: "capture" }).first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    const csv = readFileSync(await download.path(), "utf8").split("\n");
    assert.equal(csv[0], "createdAt,movement,accountKind,amount,memo,taskId,id");
    const movements = new Set(csv.slice(1).map((line) => line.split(",")[1]));
    for (const m of ["deposit", "hold", "capture"]) assert.ok(movements.has(m), `${m} in ${[...movements]}`);

    await page.screenshot({ path: `${SCREENSHOTS}client-view.png`, fullPage: true });

    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, "no horizontal scroll on a phone");
    await page.screenshot({ path: `${SCREENSHOTS}client-view-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
    assert.deepEqual(watched.foreignRequests, [], "the page talks only to its own origin");
  });

  test("a reload resumes the session from the cookie; the refresh route needs the CSRF token", async () => {
    await page.reload();
    await page.getByTestId("balance-available").filter({ hasText: "NEURO" }).waitFor();

    const cookies = await context.cookies();
    const refresh = cookies.find((c) => c.name === "ng_refresh");
    assert.ok(refresh, "a refresh cookie is set");
    assert.equal(refresh.httpOnly, true);
    assert.equal(refresh.sameSite, "Strict");
    assert.equal(refresh.path, "/session");
    const csrf = cookies.find((c) => c.name === "ng_csrf")?.value ?? "";
    assert.equal(
      await page.evaluate<boolean>('document.cookie.includes("ng_refresh")'),
      false,
      "script cannot read it",
    );

    const cookieHeader = `ng_refresh=${refresh.value}; ng_csrf=${csrf}`;
    const withoutToken = await fetch(`${origin}/session/refresh`, {
      method: "POST",
      headers: { cookie: cookieHeader, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(withoutToken.status, 403);
    const fromElsewhere = await fetch(`${origin}/session/refresh`, {
      method: "POST",
      headers: { cookie: cookieHeader, "x-csrf-token": csrf, origin: "http://elsewhere.example" },
    });
    assert.equal(fromElsewhere.status, 403);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    assert.deepEqual(watched.errors, []);
  });

  async function signInAsClient(): Promise<void> {
    await signIn(page, origin, "client-a", PASSWORD);
    await page.getByTestId("balance-available").filter({ hasText: "NEURO" }).waitFor();
  }

  test("a task's page, opened from the tasks list, shows its timeline, result, cost breakdown and node", async () => {
    await signInAsClient();
    await page.getByRole("link", { name: "mlp-classifier" }).first().click();
    await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
    const taskId = new URL(page.url()).hash.split("/")[2] ?? "";
    await page.getByTestId("task-status").filter({ hasText: "COMPLETED" }).waitFor();
    const timeline = await page
      .getByRole("list", { name: "Task timeline" })
      .locator(".state")
      .allTextContents();
    assert.deepEqual(timeline, ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]);

    // The breakdown is what the API holds for the task, and its parts add up to the total.
    const answer = await graphqlRequest<{
      task: {
        nodeId: string;
        executionProvider: string;
        result: Record<string, unknown>;
        cost: { total: string; units: string; platformFee: string; providerEarning: string };
      };
    }>(
      url,
      fx.clientKey,
      "query($id: ID!) { task(id: $id) { nodeId executionProvider result cost { total units platformFee providerEarning } } }",
      { id: taskId },
    );
    const task = answer.data?.task;
    assert.ok(task, JSON.stringify(answer.errors));
    await page.getByTestId("task-cost").filter({ hasText: "NEURO" }).waitFor();
    assert.equal(neuro(await page.getByTestId("task-cost").textContent()), PRICE);
    assert.equal((await page.getByTestId("task-units").textContent())?.trim(), task.cost.units);
    const fee = neuro(await page.getByTestId("task-platform-fee").textContent());
    const earning = neuro(await page.getByTestId("task-provider-earning").textContent());
    assert.equal(fee, BigInt(task.cost.platformFee));
    assert.equal(earning, BigInt(task.cost.providerEarning));
    assert.equal(fee + earning, PRICE, "fee and earning make the total");
    assert.equal((await page.getByTestId("task-node").textContent())?.trim(), "dash-worker-1");
    assert.equal(
      (await page.getByTestId("task-execution-provider").textContent())?.trim(),
      task.executionProvider,
    );
    await page.getByText("Result", { exact: true }).click();
    assert.deepEqual(JSON.parse((await page.getByTestId("task-result").textContent()) ?? ""), task.result);
    await page.screenshot({ path: `${SCREENSHOTS}client-task-page.png`, fullPage: true });

    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, "no horizontal scroll on a phone");
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole("link", { name: "All tasks" }).click();
    await page.getByRole("button", { name: "Run task" }).waitFor();
    assert.deepEqual(watched.errors, []);
  });

  test("the streaming language model's tokens appear while it runs, then COMPLETED with its cost", async () => {
    const before = (await balancesOf(orm.em.fork(), fx.clientId)).available;
    const option = page.locator("option", { hasText: "char-trigram-lm@" }).first();
    await page.getByLabel("Model").selectOption((await option.getAttribute("value")) ?? "");
    await page.getByLabel("Prompt").fill("Alice was beginning");
    await page.getByLabel("Max tokens").fill(String(STREAM_TOKENS));
    // The queue waits until the page listens: tokens go to live subscribers only.
    await queue.pause();
    await page.getByRole("button", { name: "Run task" }).click();
    await page.getByTestId("task-status").filter({ hasText: "QUEUED" }).waitFor();
    // Every change of the page's text is recorded with the status shown at that moment.
    await page.evaluate(RECORD_STREAM);
    await queue.resume();
    await page
      .getByTestId("task-status")
      .filter({ hasText: "COMPLETED" })
      .waitFor({ timeout: TASK_TIMEOUT_MS });
    const seen = await page.evaluate<{ status: string; tokens: number }[]>("globalThis.streamSeen");
    assert.ok(
      seen.some((s) => s.status === "RUNNING" && s.tokens > 0 && s.tokens < STREAM_TOKENS),
      `tokens shown while RUNNING: ${JSON.stringify(seen.slice(0, 5))}`,
    );
    const stream = page.getByTestId("task-stream");
    assert.equal(await stream.getAttribute("data-tokens"), String(STREAM_TOKENS));

    await page.getByTestId("task-cost").filter({ hasText: "NEURO" }).waitFor();
    const cost = neuro(await page.getByTestId("task-cost").textContent());
    assert.equal(cost, BigInt(STREAM_TOKENS) * PRICE_PER_TOKEN);
    assert.equal((await page.getByTestId("task-units").textContent())?.trim(), String(STREAM_TOKENS));
    const result = JSON.parse((await page.getByTestId("task-result").textContent()) ?? "{}") as {
      text: string;
    };
    assert.equal(result.text, await stream.textContent(), "the streamed text is the result");
    const after = await balancesOf(orm.em.fork(), fx.clientId);
    assert.equal(before - after.available, cost, "the balance falls by exactly the cost");
    await page.screenshot({ path: `${SCREENSHOTS}client-streaming.png`, fullPage: true });
    assert.deepEqual(watched.errors, []);
  });
});
