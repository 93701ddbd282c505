import type { SolanaRpc, TreasuryKey } from "@neurogrid/contracts";
import type { PublicKey } from "@solana/web3.js";

/**
 * What the payouts process needs of the chain to pay providers and clients: an RPC, the hot
 * payout wallet that signs and sends (never the treasury key: contracts' payouts/hot-wallet.ts),
 * the treasury's address, the mint.
 */
export interface PayoutChain {
  rpc: SolanaRpc;
  /** Signs payouts and withdrawals, pays their fees, owns the recipients' lookup tables. */
  wallet: TreasuryKey;
  /** The treasury's address: where deposits arrive, what the treasury check reads. */
  treasury: PublicKey;
  mint: PublicKey;
  commitment: "confirmed" | "finalized";
  /** Between confirmation rounds (0 on the in-process runtime). */
  pollIntervalMs: number;
  /** How long one run keeps settling before leaving the rest for the next run. */
  settleTimeoutMs: number;
  /**
   * Tops the hot wallet up toward `needed` (bounded by its cap) before payouts are sent, and
   * answers what it holds then; absent where the wallet is funded by other means (tests).
   */
  fund?: (needed: bigint) => Promise<bigint>;
}
