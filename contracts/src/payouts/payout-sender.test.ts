import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FaultyRpc, SimulatedCrash } from "../solana/faulty-rpc.js";
import type { SolanaRpc } from "../solana/solana-rpc.js";
import { type ChainFixture, createChainFixture } from "../testing/chain-fixture.js";
import {
  balancesOf,
  batchFor,
  lookupTablesFor,
  prepareRecipients,
  randomWallets,
} from "../testing/payout-fixture.js";
import { InMemoryAttemptStore, type NewPayoutAttempt } from "./attempt-store.js";
import type { PayoutBatch } from "./payout-batch.js";
import { type BatchSettlement, PayoutSender, type PayoutSenderOptions } from "./payout-sender.js";
import type { RecipientLookupTables } from "./recipient-lookup-tables.js";

function senderFor(
  chain: ChainFixture,
  store: InMemoryAttemptStore,
  extra: Partial<PayoutSenderOptions> & { rpc?: SolanaRpc } = {},
): PayoutSender {
  return new PayoutSender({
    rpc: chain.rpc,
    wallet: chain.treasury,
    mint: chain.mint,
    store,
    pollIntervalMs: 0,
    timeoutMs: 5_000,
    ...extra,
  });
}

/** Every payout confirmed, and every wallet holding exactly its one payout. */
async function assertPaidExactlyOnce(chain: ChainFixture, batch: PayoutBatch, settlement: BatchSettlement) {
  assert.equal(settlement.outcomes.length, batch.payouts.length);
  for (const o of settlement.outcomes)
    assert.equal(
      o.status,
      "confirmed",
      JSON.stringify(o, (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
    );
  const balances = await balancesOf(
    chain,
    batch.payouts.map((p) => p.recipient),
  );
  for (const p of batch.payouts)
    assert.equal(balances.get(p.recipient), p.amount, `balance of ${p.recipient}`);
}

async function preparedChain(
  wallets: readonly string[],
): Promise<{ chain: ChainFixture; tables: RecipientLookupTables }> {
  const chain = await createChainFixture();
  const tables = lookupTablesFor(chain);
  await prepareRecipients(chain, wallets, tables);
  return { chain, tables };
}

describe("PayoutSender on LiteSVM", () => {
  it("pays 30 prepared recipients in ONE v0 transaction, balances read back from the chain", async () => {
    const wallets = randomWallets(30);
    const { chain, tables } = await preparedChain(wallets);
    const store = new InMemoryAttemptStore();
    const batch = batchFor("batch-30", wallets);
    const before = chain.rpc.executedCount;
    const settlement = await senderFor(chain, store, { lookupTables: tables }).settle(batch);
    assert.equal(settlement.transactionsBuilt, 1);
    assert.equal(chain.rpc.executedCount - before, 1);
    await assertPaidExactlyOnce(chain, batch, settlement);
    const signatures = new Set(settlement.outcomes.map((o) => (o.status === "confirmed" ? o.signature : "")));
    assert.equal(signatures.size, 1);
    const [signature] = signatures;
    const tx = await chain.rpc.getTransaction(signature ?? "");
    assert.deepEqual(tx?.memos, ["neurogrid-payout:batch-30"]);
  });

  it("creates missing token accounts in the payout itself, within the real limits (>= 9 per transaction)", async () => {
    const chain = await createChainFixture();
    const wallets = randomWallets(14);
    const batch = batchFor("batch-new", wallets);
    const store = new InMemoryAttemptStore();
    const settlement = await senderFor(chain, store).settle(batch);
    await assertPaidExactlyOnce(chain, batch, settlement);
    assert.equal(settlement.transactionsBuilt, 2);
    const sizes = store.all().map((a) => a.payoutIds.length);
    assert.ok((sizes[0] ?? 0) >= 9, `first transaction carried ${sizes[0]}`);
  });

  it("RPC error after send: finds the landed transaction instead of sending another", async () => {
    const wallets = randomWallets(25);
    const { chain, tables } = await preparedChain(wallets);
    const rpc = new FaultyRpc(chain.rpc).failNextSend("error-after-send");
    const store = new InMemoryAttemptStore();
    const batch = batchFor("batch-rpc-error", wallets);
    const before = chain.rpc.executedCount;
    const settlement = await senderFor(chain, store, { rpc, lookupTables: tables }).settle(batch);
    await assertPaidExactlyOnce(chain, batch, settlement);
    assert.equal(chain.rpc.executedCount - before, 1);
    assert.deepEqual(
      store.all().map((a) => a.state),
      ["confirmed"],
    );
  });

  it("RPC error after send, then the blockhash expires: still the one landed transaction, no rebuild", async () => {
    const wallets = randomWallets(25);
    const { chain, tables } = await preparedChain(wallets);
    const rpc = new FaultyRpc(chain.rpc).failNextSend("error-after-send", () => chain.rpc.expireBlockhash());
    const store = new InMemoryAttemptStore();
    const batch = batchFor("batch-rpc-error-expiry", wallets);
    const settlement = await senderFor(chain, store, { rpc, lookupTables: tables }).settle(batch);
    await assertPaidExactlyOnce(chain, batch, settlement);
    assert.equal(store.all().length, 1);
  });

  it("crash between send and confirm: a new sender over the same store confirms, pays nobody twice", async () => {
    const wallets = randomWallets(25);
    const { chain, tables } = await preparedChain(wallets);
    const store = new InMemoryAttemptStore();
    const batch = batchFor("batch-crash", wallets);
    const crashing = new FaultyRpc(chain.rpc).failNextSend("crash-after-send");
    await assert.rejects(
      senderFor(chain, store, { rpc: crashing, lookupTables: tables }).settle(batch),
      SimulatedCrash,
    );
    assert.deepEqual(
      store.all().map((a) => a.state),
      ["pending"],
    );
    const before = chain.rpc.executedCount;
    const settlement = await senderFor(chain, store, { lookupTables: tables }).settle(batch);
    await assertPaidExactlyOnce(chain, batch, settlement);
    assert.equal(chain.rpc.executedCount, before, "the restarted sender sent nothing new");
    assert.deepEqual(
      store.all().map((a) => a.state),
      ["confirmed"],
    );
  });

  it("crash after storing, before sending: the restarted sender resends the same stored bytes", async () => {
    const wallets = randomWallets(25);
    const { chain, tables } = await preparedChain(wallets);
    class CrashAfterInsert extends InMemoryAttemptStore {
      override async insert(attempt: NewPayoutAttempt): Promise<void> {
        await super.insert(attempt);
        throw new SimulatedCrash("crash after the attempt was stored");
      }
    }
    const crashing = new CrashAfterInsert();
    const batch = batchFor("batch-crash-before-send", wallets);
    await assert.rejects(senderFor(chain, crashing, { lookupTables: tables }).settle(batch), SimulatedCrash);
    const [stored] = crashing.all();
    assert.ok(stored);
    assert.equal((await chain.rpc.getSignatureStatuses([stored.signature]))[0], null);
    // same records, a working store from now on
    const store = new InMemoryAttemptStore();
    await store.insert(stored);
    const settlement = await senderFor(chain, store, { lookupTables: tables }).settle(batch);
    await assertPaidExactlyOnce(chain, batch, settlement);
    for (const o of settlement.outcomes)
      assert.equal(o.status === "confirmed" && o.signature, stored.signature);
  });

  it("blockhash expiry: a dropped transaction is rebuilt only once it provably cannot land", async () => {
    const wallets = randomWallets(25);
    const { chain, tables } = await preparedChain(wallets);
    const rpc = new FaultyRpc(chain.rpc).failNextSend("drop", () => chain.rpc.expireBlockhash());
    const store = new InMemoryAttemptStore();
    const batch = batchFor("batch-expiry", wallets);
    const events: string[] = [];
    const settlement = await senderFor(chain, store, {
      rpc,
      lookupTables: tables,
      onEvent: (e) => events.push(e.type),
    }).settle(batch);
    await assertPaidExactlyOnce(chain, batch, settlement);
    assert.deepEqual(
      store.all().map((a) => a.state),
      ["expired", "confirmed"],
    );
    assert.ok(events.includes("expired"));
    // the expired bytes can no longer land
    const [expired] = store.all();
    await assert.rejects(chain.rpc.sendRawTransaction(expired?.transaction ?? new Uint8Array()));
  });

  it("a dropped transaction still valid is resent as the same bytes", async () => {
    const wallets = randomWallets(25);
    const { chain, tables } = await preparedChain(wallets);
    const rpc = new FaultyRpc(chain.rpc).failNextSend("drop").failNextSend("error-before-send");
    const store = new InMemoryAttemptStore();
    const batch = batchFor("batch-drop", wallets);
    const settlement = await senderFor(chain, store, { rpc, lookupTables: tables }).settle(batch);
    await assertPaidExactlyOnce(chain, batch, settlement);
    assert.equal(store.all().length, 1);
    assert.equal(new Set(rpc.sends.map((s) => s.signature)).size, 1);
    assert.ok(rpc.sends.length >= 3);
  });

  it("reports pending at the timeout, and a later call settles it", async () => {
    const wallets = randomWallets(5);
    const { chain, tables } = await preparedChain(wallets);
    const rpc = new FaultyRpc(chain.rpc).failNext("getSignatureStatuses").failNext("getSignatureStatuses");
    const store = new InMemoryAttemptStore();
    const batch = batchFor("batch-timeout", wallets);
    const first = await senderFor(chain, store, { rpc, lookupTables: tables, timeoutMs: 0 }).settle(batch);
    assert.ok(first.outcomes.every((o) => o.status === "pending"));
    const second = await senderFor(chain, store, { rpc, lookupTables: tables }).settle(batch);
    await assertPaidExactlyOnce(chain, batch, second);
    assert.equal(store.all().length, 1);
  });

  it("fails for good a transaction that landed with an error, and rejects malformed payouts unsent", async () => {
    const chain = await createChainFixture({ treasuryTokens: 1_000n });
    const wallets = randomWallets(3);
    const batch: PayoutBatch = {
      batchId: "batch-broke",
      payouts: [
        ...batchFor("batch-broke", wallets).payouts,
        { payoutId: "bad-address", recipient: "not-an-address", amount: 5n },
        { payoutId: "bad-amount", recipient: wallets[0] ?? "", amount: 0n },
        { payoutId: "batch-broke-p0", recipient: wallets[1] ?? "", amount: 5n },
      ],
    };
    const store = new InMemoryAttemptStore();
    const settlement = await senderFor(chain, store).settle(batch);
    const byId = new Map([...settlement.outcomes].reverse().map((o) => [o.payoutId, o])); // first wins
    for (const id of ["batch-broke-p0", "batch-broke-p1", "batch-broke-p2"]) {
      const o = byId.get(id);
      assert.ok(o?.status === "failed" && o.code === "TX_FAILED", id);
    }
    const codes = settlement.outcomes
      .filter((o) => o.status === "failed")
      .map((o) => (o.status === "failed" ? o.code : ""));
    assert.ok(codes.includes("INVALID_ADDRESS"));
    assert.equal(codes.filter((c) => c === "INVALID_PAYOUT").length, 2);
    const balances = await balancesOf(chain, wallets);
    for (const w of wallets) assert.equal(balances.get(w), 0n);
  });
});
