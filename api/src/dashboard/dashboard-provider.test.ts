/**
 * The dashboard's provider view in Chromium against real parts (PostgreSQL, Redis, head, worker,
 * api): a provider links a wallet through a Wallet Standard test wallet (it signs the server's
 * challenge with a known keypair), then watches its node come up, the GPU charts move while the
 * recorded heat cycle replays, and a temperature alert appear live, and acknowledges it.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Child } from "../cli/child-process.js";
import { Account } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { type Fixture, seedFixture } from "../e2e/fixture.js";
import { hashPassword } from "../identity/passwords.js";
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
import { installTestWallet, TEST_WALLET_NAME } from "../testing/test-wallet.js";

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const REPLAY = fileURLToPath(new URL("../../../cluster/telemetry/two-gpus-heat-cycle.csv", import.meta.url));
const NODE = "hot-node";
const PASSWORD = "correct horse battery";
const PHONE = { width: 375, height: 812 };
const VIEW_TIMEOUT_MS = 20_000;

describe("dashboard: the provider view in Chromium", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let url: string;
  let origin: string;
  let headAddress: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let walletAddress: string;
  let watched: ReturnType<typeof watchPage>;
  const children: Child[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, [NODE], 1n);
    await orm.em
      .fork()
      .nativeUpdate(Account, { id: fx.providerId }, { passwordHash: await hashPassword(PASSWORD) });
    // Heartbeats more often than the replay advances, so the head passes on every sample.
    const head = await startHead(["--heartbeat-interval-ms", "100"]);
    headAddress = head.address;
    children.push(head.child);
    const api = await startApi(
      apiEnv(db.url, uniquePrefix("dash-provider"), head.address, { NEUROGRID_ALERT_COOLDOWN_MS: "600000" }),
    );
    children.push(api.child);
    url = api.url;
    origin = new URL(url).origin;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    walletAddress = await installTestWallet(context, 7);
    page = await context.newPage();
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

  test("a provider links a wallet through the Wallet Standard", async () => {
    await signIn(page, origin, "provider-a", PASSWORD);
    await page.getByText("none linked").waitFor();
    await page.getByRole("button", { name: `Link wallet with ${TEST_WALLET_NAME}` }).click();
    await page.getByTestId("linked-wallet").filter({ hasText: walletAddress }).waitFor();
    const stored = await graphqlRequest<{ wallet: { address: string } | null }>(
      url,
      fx.providerKey,
      "{ wallet { address } }",
    );
    assert.equal(stored.data?.wallet?.address, walletAddress, JSON.stringify(stored.errors));
  });

  test("the node comes up live, its GPU charts move with the heat cycle, an alert appears and is acknowledged", async () => {
    const state = page.getByTestId(`node-state-${NODE}`);
    await state.filter({ hasText: "OFFLINE" }).waitFor();
    children.push(
      await startWorker(headAddress, NODE, ["--telemetry-replay", REPLAY, "--telemetry-interval-ms", "1000"]),
    );
    await state.filter({ hasText: "ALIVE" }).waitFor();

    // GPU 1's chart: points arrive and the temperature changes as the replay heats it.
    const chart = page.getByTestId(`gpu-chart-${NODE}-1`);
    await chart.waitFor();
    // Attribute selectors, not page functions: the page's CSP refuses eval.
    const sel = `[data-testid="gpu-chart-${NODE}-1"]`;
    await page.locator(`${sel}[data-points]:not([data-points="1"]):not([data-points="2"])`).waitFor();
    const first = (await chart.getAttribute("data-last-temperature")) ?? "";
    await page.locator(`${sel}[data-last-temperature]:not([data-last-temperature="${first}"])`).waitFor();
    assert.match((await page.getByTestId(`gpu-readout-${NODE}-1`).textContent()) ?? "", /°C/);
    await page.locator("canvas").first().waitFor();

    // The alert appears without a reload, and is acknowledged.
    const alert = page
      .locator("li[data-alert]")
      .filter({ hasText: "temperature" })
      .filter({ hasText: "GPU 1" });
    await alert.first().waitFor({ timeout: 30_000 });
    await alert
      .first()
      .getByRole("button", { name: /Acknowledge/ })
      .click();
    await alert.first().filter({ hasText: "acknowledged" }).waitFor();
    const alerts = await graphqlRequest<{
      alerts: { acknowledgedAt: string | null; acknowledgedBy: string | null }[];
    }>(url, fx.providerKey, "{ alerts { acknowledgedAt acknowledgedBy } }");
    assert.equal(alerts.data?.alerts.length, 1, JSON.stringify(alerts));
    assert.equal(alerts.data?.alerts[0]?.acknowledgedBy, fx.providerId);
    assert.ok(alerts.data?.alerts[0]?.acknowledgedAt);

    // The GPU cools down: the alert resolves live; the heat cycle is in the history (gpuMetrics).
    await alert.first().filter({ hasText: "resolved" }).waitFor({ timeout: 30_000 });
    const history = await graphqlRequest<{ gpuMetrics: { temperatureC: number | null }[] }>(
      url,
      fx.providerKey,
      `query($from: DateTimeISO!) { gpuMetrics(nodeId: "${NODE}", gpu: 1, from: $from) { temperatureC } }`,
      { from: new Date(Date.now() - 600_000).toISOString() },
    );
    const temps = (history.data?.gpuMetrics ?? []).map((p) => p.temperatureC ?? 0);
    assert.ok(temps.length >= 2, JSON.stringify(history));
    assert.ok(Math.max(...temps) >= 90, `the recorded heat cycle reached ${Math.max(...temps)} °C`);

    await page.screenshot({ path: `${SCREENSHOTS}provider-view.png`, fullPage: true });
    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, "no horizontal scroll on a phone");
    await page.screenshot({ path: `${SCREENSHOTS}provider-view-phone.png`, fullPage: true });
    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
    assert.deepEqual(watched.foreignRequests, [], "the page talks only to its own origin");
  });
});
