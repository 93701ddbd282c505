/**
 * Payouts benchmark on the in-process chain (LiteSVM): how many transfers fit one payout
 * transaction, with the recipients' token accounts created in it and to existing ones (in the
 * treasury's lookup table), and how many payouts per second the sender confirms end to end
 * (pack, sign, store, send, status, settle).
 *
 *   node contracts/dist/bench/payouts-bench.js [--json] [--payouts N]
 *
 * With --json the last line is one JSON object: transfersPerTx (new token accounts),
 * transfersPerTxExisting, transfersPerTxExistingNoLookupTable, payoutsPerSecond, transactionsPerSecond.
 */
import { performance } from "node:perf_hooks";
import { InMemoryAttemptStore } from "../payouts/attempt-store.js";
import type { PayoutBatch } from "../payouts/payout-batch.js";
import { PayoutSender } from "../payouts/payout-sender.js";
import { type ChainFixture, createChainFixture } from "../testing/chain-fixture.js";
import {
  balancesOf,
  batchFor,
  lookupTablesFor,
  prepareRecipients,
  randomWallets,
} from "../testing/payout-fixture.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const payoutsArg = args.indexOf("--payouts");
const totalPayouts = payoutsArg >= 0 ? Number(args[payoutsArg + 1]) : 2000;

function log(line: string): void {
  console.log(line);
}

/** Settles one batch and returns the largest number of payouts any of its transactions carried. */
async function largestTransaction(
  chain: ChainFixture,
  batch: PayoutBatch,
  withTables: boolean,
  wallets: readonly string[],
): Promise<number> {
  const store = new InMemoryAttemptStore();
  const lookupTables = withTables ? lookupTablesFor(chain) : undefined;
  const sender = new PayoutSender({
    rpc: chain.rpc,
    wallet: chain.treasury,
    mint: chain.mint,
    store,
    lookupTables,
    pollIntervalMs: 0,
  });
  const settlement = await sender.settle(batch);
  if (!settlement.outcomes.every((o) => o.status === "confirmed"))
    throw new Error("benchmark payouts did not all confirm");
  const balances = await balancesOf(chain, wallets);
  for (const p of batch.payouts) {
    if (balances.get(p.recipient) !== p.amount) throw new Error(`wrong balance for ${p.recipient}`);
  }
  return Math.max(...store.all().map((a) => a.payoutIds.length));
}

async function main(): Promise<void> {
  // 1. new token accounts: created in the payout transaction itself
  const chainNew = await createChainFixture();
  const newWallets = randomWallets(40);
  const transfersPerTx = await largestTransaction(
    chainNew,
    batchFor("bench-new", newWallets),
    true,
    newWallets,
  );
  log(`transfers per transaction, creating token accounts: ${transfersPerTx}`);

  // 2. existing token accounts (created when the wallet was linked), in the lookup table
  const chainExisting = await createChainFixture();
  const existingWallets = randomWallets(120);
  const tables = lookupTablesFor(chainExisting);
  await prepareRecipients(chainExisting, existingWallets, tables);
  const store = new InMemoryAttemptStore();
  const sender = new PayoutSender({
    rpc: chainExisting.rpc,
    wallet: chainExisting.treasury,
    mint: chainExisting.mint,
    store,
    lookupTables: tables,
    pollIntervalMs: 0,
  });
  const first = await sender.settle(batchFor("bench-existing", existingWallets));
  if (!first.outcomes.every((o) => o.status === "confirmed"))
    throw new Error("benchmark payouts did not all confirm");
  const transfersPerTxExisting = Math.max(...store.all().map((a) => a.payoutIds.length));
  log(`transfers per transaction, existing token accounts (lookup table): ${transfersPerTxExisting}`);

  const chainNoTable = await createChainFixture();
  const noTableWallets = randomWallets(40);
  await prepareRecipients(chainNoTable, noTableWallets, lookupTablesFor(chainNoTable));
  const transfersPerTxExistingNoLookupTable = await largestTransaction(
    chainNoTable,
    batchFor("bench-no-table", noTableWallets),
    false,
    noTableWallets,
  );
  log(
    `transfers per transaction, existing token accounts (no lookup table): ${transfersPerTxExistingNoLookupTable}`,
  );

  // 3. throughput: batches of 250 payouts to the prepared recipients, settled end to end
  const batches: PayoutBatch[] = [];
  for (let i = 0; i * 250 < totalPayouts; i++) {
    const count = Math.min(250, totalPayouts - i * 250);
    const wallets = Array.from(
      { length: count },
      (_, j) => existingWallets[(i * 250 + j) % existingWallets.length] ?? "",
    );
    const batch = batchFor(`bench-throughput-${i}`, wallets);
    batches.push({ ...batch, payouts: batch.payouts.map((p) => ({ ...p, amount: 1_000n })) });
  }
  const transactionsBefore = chainExisting.rpc.executedCount;
  const start = performance.now();
  let confirmed = 0;
  for (const batch of batches) {
    const settlement = await sender.settle(batch);
    confirmed += settlement.outcomes.filter((o) => o.status === "confirmed").length;
  }
  const seconds = (performance.now() - start) / 1000;
  const transactions = chainExisting.rpc.executedCount - transactionsBefore;
  const payoutsPerSecond = Math.round(confirmed / seconds);
  const transactionsPerSecond = Math.round(transactions / seconds);
  log(
    `throughput: ${confirmed} payouts confirmed in ${transactions} transactions in ${seconds.toFixed(2)} s: ${payoutsPerSecond} payouts/s, ${transactionsPerSecond} tx/s`,
  );
  if (json) {
    console.log(
      JSON.stringify({
        transfersPerTx,
        transfersPerTxExisting,
        transfersPerTxExistingNoLookupTable,
        payoutsPerSecond,
        transactionsPerSecond,
        payoutsConfirmed: confirmed,
        runtime: "litesvm",
      }),
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
