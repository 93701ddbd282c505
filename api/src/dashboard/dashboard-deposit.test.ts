/**
 * The client view's deposit panel in a real browser (Debian's Chromium through playwright-core)
 * against an api on a real in-process Solana runtime (LiteSVM): a client asks for 2.5 NEURO,
 * the page shows the Solana Pay URL and its QR code (a PNG data URL the CSP admits), the test's
 * wallet pays exactly that URL, and the page follows the request live PENDING -> SEEN (confirmed,
 * held back from finality) -> CREDITED with the paying signature, and the balance rises by it.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseTransferRequest } from "@neurogrid/contracts";
import {
  type ChainFixture,
  createDepositChain,
  FinalityGate,
  fundedWallet,
  payTransferRequest,
} from "@neurogrid/contracts/testing";
import type { Keypair } from "@solana/web3.js";
import type { Browser, Page } from "playwright-core";
import { Account } from "../db/entities/index.js";
import { hashPassword } from "../identity/passwords.js";
import { balancesOf } from "../ledger/accounts.js";
import { launchChromium } from "../testing/chromium.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { horizontalOverflow, seriousAxeViolations, signIn, watchPage } from "../testing/page-checks.js";

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const PASSWORD = "correct horse battery";
const PHONE = { width: 375, height: 812 };
const AMOUNT = 2_500_000_000n; // 2.5 NEURO
const WALLET_FUNDS = 1_000_000_000_000n;
/** Bounds on what the page shows; the waits end as soon as it does. */
const VIEW_TIMEOUT_MS = 15_000;
/** The scheduled watcher stays out of the way: the test runs the watcher when it means to. */
const WATCH_INTERVAL_MS = 3_600_000;
const QR_DECODED = `(() => {
  const img = document.querySelector('[data-testid="deposit-qr"]');
  return img !== null && img.complete && img.naturalWidth > 0;
})()`;
const WATCH = "mutation { runDepositWatch { ran seen credited unmatched expired } }";

describe("dashboard: a client's deposit in Chromium", () => {
  let t: InProcessApi;
  let fx: ChainFixture;
  let gate: FinalityGate;
  let wallet: Keypair;
  let admin: { key: string };
  let client: { id: string };
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  let origin: string;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    fx = await createDepositChain();
    gate = new FinalityGate(fx.rpc);
    t = await startInProcessApi(
      { rateLimitBurst: 10_000, depositWatchIntervalMs: WATCH_INTERVAL_MS },
      {
        payoutChain: {
          rpc: gate,
          wallet: fx.treasury,
          treasury: fx.treasury.publicKey,
          mint: fx.mint,
          commitment: "finalized",
          pollIntervalMs: 0,
          settleTimeoutMs: 30_000,
        },
      },
    );
    origin = new URL(t.url).origin;
    admin = await t.account("treasurer", "admin");
    client = await t.account("depositor", "client");
    await t.orm.em
      .fork()
      .nativeUpdate(Account, { id: client.id }, { passwordHash: await hashPassword(PASSWORD) });
    wallet = await fundedWallet(fx, WALLET_FUNDS);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(VIEW_TIMEOUT_MS);
    watched = watchPage(page, origin);
  });

  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function watchChain(): Promise<void> {
    const res = await graphqlRequest(t.url, admin.key, WATCH);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  }

  test("a deposit request shows its Solana Pay URL and QR code and goes PENDING -> SEEN -> CREDITED live", async () => {
    await signIn(page, origin, "depositor", PASSWORD);
    const available = page.getByTestId("balance-available");
    await available.filter({ hasText: "0.000000000 NEURO" }).waitFor();

    await page.getByLabel("Amount (NEURO)").fill("2.5");
    await page.getByRole("button", { name: "Request deposit" }).click();
    const status = page.getByTestId("deposit-status");
    await status.filter({ hasText: "PENDING" }).waitFor();

    // The URL on the page is a Solana Pay request to the treasury for exactly 2.5 NEURO.
    const url = (await page.getByTestId("deposit-url").textContent())?.trim() ?? "";
    const request = parseTransferRequest(url);
    assert.equal(request.recipient.toBase58(), fx.treasury.publicKey.toBase58());
    assert.equal(request.splToken.toBase58(), fx.mint.toBase58());
    assert.equal(request.amount, AMOUNT);

    // The QR code is a PNG the browser decoded (the CSP admits data: images).
    const qr = page.getByTestId("deposit-qr");
    assert.match((await qr.getAttribute("src")) ?? "", /^data:image\/png;base64,/);
    await page.waitForFunction(QR_DECODED, undefined, { timeout: VIEW_TIMEOUT_MS });
    await page.screenshot({ path: `${SCREENSHOTS}client-deposit-pending.png`, fullPage: true });

    // The wallet pays that URL; the chain confirms it but holds back finality: SEEN.
    const signature = await payTransferRequest(fx.rpc, wallet, request);
    gate.hold(signature);
    await watchChain();
    await status.filter({ hasText: "SEEN" }).waitFor();
    assert.equal(
      (await balancesOf(t.orm.em.fork(), client.id)).available,
      0n,
      "not credited before finality",
    );

    // Finalized: CREDITED, with the paying signature, and the balance rises by exactly the amount.
    gate.finalize(signature);
    await watchChain();
    await status.filter({ hasText: "CREDITED" }).waitFor();
    assert.equal((await page.getByTestId("deposit-signature").textContent())?.trim(), signature);
    await available.filter({ hasText: "2.500000000 NEURO" }).waitFor();
    assert.equal((await balancesOf(t.orm.em.fork(), client.id)).available, AMOUNT);
    await page.screenshot({ path: `${SCREENSHOTS}client-deposit-credited.png`, fullPage: true });

    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, "no horizontal scroll on a phone");
    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
    assert.deepEqual(watched.foreignRequests, [], "the page talks only to its own origin");
  });

  test("an amount that is not one is refused on the page, before any request", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel("Amount (NEURO)").fill("1.0000000001");
    await page.getByRole("button", { name: "Request deposit" }).click();
    await page.getByText("a positive amount with at most 9 decimals").waitFor();
    const [row] = await t.orm.em
      .fork()
      .execute<{ n: string }[]>("select count(*) as n from deposit_requests where account_id = ?", [
        client.id,
      ]);
    assert.equal(Number(row?.n), 1, "only the first request exists");
  });
});
