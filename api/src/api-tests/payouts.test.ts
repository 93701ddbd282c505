/**
 * Payouts through the api on a real in-process Solana runtime (LiteSVM): wallet proofs, a batched
 * payout to 30 providers with balances read back from the chain, no double payout across runs
 * and across a crash after send, the ledger whole throughout.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getNeuroBalance, tokenAccountOf } from "@neurogrid/contracts";
import { createChainFixture, FaultyRpc, NO_WAIT, SimulatedCrash } from "@neurogrid/contracts/testing";
import { Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import nacl from "tweetnacl";
import { LedgerAccountKind, LedgerTxKind } from "../db/entities/index.js";
import {
  balancesOf,
  externalAccount,
  providerEarningsAccount,
  providerPendingAccount,
} from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { post } from "../ledger/ledger.js";
import type { PayoutChain } from "../payouts/payout-chain.js";
import { PayoutRunner } from "../payouts/payout-runner.js";
import { reconcileFromDb } from "../payouts/reconcile-from-db.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

const CHALLENGE = "mutation($a: String!) { walletChallenge(address: $a) { message nonce expiresAt } }";
const LINK =
  "mutation($m: String!, $s: String!) { linkWallet(message: $m, signature: $s) { address tokenAccount } }";

async function proveWallet(url: string, key: string, wallet: Keypair) {
  const res = await graphqlRequest<{ walletChallenge: { message: string } }>(url, key, CHALLENGE, {
    a: wallet.publicKey.toBase58(),
  });
  const message = res.data?.walletChallenge.message ?? "";
  const signature = bs58.encode(nacl.sign.detached(new TextEncoder().encode(message), wallet.secretKey));
  return { message, signature };
}

describe("payouts on Solana", () => {
  let t: InProcessApi;
  let chain: PayoutChain;
  let admin: { key: string };
  const providers: { id: string; key: string; wallet: Keypair; earned: bigint }[] = [];

  before(async () => {
    const fx = await createChainFixture();
    chain = {
      rpc: fx.rpc,
      wallet: fx.treasury,
      treasury: fx.treasury.publicKey,
      mint: fx.mint,
      commitment: "confirmed",
      ...NO_WAIT,
      settleTimeoutMs: 30_000,
    };
    t = await startInProcessApi({ payoutThreshold: "0.5", rateLimitBurst: 10_000 }, { payoutChain: chain });
    admin = await t.account("treasurer", "admin");
  });
  after(async () => {
    await t?.stop();
  });

  /** Credits a provider's earnings (payable), or its pending account as a capture does. */
  async function earn(providerId: string, amount: bigint, account = providerEarningsAccount) {
    await t.orm.em.fork().transactional(async (tx) =>
      post(tx, {
        kind: LedgerTxKind.DEPOSIT,
        memo: "test earnings",
        legs: [
          { accountId: await externalAccount(tx), amount: -amount },
          { accountId: await account(tx, providerId), amount },
        ],
      }),
    );
  }

  test("a provider links a wallet with a signed challenge; a challenge works once", async () => {
    const p = await t.account("prov-0", "provider");
    const wallet = Keypair.generate();
    const proof = await proveWallet(t.url, p.key, wallet);
    const linked = await graphqlRequest<{ linkWallet: { address: string; tokenAccount: string } }>(
      t.url,
      p.key,
      LINK,
      {
        m: proof.message,
        s: proof.signature,
      },
    );
    assert.equal(linked.errors, undefined, JSON.stringify(linked.errors));
    assert.equal(linked.data?.linkWallet.address, wallet.publicKey.toBase58());
    assert.equal(linked.data?.linkWallet.tokenAccount ?? null, null, "nothing made on chain at link time");
    const [ata] = await chain.rpc.getMultipleAccounts([tokenAccountOf(chain.mint, wallet.publicKey)]);
    assert.ok(!ata || ata.data.length === 0, "no token account (and no treasury rent) until a payout");
    // Changing it at once is refused (cooling-off); the same wallet again is fine.
    const next = await proveWallet(t.url, p.key, Keypair.generate());
    const changed = await graphqlRequest(t.url, p.key, LINK, { m: next.message, s: next.signature });
    assert.equal(errorCode(changed), "FORBIDDEN", JSON.stringify(changed.errors));
    assert.equal(
      (changed.errors?.[0]?.extensions as { reason?: string } | undefined)?.reason,
      "WALLET_COOLING_OFF",
    );
    const again = await graphqlRequest(t.url, p.key, LINK, { m: proof.message, s: proof.signature });
    assert.equal(errorCode(again), "BAD_USER_INPUT", "single use");
    const other = Keypair.generate();
    const forged = await proveWallet(t.url, p.key, other);
    const badSig = bs58.encode(
      nacl.sign.detached(new TextEncoder().encode(forged.message), wallet.secretKey),
    );
    const refused = await graphqlRequest(t.url, p.key, LINK, { m: forged.message, s: badSig });
    assert.equal(errorCode(refused), "BAD_USER_INPUT", "signed by the wrong key");
    const thief = await t.account("thief", "provider");
    const stolen = await proveWallet(t.url, thief.key, Keypair.generate());
    const replay = await graphqlRequest(t.url, thief.key, LINK, { m: proof.message, s: proof.signature });
    assert.equal(errorCode(replay), "BAD_USER_INPUT", "another account cannot use someone's proof");
    void stolen;
    providers.push({ ...p, wallet, earned: 0n });
  });

  test("30 providers are paid in one run, exactly their earnings, confirmed on chain", async () => {
    for (let i = 1; i < 30; i++) {
      const p = await t.account(`prov-${i}`, "provider");
      const wallet = Keypair.generate();
      const proof = await proveWallet(t.url, p.key, wallet);
      const res = await graphqlRequest(t.url, p.key, LINK, { m: proof.message, s: proof.signature });
      assert.equal(res.errors, undefined, JSON.stringify(res.errors));
      providers.push({ ...p, wallet, earned: 0n });
    }
    for (const [i, p] of providers.entries()) {
      p.earned = 1_000_000_000n + BigInt(i) * 1_234_567n;
      await earn(p.id, p.earned);
    }
    const run = await graphqlRequest<{ runPayouts: { created: number; confirmed: number; pending: number } }>(
      t.url,
      admin.key,
      "mutation { runPayouts { ran created confirmed failed pending } }",
    );
    assert.equal(run.errors, undefined, JSON.stringify(run.errors));
    assert.deepEqual(
      { ...run.data?.runPayouts },
      { ran: true, created: 30, confirmed: 30, failed: 0, pending: 0 },
    );
    for (const p of providers) {
      assert.equal(
        await getNeuroBalance(chain.rpc, chain.mint, p.wallet.publicKey),
        p.earned,
        "paid on chain",
      );
      assert.equal((await balancesOf(t.orm.em.fork(), p.id)).earnings, 0n);
    }
    const [sigs] = await t.orm.em
      .fork()
      .execute<{ n: string }[]>(
        "select count(distinct signature) as n from payouts where status = 'CONFIRMED'",
      );
    // First payouts: each transaction also makes its recipients' token accounts (nothing was made
    // on chain when they linked), so fewer fit in one than in later runs.
    assert.ok(Number(sigs?.n) <= 3, `30 payouts in ${sigs?.n} transaction(s)`);
    const listed = await graphqlRequest<{
      payouts: { edges: { node: { status: string; signature: string } }[] };
    }>(t.url, providers[0]?.key, "{ payouts { totalCount edges { node { status amount signature } } } }");
    assert.equal(listed.data?.payouts.edges[0]?.node.status, "CONFIRMED");
    assert.ok(listed.data?.payouts.edges[0]?.node.signature);
    assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
  });

  test("a second run pays nothing again", async () => {
    const run = await graphqlRequest<{ runPayouts: { created: number } }>(
      t.url,
      admin.key,
      "mutation { runPayouts { created confirmed } }",
    );
    assert.equal(run.data?.runPayouts.created, 0);
    for (const p of providers) {
      assert.equal(await getNeuroBalance(chain.rpc, chain.mint, p.wallet.publicKey), p.earned);
    }
  });

  test("pending earnings are not paid out: a provider with only pending has nothing to pay", async () => {
    const p = providers[1];
    assert.ok(p);
    await earn(p.id, 2_000_000_000n, providerPendingAccount);
    const run = await graphqlRequest<{ runPayouts: { created: number } }>(
      t.url,
      admin.key,
      "mutation { runPayouts { created confirmed } }",
    );
    assert.equal(run.errors, undefined, JSON.stringify(run.errors));
    assert.equal(run.data?.runPayouts.created, 0, "above the threshold, but pending");
    assert.equal(await getNeuroBalance(chain.rpc, chain.mint, p.wallet.publicKey), p.earned);
    const balances = await balancesOf(t.orm.em.fork(), p.id);
    assert.deepEqual([balances.pending, balances.earnings], [2_000_000_000n, 0n]);
  });

  test("a crash after send: the next run finds the stored transaction and pays once", async () => {
    const p = providers[0];
    assert.ok(p);
    await earn(p.id, 777_000_000n);
    const faulty = new FaultyRpc(chain.rpc).failNextSend("crash-after-send");
    const crashing = new PayoutRunner({
      orm: t.orm,
      chain: { ...chain, rpc: faulty },
      thresholdUnits: 500_000_000n,
    });
    await assert.rejects(crashing.run(), SimulatedCrash);
    const healthy = new PayoutRunner({ orm: t.orm, chain, thresholdUnits: 500_000_000n });
    const summary = await healthy.run();
    assert.equal(summary.confirmed, 1);
    assert.equal(await getNeuroBalance(chain.rpc, chain.mint, p.wallet.publicKey), p.earned + 777_000_000n);
    const [row] = await t.orm.em
      .fork()
      .execute<{ n: string }[]>(
        "select count(*) as n from payout_attempts where batch_id in (select batch_id from payouts where amount = 777000000)",
      );
    assert.equal(Number(row?.n), 1, "the stored bytes were looked up, not rebuilt");
    assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
    const inFlight = await t.orm.em
      .fork()
      .execute<{ balance: string }[]>("select balance from ledger_accounts where kind = ?", [
        LedgerAccountKind.PAYOUTS_IN_FLIGHT,
      ]);
    assert.equal(inFlight[0]?.balance, "0", "nothing left in flight");
  });

  test("reconciliation matches the chain, and finds a planted difference", async () => {
    const clean = await reconcileFromDb(t.orm, chain);
    assert.deepEqual(clean.differences, []);
    assert.equal(clean.payoutsChecked, 31);
    const [victim] = await t.orm.em
      .fork()
      .execute<{ id: string }[]>(
        "update payouts set amount = amount + 1 where id = (select id from payouts where status = 'CONFIRMED' order by id limit 1) returning id",
      );
    const planted = await reconcileFromDb(t.orm, chain);
    const named = planted.differences.filter(
      (d) => "payoutIds" in d && d.payoutIds.includes(victim?.id ?? ""),
    );
    assert.equal(named.length, 1, "the changed payout is reported");
    assert.equal(named[0]?.kind, "AMOUNT_MISMATCH");
  });
});

describe("a payout that fails for good", () => {
  test("goes back to the provider's earnings, and the provider's subscription hears it", async () => {
    // A treasury holding 1 unit: the transfer lands with an error (insufficient funds).
    const poor = await createChainFixture({ treasuryTokens: 1n });
    const chain: PayoutChain = {
      rpc: poor.rpc,
      wallet: poor.treasury,
      treasury: poor.treasury.publicKey,
      mint: poor.mint,
      commitment: "confirmed",
      ...NO_WAIT,
      settleTimeoutMs: 30_000,
    };
    const t = await startInProcessApi({ payoutThreshold: "0.5" }, { payoutChain: chain });
    try {
      const p = await t.account("unlucky", "provider");
      const proof = await proveWallet(t.url, p.key, Keypair.generate());
      const linked = await graphqlRequest(t.url, p.key, LINK, { m: proof.message, s: proof.signature });
      assert.equal(linked.errors, undefined, JSON.stringify(linked.errors));
      await t.orm.em.fork().transactional(async (tx) =>
        post(tx, {
          kind: LedgerTxKind.DEPOSIT,
          memo: "test earnings",
          legs: [
            { accountId: await externalAccount(tx), amount: -600_000_000n },
            { accountId: await providerEarningsAccount(tx, p.id), amount: 600_000_000n },
          ],
        }),
      );
      const heard: string[] = [];
      const stop = await t.api.services.payoutEvents.subscribe(p.id, (e) => heard.push(e.status));
      const summary = await t.payouts?.service.runner.run();
      assert.equal(summary?.failed, 1, JSON.stringify(summary));
      assert.equal((await balancesOf(t.orm.em.fork(), p.id)).earnings, 600_000_000n, "back in earnings");
      const [row] = await t.orm.em
        .fork()
        .execute<{ status: string }[]>("select status from payouts where provider_id = ?", [p.id]);
      assert.equal(row?.status, "FAILED");
      for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      stop();
      assert.deepEqual(heard, ["PENDING", "FAILED"]);
      assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
    } finally {
      await t.stop();
    }
  });
});
