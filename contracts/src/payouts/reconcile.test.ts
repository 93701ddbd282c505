import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createChainFixture } from "../testing/chain-fixture.js";
import { batchFor, lookupTablesFor, prepareRecipients, randomWallets } from "../testing/payout-fixture.js";
import { InMemoryAttemptStore } from "./attempt-store.js";
import type { PayoutBatch } from "./payout-batch.js";
import { PayoutSender } from "./payout-sender.js";
import { type ConfirmedPayout, reconcilePayouts } from "./reconcile.js";

describe("reconcilePayouts", () => {
  it("matches confirmed payouts with the chain, and finds every planted difference", async () => {
    const chain = await createChainFixture();
    const wallets = randomWallets(26);
    const tables = lookupTablesFor(chain);
    await prepareRecipients(chain, wallets, tables);
    const sender = new PayoutSender({
      rpc: chain.rpc,
      wallet: chain.treasury,
      mint: chain.mint,
      store: new InMemoryAttemptStore(),
      lookupTables: tables,
      pollIntervalMs: 0,
    });
    const batches: PayoutBatch[] = [
      batchFor("rec-a", wallets.slice(0, 20)),
      batchFor("rec-b", wallets.slice(20)),
    ];
    const confirmed: ConfirmedPayout[] = [];
    for (const batch of batches) {
      const settlement = await sender.settle(batch);
      for (const o of settlement.outcomes) {
        assert.equal(o.status, "confirmed");
        const p = batch.payouts.find((x) => x.payoutId === o.payoutId);
        if (o.status === "confirmed" && p)
          confirmed.push({ ...p, batchId: batch.batchId, signature: o.signature });
      }
    }
    const input = {
      mint: chain.mint,
      treasury: chain.treasury.publicKey,
      scanTreasuryHistory: { limit: 100 },
    };
    const clean = await reconcilePayouts(chain.rpc, { ...input, payouts: confirmed });
    assert.deepEqual(clean.differences, []);
    assert.equal(clean.payoutsChecked, 26);

    // planted: a wrong amount, a wrong batch, a signature that never landed, a payout left out
    const [p0, p1, p2, p3, ...rest] = confirmed;
    assert.ok(p0 && p1 && p2 && p3);
    const planted: ConfirmedPayout[] = [
      { ...p0, amount: p0.amount + 1n },
      { ...p1, batchId: "rec-zzz" },
      { ...p2, signature: "1".repeat(88) },
      ...rest.filter((p) => p.batchId === "rec-a"),
    ];
    const report = await reconcilePayouts(chain.rpc, { ...input, payouts: planted });
    const kinds = report.differences.map((d) => d.kind).sort();
    assert.deepEqual(kinds, [
      "AMOUNT_MISMATCH", // p0's account
      "AMOUNT_MISMATCH", // the treasury's total in batch rec-a's transaction
      "MEMO_MISMATCH",
      "TRANSACTION_NOT_FOUND",
      "UNEXPECTED_TRANSFER", // p2's and p3's transfers in rec-a's transaction, which no record explains
      "UNEXPECTED_TRANSFER",
      "UNRECORDED_TRANSACTION", // batch rec-b, absent from the records
    ]);
    const amount = report.differences.find((d) => d.kind === "AMOUNT_MISMATCH" && d.owner === p0.recipient);
    assert.ok(amount?.kind === "AMOUNT_MISMATCH");
    assert.equal(amount.expected, p0.amount + 1n);
    assert.equal(amount.actual, p0.amount);
  });
});
