import type { SolanaRpc, TreasuryKey } from "@neurogrid/contracts";
import type { PublicKey } from "@solana/web3.js";

/** What the api needs of the chain to pay providers: an RPC, the treasury signer, the mint. */
export interface PayoutChain {
  rpc: SolanaRpc;
  treasury: TreasuryKey;
  mint: PublicKey;
  commitment: "confirmed" | "finalized";
  /** Between confirmation rounds (0 on the in-process runtime). */
  pollIntervalMs: number;
  /** How long one run keeps settling before leaving the rest for the next run. */
  settleTimeoutMs: number;
}
