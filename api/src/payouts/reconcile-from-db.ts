import type { MikroORM } from "@mikro-orm/postgresql";
import { type ReconcileReport, reconcilePayouts } from "@neurogrid/contracts";
import type { PublicKey } from "@solana/web3.js";
import type { PayoutChain } from "./payout-chain.js";

/**
 * `neurogrid payouts reconcile`: every payout and client withdrawal (sent by the same sender, a
 * batch of one named by the withdrawal id) the database calls CONFIRMED, matched against the
 * chain (its transaction, the memo naming its batch, the recipient's token balance change), and
 * the hot payout wallet's recent payout transactions no record names. Any difference is reported.
 */
export async function reconcileFromDb(
  orm: MikroORM,
  chain: Pick<PayoutChain, "rpc" | "mint"> & { wallet: { publicKey: PublicKey } },
  scanLimit = 1000,
): Promise<ReconcileReport> {
  const rows = await orm.em
    .fork()
    .execute<{ id: string; batch_id: string; wallet: string; amount: string; signature: string }[]>(
      `select id, batch_id, wallet, amount, signature, created_at from payouts where status = 'CONFIRMED'
       union all
       select id, id as batch_id, wallet, amount, signature, created_at from withdrawals where status = 'CONFIRMED'
       order by created_at`,
    );
  return reconcilePayouts(chain.rpc, {
    mint: chain.mint,
    treasury: chain.wallet.publicKey, // the payouts' sender: the hot payout wallet
    payouts: rows.map((r) => ({
      payoutId: r.id,
      batchId: r.batch_id,
      recipient: r.wallet,
      amount: BigInt(r.amount),
      signature: r.signature,
    })),
    scanTreasuryHistory: { limit: scanLimit },
  });
}
