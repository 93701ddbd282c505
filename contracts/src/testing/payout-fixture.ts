/**
 * Payout scenarios on LiteSVM for tests and the benchmark: recipients (fresh wallets), batches,
 * recipients prepared as after a wallet link (token account created, in the lookup table), and
 * balances read back from the chain.
 */
import { Keypair, type PublicKey } from "@solana/web3.js";
import type { PayoutBatch, PayoutItem } from "../payouts/payout-batch.js";
import { prepareRecipient } from "../payouts/recipient-account.js";
import { InMemoryLookupTableStore, RecipientLookupTables } from "../payouts/recipient-lookup-tables.js";
import { parseAddress } from "../solana/address.js";
import { getTokenAccountBalances, tokenAccountOf } from "../token/neuro-token.js";
import { type ChainFixture, NO_WAIT } from "./chain-fixture.js";

export function randomWallets(count: number): string[] {
  return Array.from({ length: count }, () => Keypair.generate().publicKey.toBase58());
}

/** One payout per wallet, amounts 1_000_000 * (i + 1), ids `${batchId}-p${i}`. */
export function batchFor(batchId: string, wallets: readonly string[]): PayoutBatch {
  const payouts: PayoutItem[] = wallets.map((recipient, i) => ({
    payoutId: `${batchId}-p${i}`,
    recipient,
    amount: 1_000_000n * BigInt(i + 1),
  }));
  return { batchId, payouts };
}

export function lookupTablesFor(chain: ChainFixture): RecipientLookupTables {
  return new RecipientLookupTables(chain.rpc, chain.treasury, new InMemoryLookupTableStore(), NO_WAIT);
}

/** Creates every wallet's token account and adds it to the tables, as a wallet link does. */
export async function prepareRecipients(
  chain: ChainFixture,
  wallets: readonly string[],
  tables: RecipientLookupTables,
): Promise<void> {
  for (const wallet of wallets)
    await prepareRecipient(chain.rpc, chain.treasury, chain.mint, wallet, NO_WAIT);
  await tables.ensure(wallets.map((w) => tokenAccountOf(chain.mint, parseAddress(w))));
}

/** Each wallet's NEURO balance, read from the chain, by wallet. */
export async function balancesOf(
  chain: ChainFixture,
  wallets: readonly string[],
): Promise<Map<string, bigint>> {
  const accounts: PublicKey[] = wallets.map((w) => tokenAccountOf(chain.mint, parseAddress(w)));
  const balances = await getTokenAccountBalances(chain.rpc, accounts);
  return new Map(wallets.map((w, i) => [w, balances[i] ?? 0n]));
}
