import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VersionedTransaction } from "@solana/web3.js";
import { UNITS_PER_NEURO } from "../neuro-amount.js";
import { createChainFixture, NO_WAIT } from "../testing/chain-fixture.js";
import { balancesOf, batchFor, randomWallets } from "../testing/payout-fixture.js";
import { getNeuroBalance } from "../token/neuro-token.js";
import { TreasuryKey } from "../token/treasury-key.js";
import { InMemoryAttemptStore } from "./attempt-store.js";
import { topUpHotWallet } from "./hot-wallet.js";
import { PayoutSender } from "./payout-sender.js";

const CAP = 50n * UNITS_PER_NEURO;

describe("the hot payout wallet on LiteSVM", () => {
  it("is topped up to what the payouts need, never above the cap, and alone signs the payouts", async () => {
    const chain = await createChainFixture();
    const hot = TreasuryKey.generate();
    await chain.rpc.requestAirdrop(hot.publicKey, 10_000_000_000n);
    const treasuryBefore = await getNeuroBalance(chain.rpc, chain.mint, chain.treasury.publicKey);
    const topUp = (needed: bigint) =>
      topUpHotWallet(
        {
          rpc: chain.rpc,
          treasury: chain.treasury,
          mint: chain.mint,
          hotWallet: hot.publicKey,
          needed,
          capUnits: CAP,
        },
        NO_WAIT,
      );

    const small = await topUp(3n * UNITS_PER_NEURO);
    assert.deepEqual(
      [small.before, small.transferred, small.balance],
      [0n, 3n * UNITS_PER_NEURO, 3n * UNITS_PER_NEURO],
    );
    const again = await topUp(3n * UNITS_PER_NEURO);
    assert.equal(again.transferred, 0n, "a wallet that covers the need gets nothing more");
    assert.equal(again.signature, null);

    const huge = await topUp(1_000_000n * UNITS_PER_NEURO);
    assert.equal(huge.balance, CAP, "asked for far more than the cap, it holds the cap");
    assert.equal(await getNeuroBalance(chain.rpc, chain.mint, hot.publicKey), CAP);
    assert.equal(
      await getNeuroBalance(chain.rpc, chain.mint, chain.treasury.publicKey),
      treasuryBefore - CAP,
      "exactly what the hot wallet got left the treasury",
    );

    // Payouts sent by a sender that has the hot wallet and not the treasury key.
    const wallets = randomWallets(4);
    const batch = batchFor("hot-1", wallets);
    const store = new InMemoryAttemptStore();
    const sender = new PayoutSender({
      rpc: chain.rpc,
      wallet: hot,
      mint: chain.mint,
      store,
      pollIntervalMs: 0,
      timeoutMs: 5_000,
    });
    const settled = await sender.settle(batch);
    assert.deepEqual(
      settled.outcomes.map((o) => o.status),
      ["confirmed", "confirmed", "confirmed", "confirmed"],
    );
    const paid = batch.payouts.reduce((sum, p) => sum + p.amount, 0n);
    const balances = await balancesOf(chain, wallets);
    for (const p of batch.payouts) assert.equal(balances.get(p.recipient), p.amount);
    assert.equal(await getNeuroBalance(chain.rpc, chain.mint, hot.publicKey), CAP - paid);
    assert.equal(
      await getNeuroBalance(chain.rpc, chain.mint, chain.treasury.publicKey),
      treasuryBefore - CAP,
      "the payouts took nothing from the treasury",
    );
    for (const attempt of await store.listByBatch("hot-1")) {
      const tx = VersionedTransaction.deserialize(attempt.transaction);
      const signers = tx.message.staticAccountKeys.slice(0, tx.message.header.numRequiredSignatures);
      assert.deepEqual(
        signers.map((k) => k.toBase58()),
        [hot.publicKey.toBase58()],
        "the hot wallet is the one signer: the mint authority signs no payout",
      );
    }

    // Topped up again after the payouts: back to the cap, not above it.
    const refill = await topUp(1_000_000n * UNITS_PER_NEURO);
    assert.equal(refill.transferred, paid);
    assert.equal(refill.balance, CAP);
  });

  it("refuses a hot wallet that is the treasury itself", async () => {
    const chain = await createChainFixture();
    await assert.rejects(
      topUpHotWallet({
        rpc: chain.rpc,
        treasury: chain.treasury,
        mint: chain.mint,
        hotWallet: chain.treasury.publicKey,
        needed: 1n,
        capUnits: CAP,
      }),
      /must not be the treasury/,
    );
  });
});
