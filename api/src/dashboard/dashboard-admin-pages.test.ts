/**
 * The admin's accounts, money and webhooks pages in Chromium, against an api on real PostgreSQL
 * and Redis (in this process, so a GPU alert change can be announced as the alert engine would):
 * an admin finds accounts by name with their balances; sees the failed payout, the stuck
 * withdrawal and the stuck deposit (and not a payout that is merely recent); adds a webhook,
 * is shown its secret once, and watches an alert's delivery fail with 500, its retry wait, and
 * succeed in the delivery log. Each page passes axe and fits a phone's width; screenshots are saved.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { Account, Role } from "../db/entities/index.js";
import { type Fixture, seedFixture } from "../e2e/fixture.js";
import { hashPassword } from "../identity/passwords.js";
import { launchChromium } from "../testing/chromium.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import {
  endOfTest,
  horizontalOverflow,
  seriousAxeViolations,
  signIn,
  watchPage,
} from "../testing/page-checks.js";

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const PASSWORD = "correct horse battery";
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };
const VIEW_TIMEOUT_MS = 20_000;
const CLIENT_DEPOSIT = 5_000_000_000n;
const HOUR_MS = 3_600_000;
/** Long enough for the waiting retry to be seen on the page (it is read again at least every 5 s). */
const RETRY_BACKOFF_MS = 8_000;

describe("dashboard: the admin's accounts, money and webhooks pages in Chromium", () => {
  let t: InProcessApi;
  let fx: Fixture;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  let receiver: Server;
  const received: string[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startInProcessApi({
      alertWebhookBackoffMs: RETRY_BACKOFF_MS,
      alertWebhookAttempts: 3,
      faucet: false,
    });
    fx = await seedFixture(t.orm, [], CLIENT_DEPOSIT);
    const em = t.orm.em.fork();
    em.persist(
      em.create(Account, { name: "admin-a", role: Role.ADMIN, passwordHash: await hashPassword(PASSWORD) }),
    );
    await em.flush();
    const longAgo = new Date(Date.now() - 2 * HOUR_MS);
    await em.execute(
      `insert into payouts (id, provider_id, wallet, amount, status, error, created_at)
       values (?, ?, 'WaLLetFaiLed1111111111111111111111111111111', 2500000000, 'FAILED', 'treasury short of NEURO', ?),
              (?, ?, 'WaLLetFresh11111111111111111111111111111111', 700000000, 'PENDING', null, now())`,
      [randomUUID(), fx.providerId, longAgo, randomUUID(), fx.providerId],
    );
    await em.execute(
      `insert into withdrawals (id, account_id, wallet, amount, status, signature, created_at)
       values (?, ?, 'WaLLetStuck11111111111111111111111111111111', 1200000000, 'PENDING', '5igStuck', ?)`,
      [randomUUID(), fx.clientId, longAgo],
    );
    await em.execute(
      `insert into deposit_requests (id, account_id, reference, amount, memo, status, signature, created_at, expires_at)
       values (?, ?, 'RefStuck1111111111111111111111111111111111', 3000000000, 'ng-stuck', 'SEEN', '5igSeen', ?, ?)`,
      [randomUUID(), fx.clientId, longAgo, new Date(Date.now() + HOUR_MS)],
    );
    receiver = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received.push(String(req.headers["x-neurogrid-delivery"]));
        res.statusCode = received.length === 1 ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    origin = new URL(t.url).origin;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    page.setDefaultTimeout(VIEW_TIMEOUT_MS);
    watched = watchPage(page, origin);
    await signIn(page, origin, "admin-a", PASSWORD);
    await page.getByRole("navigation", { name: "Admin pages" }).waitFor();
  });

  afterEach(async (c) => {
    await endOfTest(page, SCREENSHOTS, c.name, watched);
  });

  after(async () => {
    await browser?.close();
    receiver?.close();
    await t?.stop();
  });

  /** The checks every main view passes: a screenshot, axe, and a phone's width without sideways scroll. */
  async function checkView(name: string): Promise<void> {
    await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, `${name}: no horizontal scroll on a phone`);
    await page.screenshot({ path: `${SCREENSHOTS}${name}-phone.png`, fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  test("accounts: an admin searches by name and sees each account's balances", async () => {
    await page.getByRole("link", { name: "Accounts" }).click();
    await page.getByTestId("accounts-count").filter({ hasText: "4 accounts" }).waitFor();
    await page.getByLabel("Search accounts").fill("client");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("accounts-count").filter({ hasText: "2 accounts matching “client”" }).waitFor();
    assert.equal(
      await page.getByTestId("account-client-a").getByTestId("account-available").textContent(),
      "5.000000000 NEURO",
    );
    assert.equal(await page.getByTestId("account-provider-a").count(), 0, "the search leaves others out");
    await checkView("admin-accounts");
  });

  test("money: the failed payout, the stuck withdrawal and the stuck deposit, not a recent payout", async () => {
    await page.getByRole("link", { name: "Money needing attention" }).click();
    await page.getByTestId("attention-count").filter({ hasText: "3 need attention" }).waitFor();
    const payout = page.getByTestId("attention-payout");
    assert.equal(await payout.count(), 1, "the recent PENDING payout is not stuck yet");
    assert.match(
      (await payout.textContent()) ?? "",
      /provider-a.*2\.500000000 NEURO.*FAILED.*treasury short of NEURO/,
    );
    assert.match(
      (await page.getByTestId("attention-withdrawal").textContent()) ?? "",
      /client-a.*1\.200000000 NEURO.*STUCK.*PENDING/,
    );
    assert.match(
      (await page.getByTestId("attention-deposit").textContent()) ?? "",
      /client-a.*3\.000000000 NEURO.*STUCK.*SEEN/,
    );
    // A shorter or longer "stuck" changes what counts: after 4 hours nothing has been stuck that long.
    await page.getByLabel("Stuck after").selectOption("240");
    await page.getByTestId("attention-count").filter({ hasText: "1 need attention" }).waitFor();
    await page.getByLabel("Stuck after").selectOption("30");
    await page.getByTestId("attention-count").filter({ hasText: "3 need attention" }).waitFor();
    await checkView("admin-money");
  });

  test("webhooks: an admin adds one, sees its secret once, and an alert's delivery and retry in the log", async () => {
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByText("No webhooks yet.").waitFor();
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    await page.getByLabel("Webhook URL").fill(url);
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page
      .getByTestId("webhook-secret")
      .filter({ hasText: /^whsec_/ })
      .waitFor();
    await page.getByRole("list", { name: "Webhooks" }).getByText(url).waitFor();

    assert.equal(
      await t.api.services.alerts.announce({
        change: "opened",
        nodeId: "hot-node",
        gpuIndex: 0,
        gpuUuid: "GPU-hot-0",
        metric: "temperature",
        level: "critical",
        value: 97,
        threshold: 95,
        atMs: Date.now(),
      }),
      true,
    );
    const rows = page.getByTestId("delivery");
    await rows.filter({ hasText: "failed" }).filter({ hasText: "500" }).waitFor();
    await page
      .getByRole("list", { name: "Deliveries waiting" })
      .getByText(`gpu_alert.opened to ${url}: attempt 2 at`)
      .waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}admin-webhooks-retry-waiting.png`, fullPage: true });
    await rows.filter({ hasText: "delivered" }).filter({ hasText: "200" }).waitFor();
    await page.getByText("Nothing waiting.").waitFor();
    await rows.filter({ hasText: "failed" }).filter({ hasText: "500" }).waitFor();
    assert.equal(await rows.count(), 2);
    assert.match((await rows.first().textContent()) ?? "", /gpu_alert\.opened.*2.*delivered/);
    assert.equal(received.length, 2);
    assert.equal(received[0], received[1], "the retry is the same delivery");

    await page.getByRole("button", { name: "Done" }).click();
    assert.equal(await page.getByTestId("webhook-secret").count(), 0, "the secret is gone once dismissed");
    await checkView("admin-webhooks");
    await page.getByRole("button", { name: `Remove webhook ${url}` }).click();
    await page.getByText("No webhooks yet.").waitFor();
    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
    assert.deepEqual(watched.foreignRequests, [], "the page talks only to its own origin");
  });
});
