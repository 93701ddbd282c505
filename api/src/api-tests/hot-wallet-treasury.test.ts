/**
 * Withdrawals from the hot payout wallet, on the in-process chain (LiteSVM): the payouts
 * process tops the hot wallet up from the treasury (never above its cap) and sends only what it
 * then covers; the rest waits. The treasury check counts the hot wallet's NEURO as the
 * platform's: it holds with it, and without it finds exactly what the hot wallet holds missing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getNeuroBalance, newReference, TreasuryKey } from "@neurogrid/contracts";
import {
  type ChainFixture,
  createDepositChain,
  fundedWallet,
  payTransferRequest,
} from "@neurogrid/contracts/testing";
import { payoutsChain } from "../payouts/payouts-process.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { linkWalletThroughApi } from "../testing/link-wallet.js";
import { checkTreasury } from "../treasury/treasury-check.js";

const WITHDRAW = "mutation($a: TokenAmount!) { withdraw(amount: $a) { id status } }";
const NEURO = 1_000_000_000n;

describe("withdrawals from the hot payout wallet", () => {
  let t: InProcessApi;
  let fx: ChainFixture;
  let hot: TreasuryKey;
  let key: string;

  before(async () => {
    fx = await createDepositChain();
    hot = TreasuryKey.generate();
    await fx.rpc.requestAirdrop(hot.publicKey, 10_000_000_000n);
    const chain = payoutsChain(
      { rpc: fx.rpc, treasuryKey: fx.treasury, hotWallet: hot, mint: fx.mint },
      {
        solanaCommitment: "finalized",
        hotWalletCap: "2",
        payoutPollIntervalMs: 1,
        payoutSettleTimeoutMs: 30_000,
      },
    );
    t = await startInProcessApi({ rateLimitBurst: 10_000 }, { payoutChain: chain });
    const client = await t.account("hot-client", "client");
    key = client.key;
    const wallet = await fundedWallet(fx, 10n * NEURO);
    await linkWalletThroughApi(t.url, key, wallet);
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

  test("a top-up of at most the cap; what it covers is sent, the rest waits; the treasury reconciles", async () => {
    for (const amount of [NEURO, (3n * NEURO) / 2n]) {
      const res = await graphqlRequest(t.url, key, WITHDRAW, { a: amount.toString() });
      assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    }
    assert.deepEqual(await t.payouts?.withdrawals.run(), { ran: true, confirmed: 1, failed: 0, pending: 1 });
    assert.equal(
      await getNeuroBalance(fx.rpc, fx.mint, hot.publicKey),
      NEURO,
      "topped up to the 2 NEURO cap, 1 sent",
    );
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, fx.treasury.publicKey), NEURO);

    const chain = { rpc: fx.rpc, treasury: fx.treasury.publicKey, mint: fx.mint };
    assert.deepEqual((await checkTreasury(t.orm, { ...chain, hotWallet: hot.publicKey })).differences, []);
    const blind = await checkTreasury(t.orm, chain);
    assert.deepEqual(
      blind.differences.map((d) => (d.kind === "BALANCE_MISMATCH" ? d.difference : d.kind)),
      [-NEURO],
      "without the hot wallet, exactly what it holds is missing",
    );
  });
});
