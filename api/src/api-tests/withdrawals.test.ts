/**
 * Client withdrawals through the api on the in-process chain (LiteSVM), by the payouts' safe
 * sender: the amount leaves the available balance at request time and reaches the linked wallet
 * once; a first transaction that lands late is found, not sent again; a transfer that fails for
 * good returns the amount; the treasury check and payout reconciliation hold throughout.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getNeuroBalance, newReference } from "@neurogrid/contracts";
import {
  type ChainFixture,
  createDepositChain,
  FaultyRpc,
  fundedWallet,
  payTransferRequest,
} from "@neurogrid/contracts/testing";
import type { Keypair } from "@solana/web3.js";
import { LedgerAccountKind } from "../db/entities/index.js";
import { balancesOf, platformBalance } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import type { PayoutChain } from "../payouts/payout-chain.js";
import { reconcileFromDb } from "../payouts/reconcile-from-db.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { linkWalletThroughApi } from "../testing/link-wallet.js";
import { checkTreasury } from "../treasury/treasury-check.js";
import { WithdrawalRunner } from "../withdrawals/withdrawal-runner.js";

const WITHDRAW = "mutation($a: TokenAmount!) { withdraw(amount: $a) { id status wallet amount } }";
const NEURO = 1_000_000_000n;

describe("withdrawals to a linked wallet", () => {
  let t: InProcessApi;
  let fx: ChainFixture;
  let chain: PayoutChain;
  let admin: { key: string };
  let client: { id: string; key: string };
  let wallet: Keypair;

  before(async () => {
    fx = await createDepositChain();
    chain = {
      rpc: fx.rpc,
      wallet: fx.treasury,
      treasury: fx.treasury.publicKey,
      mint: fx.mint,
      commitment: "finalized",
      pollIntervalMs: 0,
      settleTimeoutMs: 30_000,
    };
    t = await startInProcessApi({ rateLimitBurst: 10_000 }, { payoutChain: chain });
    admin = await t.account("ops", "admin");
    client = await t.account("carol", "client");
    wallet = await fundedWallet(fx, 10n * NEURO);
    await linkWalletThroughApi(t.url, client.key, wallet);
    // 3 NEURO in from the chain: a plain transfer from the linked wallet, credited by the watcher.
    const plain = {
      recipient: fx.treasury.publicKey,
      amount: 3n * NEURO,
      splToken: fx.mint,
      reference: newReference(),
    };
    await payTransferRequest(fx.rpc, wallet, plain, { noReference: true });
    assert.equal((await t.api.services.deposits?.watcher.run())?.credited, 1);
  });
  after(async () => {
    await t?.stop();
  });

  const available = async () => (await balancesOf(t.orm.em.fork(), client.id)).available;
  const treasuryOk = async () =>
    (await checkTreasury(t.orm, { rpc: fx.rpc, treasury: fx.treasury.publicKey, mint: fx.mint })).differences;

  test("the amount leaves the balance at request time and reaches the wallet once", async () => {
    const before = await getNeuroBalance(fx.rpc, fx.mint, wallet.publicKey);
    const res = await graphqlRequest<{ withdraw: { id: string; status: string; wallet: string } }>(
      t.url,
      client.key,
      WITHDRAW,
      { a: NEURO.toString() },
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data?.withdraw.status, "PENDING");
    assert.equal(res.data?.withdraw.wallet, wallet.publicKey.toBase58());
    assert.equal(await available(), 2n * NEURO, "moved out at request time");
    assert.equal(await platformBalance(t.orm.em.fork(), LedgerAccountKind.WITHDRAWALS_IN_FLIGHT), NEURO);
    assert.deepEqual(await treasuryOk(), [], "in flight counts as held for the client");
    const runner = t.payouts?.withdrawals;
    assert.ok(runner);
    assert.deepEqual(await runner.run(), { ran: true, confirmed: 1, failed: 0, pending: 0 });
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, wallet.publicKey), before + NEURO);
    assert.deepEqual(await runner.run(), { ran: true, confirmed: 0, failed: 0, pending: 0 });
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, wallet.publicKey), before + NEURO, "not sent twice");
    const listed = await graphqlRequest<{ withdrawals: { status: string; signature: string }[] }>(
      t.url,
      client.key,
      "{ withdrawals { status signature } }",
    );
    assert.equal(listed.data?.withdrawals[0]?.status, "CONFIRMED");
    assert.ok(listed.data?.withdrawals[0]?.signature);
    const over = await graphqlRequest(t.url, client.key, WITHDRAW, { a: (100n * NEURO).toString() });
    assert.equal(errorCode(over), "INSUFFICIENT_FUNDS");
    assert.equal(await available(), 2n * NEURO, "a refused withdrawal moves nothing");
    assert.deepEqual(await treasuryOk(), []);
    assert.deepEqual((await reconcileFromDb(t.orm, chain)).differences, []);
  });

  test("a first transaction that lands late is found, not sent again", async () => {
    const before = await getNeuroBalance(fx.rpc, fx.mint, wallet.publicKey);
    const res = await graphqlRequest<{ withdraw: { id: string } }>(t.url, client.key, WITHDRAW, {
      a: NEURO.toString(),
    });
    const id = res.data?.withdraw.id;
    const dropping = new FaultyRpc(fx.rpc).failNextSend("drop");
    const first = new WithdrawalRunner(t.orm, { ...chain, rpc: dropping, settleTimeoutMs: 0 });
    assert.deepEqual(await first.run(), { ran: true, confirmed: 0, failed: 0, pending: 1 });
    const [stored] = await t.orm.em
      .fork()
      .execute<{ transaction: Buffer }[]>(
        "select transaction from withdrawal_attempts where withdrawal_id = ?",
        [id],
      );
    assert.ok(stored);
    await fx.rpc.sendRawTransaction(new Uint8Array(stored.transaction)); // the dropped bytes land, late
    assert.deepEqual(await new WithdrawalRunner(t.orm, chain).run(), {
      ran: true,
      confirmed: 1,
      failed: 0,
      pending: 0,
    });
    const [attempts] = await t.orm.em
      .fork()
      .execute<{ n: string }[]>("select count(*) as n from withdrawal_attempts where withdrawal_id = ?", [
        id,
      ]);
    assert.equal(Number(attempts?.n), 1, "found by its stored signature, never rebuilt");
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, wallet.publicKey), before + NEURO);
    assert.equal(await available(), NEURO);
    assert.deepEqual(await treasuryOk(), []);
  });

  test("a withdrawal that fails for good returns the amount to the balance", async () => {
    // 1,000 NEURO credited off chain (an admin deposit): more than the treasury holds.
    const credited = await graphqlRequest(
      t.url,
      admin.key,
      'mutation($id: ID!) { deposit(input: { accountId: $id, amount: "1000000000000" }) { available } }',
      { id: client.id },
    );
    assert.equal(credited.errors, undefined, JSON.stringify(credited.errors));
    const res = await graphqlRequest(t.url, client.key, WITHDRAW, { a: (1000n * NEURO).toString() });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(await available(), NEURO);
    assert.deepEqual(await t.payouts?.withdrawals.run(), {
      ran: true,
      confirmed: 0,
      failed: 1,
      pending: 0,
    });
    assert.equal(await available(), 1001n * NEURO, "returned");
    assert.equal(await platformBalance(t.orm.em.fork(), LedgerAccountKind.WITHDRAWALS_IN_FLIGHT), 0n);
    const listed = await graphqlRequest<{ withdrawals: { status: string; error: string }[] }>(
      t.url,
      client.key,
      "{ withdrawals(limit: 1) { status error } }",
    );
    assert.equal(listed.data?.withdrawals[0]?.status, "FAILED");
    assert.deepEqual(await treasuryOk(), [], "the off-chain credit is not counted against the treasury");
    assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
  });
});
