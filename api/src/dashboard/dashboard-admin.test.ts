/**
 * The dashboard's admin view in Chromium against real parts (PostgreSQL, Redis, a head, two
 * workers, an api): an admin sees the cluster overview with both nodes ALIVE, and one node turn
 * DEAD live, without a reload, when its worker is killed.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { Browser, Page } from "playwright-core";
import type { Child } from "../cli/child-process.js";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { hashPassword } from "../identity/passwords.js";
import { launchChromium } from "../testing/chromium.js";
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
const PASSWORD = "correct horse battery";
const PHONE = { width: 375, height: 812 };
const VIEW_TIMEOUT_MS = 20_000;
/** The head declares a node dead after this long without heartbeats. */
const HEARTBEAT_TIMEOUT_MS = 3000;

describe("dashboard: the admin view in Chromium", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let doomed: Child;
  let watched: ReturnType<typeof watchPage>;
  const children: Child[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    const em = orm.em.fork();
    em.persist(
      em.create(Account, { name: "admin-a", role: Role.ADMIN, passwordHash: await hashPassword(PASSWORD) }),
    );
    await em.flush();
    const head = await startHead([
      "--heartbeat-timeout-ms",
      String(HEARTBEAT_TIMEOUT_MS),
      "--heartbeat-interval-ms",
      "250",
    ]);
    children.push(head.child);
    children.push(await startWorker(head.address, "steady-node"));
    doomed = await startWorker(head.address, "doomed-node");
    children.push(doomed);
    const api = await startApi(apiEnv(db.url, uniquePrefix("dash-admin"), head.address));
    children.push(api.child);
    origin = new URL(api.url).origin;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(VIEW_TIMEOUT_MS);
    watched = watchPage(page, origin);
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

  test("an admin sees the cluster, and a node go DEAD live when its worker is killed", async () => {
    await signIn(page, origin, "admin-a", PASSWORD);
    await page.getByTestId("nodes-alive").filter({ hasText: "2 / 2" }).waitFor();
    await page.getByTestId("queue-depths").filter({ hasText: "0 / 0 / 0" }).waitFor();
    await page.getByTestId("ledger-balanced").filter({ hasText: "Balanced" }).waitFor();

    // A temperature threshold for every GPU of one node, over the defaults.
    await page.getByRole("combobox", { name: /^Node/ }).selectOption("steady-node");
    await page.getByRole("combobox", { name: /^Metric/ }).selectOption("temperature");
    await page.getByLabel("Warning at").fill("70");
    await page.getByLabel("Critical at").fill("85");
    await page.getByRole("button", { name: "Set threshold" }).click();
    await page
      .getByRole("list", { name: "Thresholds set" })
      .getByText("steady-node every GPU: temperature warning 70, critical 85")
      .waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}admin-view.png`, fullPage: true });

    doomed.process.kill("SIGKILL");
    await page.getByTestId("node-state-doomed-node").filter({ hasText: "DEAD" }).waitFor();
    assert.equal(await page.getByTestId("node-state-steady-node").textContent(), "ALIVE");
    await page.getByTestId("nodes-alive").filter({ hasText: "1 / 2" }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}admin-view-node-dead.png`, fullPage: true });

    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, "no horizontal scroll on a phone");
    await page.screenshot({ path: `${SCREENSHOTS}admin-view-phone.png`, fullPage: true });
    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
    assert.deepEqual(watched.foreignRequests, [], "the page talks only to its own origin");
  });
});
